// `session-stream` command line: one entry for stack, emit, tail, demo and bench, serving the same
// core as the extension. Subcommands register themselves in COMMANDS as they land.

import { UsageError } from './args';
import { runImport, runRun } from './agentCommands';
import { runDemoCommand } from './demoCommand';
import { runDoctor } from './doctorCommand';
import { runEmit } from './emitCommand';
import { runExport } from './exportCommand';
import { runStack } from './stackCommand';
import { runLogin, runLogout } from './loginCommand';
import { CONTROL_COMMANDS, controlSummary, runControl } from './controlCommands';
import { runTail } from './tailCommand';
import { runWatch } from './watchCommand';

interface CliCommand {
  summary: string;
  run(args: string[]): Promise<number>;
}

const COMMANDS: Record<string, CliCommand> = {
  run: { summary: 'run an agent (Codex, Claude Code, Gemini CLI) and stream its session live, as you', run: runRun },
  import: { summary: 'store a recorded agent run (a file or stdin) as a session of yours', run: runImport },
  watch: { summary: 'follow Claude Code, Codex and Gemini CLI session files as they grow, each as a session of yours', run: runWatch },
  doctor: { summary: 'check the agent CLIs here (versions, session files) and the project (reachable, signed in, migrations)', run: runDoctor },
  login: { summary: 'sign in for run, import and watch (kept in a file only you can read)', run: runLogin },
  logout: { summary: 'forget that sign-in', run: runLogout },
  demo: { summary: 'run a scripted agent session that writes files and emits every event type', run: runDemoCommand },
  emit: { summary: 'emit one session event as the worker does (validated, idempotent)', run: runEmit },
  stack: { summary: 'start the local Supabase-compatible stack (PostgreSQL + Auth, REST, Realtime)', run: runStack },
  export: { summary: 'write a whole session (any length) as JSON Lines or Markdown', run: runExport },
  tail: { summary: 'follow a session: history, then every event live, exactly once and in order', run: runTail },
  ...Object.fromEntries(CONTROL_COMMANDS.map((name) => [name, { summary: controlSummary(name), run: (args: string[]) => runControl(name, args) }])),
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
  return ['Usage: session-stream <command> [options]', '', 'Commands:', ...lines].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n\n${usage()}\n`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    // parseArgs throws TypeErrors with codes like ERR_PARSE_ARGS_UNKNOWN_OPTION.
    const code = (error as { code?: string }).code ?? '';
    if (error instanceof UsageError || code.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(error as Error).message}\nRun with --help for the options.\n`);
      return 2;
    }
    throw error;
  }
}

// Exit explicitly: a supabase-js client may keep timers or sockets alive after a command is done.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
