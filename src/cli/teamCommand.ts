// `session-stream team create|invite|role|remove|leave|list|members` and `share|unshare --session
// ID EMAIL`: teams, roles and single-session shares (docs/teams.md), as the signed-in user. The
// database checks every role; what it refuses is printed as it says it, exit 1. Mistakes in the
// call itself are exit 2.
import { TEAM_ROLES, TeamError, createTeam, findTeam, inviteToTeam, listTeams, removeFromTeam, setTeamRole, shareSession, teamMembers, unshareSession, type Me, type TeamRole } from '../core/teams';
import { sessionOption, UsageError } from './args';
import { choiceOption, defineCommand, PROGRAM, type CommandSpec } from './options';
import { safeText } from './tailFormat';
import { signedInUser, type SignedInUser } from './userAuth';

const ACTIONS: Record<string, { operands: string; help: string }> = {
  create: { operands: 'NAME', help: 'a new team with you as its admin; prints TEAM_ID=<id>' },
  invite: { operands: 'NAME EMAIL', help: 'makes that address a member at once (--role, default viewer); one without an account yet is theirs once they sign up with it' },
  role: { operands: 'NAME EMAIL ROLE', help: "changes a member's role (viewer, operator or admin)" },
  remove: { operands: 'NAME EMAIL', help: 'takes a member out: their access ends at once' },
  leave: { operands: 'NAME', help: 'takes you out of the team (the last member leaving ends the team)' },
  list: { operands: '', help: 'your teams, with your role in each' },
  members: { operands: 'NAME', help: "a team's members, one a line: email and role" },
};

export const TEAM = {
  name: 'team',
  summary: 'teams: create one, invite people as viewer, operator or admin, see who is in it',
  operands: 'create|invite|role|remove|leave|list|members …',
  about: `A team's members see its sessions live, comment on them, and — as operator or admin — steer them
(stop, pause, a message, approve or deny). Admins also manage the members. A session is put into a
team when it is created (run, import or watch --team NAME) or later by its owner. Names are yours:
a team is found by its name among the teams you are in.

${Object.entries(ACTIONS)
  .map(([a, w]) => `  ${`${a} ${w.operands}`.padEnd(22)} ${w.help}`)
  .join('\n')}`,
  options: {
    role: { type: 'string', choices: TEAM_ROLES, default: 'viewer', help: 'the role of whom invite adds' },
    json: { type: 'boolean', default: false, help: 'list and members: JSON (one array)' },
  },
  notes: `Exit codes: 0 done; 1 refused (not an admin, not a member, the last admin, no such team) or the
stack out of reach; 2 a mistake in how it was called.`,
} as const satisfies CommandSpec;

/** "a viewer", "an operator", "an admin". */
const aRole = (role: TeamRole) => `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}`;

const meOf = (user: SignedInUser): Me => ({ id: user.userId, ...(user.email ? { email: user.email } : {}) });

/** Runs `body` as the signed-in user; a refusal of the database is its message and exit 1. */
async function asUser(body: (user: SignedInUser) => Promise<string>): Promise<number> {
  const user = await signedInUser();
  try {
    process.stdout.write(await body(user));
    return 0;
  } catch (error) {
    if (error instanceof TeamError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    user.dispose();
  }
}

export const teamCommand = defineCommand(TEAM, async ({ values, positionals }) => {
  const [action, ...args] = positionals;
  const what = action ? ACTIONS[action] : undefined;
  if (!action || !what) throw new UsageError(action ? `Unknown team action "${action}": one of ${Object.keys(ACTIONS).join(', ')}.` : `Which? ${PROGRAM} team ${TEAM.operands}`);
  const want = what.operands ? what.operands.split(' ').length : 0;
  if (args.length !== want) throw new UsageError(`team ${action} takes ${what.operands || 'nothing more'}${args.length > want ? ` (put a name with spaces in quotes)` : ''}.`);
  const [name, email, third] = args as [string, string, string];
  switch (action) {
    case 'create':
      return asUser(async (u) => `TEAM_ID=${await createTeam(u.client, name)}\n`);
    case 'invite': {
      const role = choiceOption(TEAM, 'role', values.role) as TeamRole;
      return asUser(async (u) => {
        const team = await findTeam(u.client, meOf(u), name);
        await inviteToTeam(u.client, team.id, email, role);
        return `${email.trim().toLowerCase()} is now ${aRole(role)} of ${safeText(team.name, false)}.\n`;
      });
    }
    case 'role': {
      if (!(TEAM_ROLES as readonly string[]).includes(third)) throw new UsageError(`A role is ${TEAM_ROLES.join(', ')}; not "${third}".`);
      return asUser(async (u) => {
        const team = await findTeam(u.client, meOf(u), name);
        await setTeamRole(u.client, team.id, email, third as TeamRole);
        return `${email.trim().toLowerCase()} is now ${aRole(third as TeamRole)} of ${safeText(team.name, false)}.\n`;
      });
    }
    case 'remove':
      return asUser(async (u) => {
        const team = await findTeam(u.client, meOf(u), name);
        await removeFromTeam(u.client, team.id, email);
        return `${email.trim().toLowerCase()} is no longer in ${safeText(team.name, false)}.\n`;
      });
    case 'leave':
      return asUser(async (u) => {
        if (!u.email) throw new TeamError('This sign-in does not tell your address; sign in with session-stream login to leave a team.');
        const team = await findTeam(u.client, meOf(u), name);
        await removeFromTeam(u.client, team.id, u.email);
        return `You left ${safeText(team.name, false)}.\n`;
      });
    case 'list':
      return asUser(async (u) => {
        const teams = await listTeams(u.client, meOf(u));
        if (values.json) return `${JSON.stringify(teams)}\n`;
        if (teams.length === 0) return `You are in no team. Create one with: ${PROGRAM} team create NAME\n`;
        return teams.map((t) => `${safeText(t.name, false)}\t${t.role}\t${t.members} member${t.members === 1 ? '' : 's'}\t${t.id}\n`).join('');
      });
    default:
      return asUser(async (u) => {
        const team = await findTeam(u.client, meOf(u), name);
        const members = await teamMembers(u.client, team.id);
        if (values.json) return `${JSON.stringify(members)}\n`;
        return members.map((m) => `${m.email}\t${m.role}${m.joined ? '' : '\t(no account yet)'}\n`).join('');
      });
  }
});

/** share and unshare: one session of the user's, one address. */
function shareCommandOf(name: 'share' | 'unshare', summary: string, about: string, act: typeof shareSession, done: (email: string) => string) {
  return defineCommand(
    { name, summary, operands: 'EMAIL', about, options: { session: { type: 'string', value: 'ID', required: true, help: 'the session (yours)' } } },
    async ({ values, positionals }) => {
      const sessionId = sessionOption(values.session);
      if (positionals.length !== 1) throw new UsageError(`${name} takes one address: ${name} --session ID EMAIL.`);
      return asUser(async (u) => {
        await act(u.client, sessionId, positionals[0]!);
        return `${done(positionals[0]!.trim().toLowerCase())}\n`;
      });
    },
  );
}

export const shareCommand = shareCommandOf('share', 'share one session of yours, view-only, with one person (by email)', 'They see the session live and comment on it; they cannot steer it. unshare ends it at once.', shareSession, (email) => `Shared with ${email} (view-only).`);

export const unshareCommand = shareCommandOf('unshare', 'stop sharing a session with that person: their access ends at once', 'Their open timelines of the session close and say why.', unshareSession, (email) => `No longer shared with ${email}.`);
