#!/usr/bin/env node
// `local-supabase [options]`: the stack from its TypeScript source (through tsx), with its data and
// env file under .local-supabase/ in the current folder. `--help` lists the options.
require('tsx/cjs');
const { runStackCli } = require('../src/cli.ts');

runStackCli(process.argv.slice(2), { command: 'local-supabase', dataDir: '.local-supabase/data', envFile: '.local-supabase/stack.env' }).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
