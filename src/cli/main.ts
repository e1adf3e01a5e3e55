// The entry of the `session-stream` command line (dist/cli.js, the package's bin); the commands
// are in program.ts.
import { runProgram } from './program';

// Exit explicitly: a supabase-js client may keep timers or sockets alive after a command is done.
runProgram(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
