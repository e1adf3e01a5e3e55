// `npm start`: the one-command demo (local stack + demo agent + VS Code with the extension).
// The pieces land issue by issue; until they all have, this says plainly what is missing.
console.error(
  [
    'npm start is not complete yet.',
    'Present: the database schema, the embedded PostgreSQL starter, the build (npm run build) and the tests (npm test).',
    'Missing: the local Supabase-compatible stack, the demo agent and the code-server launcher.',
  ].join('\n'),
);
process.exit(1);
