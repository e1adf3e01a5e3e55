// Teams, roles and shares (docs/teams.md), through the database's own functions: each checks the
// caller's role and says what is wrong in a sentence, which is what a TeamError carries. Names
// are the user's: a team is found by its name among the teams they are in.
import type { SupabaseClient } from '@supabase/supabase-js';

export const TEAM_ROLES = ['viewer', 'operator', 'admin'] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

export interface Team {
  id: string;
  name: string;
  role: TeamRole;
  members: number;
}

export interface TeamMember {
  email: string;
  role: TeamRole;
  /** False while the address has no account (an invite waiting for its sign-up). */
  joined: boolean;
  addedAt: string;
}

/** What the database refused, in its words; `code` tells kinds apart (42501 not allowed, P0002 not found, 23505 already so, 22023 bad input). */
export class TeamError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'TeamError';
  }
}

async function call<T>(client: SupabaseClient, fn: string, args: Record<string, unknown>): Promise<T> {
  const { data, error } = await client.rpc(fn, args);
  if (error) throw new TeamError(error.message, error.code);
  return data as T;
}

/** Who is asking: their user id, and their address (a member row may name it before the account existed). */
export interface Me {
  id: string;
  email?: string;
}

/** The teams the user is in, with their role in each, by name. */
export async function listTeams(client: SupabaseClient, me: Me): Promise<Team[]> {
  const teams = await client.from('teams').select('id, name').order('name');
  if (teams.error) throw new TeamError(`Could not read your teams: ${teams.error.message}`, teams.error.code);
  const rows = (teams.data ?? []) as Array<{ id: string; name: string }>;
  const members = rows.length === 0 ? { data: [], error: null } : await client.from('team_members').select('team_id, email, user_id, role').in('team_id', rows.map((t) => t.id));
  if (members.error) throw new TeamError(`Could not read your teams: ${members.error.message}`, members.error.code);
  const all = (members.data ?? []) as Array<{ team_id: string; email: string; user_id: string | null; role: TeamRole }>;
  const rank = (r: string) => TEAM_ROLES.indexOf(r as TeamRole);
  const address = me.email?.toLowerCase();
  return rows.map((t) => {
    const of = all.filter((m) => m.team_id === t.id);
    const mine = of.filter((m) => m.user_id === me.id || (m.user_id === null && m.email === address)).sort((a, b) => rank(b.role) - rank(a.role))[0];
    return { id: t.id, name: t.name, role: mine?.role ?? 'viewer', members: of.length };
  });
}

/** The user's team of that name (case does not matter); a clear error when there is none or more than one. */
export async function findTeam(client: SupabaseClient, me: Me, name: string): Promise<Team> {
  const teams = await listTeams(client, me);
  const exact = teams.filter((t) => t.name === name.trim());
  const found = exact.length > 0 ? exact : teams.filter((t) => t.name.toLowerCase() === name.trim().toLowerCase());
  if (found.length === 1) return found[0]!;
  if (found.length > 1) throw new TeamError(`You are in ${found.length} teams named "${name}"; ask an admin of one to rename it.`, '21000');
  const yours = teams.map((t) => t.name).join(', ');
  throw new TeamError(`You are in no team named "${name}".${yours ? ` Your teams: ${yours}.` : ' Create one with: session-stream team create NAME.'}`, 'P0002');
}

export function createTeam(client: SupabaseClient, name: string): Promise<string> {
  return call<string>(client, 'create_team', { team_name: name });
}

export function inviteToTeam(client: SupabaseClient, teamId: string, email: string, role: TeamRole = 'viewer'): Promise<void> {
  return call(client, 'invite_to_team', { team: teamId, invitee: email, member_role: role });
}

export function setTeamRole(client: SupabaseClient, teamId: string, email: string, role: TeamRole): Promise<void> {
  return call(client, 'set_team_role', { team: teamId, member: email, member_role: role });
}

/** Removes a member (an admin), or the caller themselves (leaving: their own address). */
export function removeFromTeam(client: SupabaseClient, teamId: string, email: string): Promise<void> {
  return call(client, 'remove_from_team', { team: teamId, member: email });
}

export async function teamMembers(client: SupabaseClient, teamId: string): Promise<TeamMember[]> {
  const { data, error } = await client.from('team_members').select('email, role, user_id, added_at').eq('team_id', teamId).order('email');
  if (error) throw new TeamError(`Could not read the team's members: ${error.message}`, error.code);
  return (data as Array<{ email: string; role: TeamRole; user_id: string | null; added_at: string }>).map((m) => ({ email: m.email, role: m.role, joined: m.user_id !== null, addedAt: m.added_at }));
}

/** Puts one of the user's sessions into one of their teams (null: into none). */
export function setSessionTeam(client: SupabaseClient, sessionId: string, teamId: string | null): Promise<void> {
  return call(client, 'set_session_team', { session: sessionId, team: teamId });
}

/** Shares one of the user's sessions, view-only, with one person. */
export function shareSession(client: SupabaseClient, sessionId: string, email: string): Promise<void> {
  return call(client, 'share_session', { session: sessionId, recipient: email });
}

export function unshareSession(client: SupabaseClient, sessionId: string, email: string): Promise<void> {
  return call(client, 'unshare_session', { session: sessionId, recipient: email });
}
