// The `session-stream` command line: which commands there are, and how a call ends — the command's
// exit code, or 2 with a message and where to read the options for a mistake in how it was called.
import { UsageError } from './args';
import { importCommand, runCommand } from './agentCommands';
import { CONTROL_COMMANDS } from './controlCommands';
import { demoCommand } from './demoCommand';
import { doctorCommand } from './doctorCommand';
import { emitCommand } from './emitCommand';
import { exportCommand } from './exportCommand';
import { hooksCommand } from './hooksCommand';
import { loginCommand, logoutCommand } from './loginCommand';
import { PROCESS_IO, PROGRAM, type CliCommand, type CliIo } from './options';
import { stackCommand } from './stackCommand';
import { tailCommand } from './tailCommand';
import { shareCommand, teamCommand, unshareCommand } from './teamCommand';
import { watchCommand } from './watchCommand';

/** Every command, in the order the usage lists them. */
export const COMMANDS: readonly CliCommand[] = [runCommand, importCommand, watchCommand, hooksCommand, doctorCommand, loginCommand, logoutCommand, demoCommand, emitCommand, stackCommand, exportCommand, tailCommand, ...CONTROL_COMMANDS, teamCommand, shareCommand, unshareCommand];

/** The program's own usage: every command with its summary. */
export function programUsage(): string {
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`);
  return [`Usage: ${PROGRAM} <command> [options]`, '', 'Commands:', ...lines, '', `${PROGRAM} <command> --help shows a command's options.`].join('\n');
}

/** Runs one call of the command line; resolves with its exit code. */
export async function runProgram(argv: readonly string[], io: CliIo = PROCESS_IO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    io.out(`${programUsage()}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`Unknown command "${name}".\n\n${programUsage()}\n`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\nRun \`${PROGRAM} ${name} --help\` for the options.\n`);
      return 2;
    }
    throw error;
  }
}
