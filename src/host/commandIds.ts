// The extension's own command ids, in one list: package.json's `contributes.commands` declares the
// same ids (a unit test keeps the two equal), and the code names a command only as a `CommandId`,
// so a typo is a compile error. Without the VS Code API, so the test can read it under plain mocha;
// registering and running them is commandApi.ts. Built-in commands (workbench.*, vscode.*) are not
// ours and stay strings where they are used.
import type { CommandKind } from '../shared/commands';

export const COMMAND_IDS = [
  'sessionStream.signIn',
  'sessionStream.signOut',
  'sessionStream.useLocalStack',
  'sessionStream.selectSession',
  'sessionStream.openTimeline',
  'sessionStream.reconnect',
  'sessionStream.showHealth',
  'sessionStream.refreshSessions',
  'sessionStream.emitTestEvent',
  'sessionStream.setServiceRoleKey',
  'sessionStream.runAgent',
  'sessionStream.streamThisMachine',
  'sessionStream.stopStreamingThisMachine',
  'sessionStream.refreshAgents',
  'sessionStream.runDemo',
  'sessionStream.openChanges',
  'sessionStream.showLog',
  'sessionStream.sessionMenu',
  'sessionStream.stop',
  'sessionStream.pause',
  'sessionStream.resume',
  'sessionStream.sendMessage',
  'sessionStream.approve',
  'sessionStream.deny',
  'sessionStream.openEventLink',
  'sessionStream.copyLinkToEvent',
] as const;

export type CommandId = (typeof COMMAND_IDS)[number];

/** The steering command behind each kind of command sent to an agent's runner. */
export const STEERING_COMMAND_IDS: Readonly<Record<CommandKind, CommandId>> = {
  stop: 'sessionStream.stop',
  pause: 'sessionStream.pause',
  resume: 'sessionStream.resume',
  message: 'sessionStream.sendMessage',
  approve: 'sessionStream.approve',
  deny: 'sessionStream.deny',
};

/** A command object for a tree item or status bar item (structurally a `vscode.Command`). */
export interface CommandRef {
  command: CommandId;
  title: string;
  arguments?: unknown[];
}

export function commandRef(id: CommandId, title: string, ...args: unknown[]): CommandRef {
  return args.length > 0 ? { command: id, title, arguments: args } : { command: id, title };
}

/** The target of a command link in trusted Markdown: `[label](${commandUri(id)})`. */
export function commandUri(id: CommandId): string {
  return `command:${id}`;
}

/** The name of a command for logs: `signIn` for `sessionStream.signIn`. */
export function commandName(id: CommandId): string {
  return id.slice('sessionStream.'.length);
}
