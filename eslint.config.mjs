import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

const VSCODE = { name: 'vscode', message: "Keep 'vscode' imports inside src/host." };

/** `files` may not import the sibling layers named in `forbidden` (nor vscode). */
function layer(files, forbidden, message, prefix = '../') {
  return [
    {
      files: [files],
      rules: {
        'no-restricted-imports': ['error', { paths: [VSCODE], patterns: [{ group: forbidden.flatMap((l) => [`${prefix}${l}/*`, `${prefix}${l}`]), message: `${message} (docs/architecture.md).` }] }],
      },
    },
  ];
}

export default tseslint.config(
  {
    ignores: ['dist/**', 'out/**', 'node_modules/**', '.session-stream/**', 'demo-workspace/**', 'test/e2e/vscode/**', 'test-results/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: [] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports (docs/architecture.md, code style).' },
      ],
    },
  },
  // No import circles in the product: a module's imports form a tree you can read top down.
  {
    files: ['src/**/*.ts', 'webview/**/*.ts', 'packages/local-supabase/src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  // The layering of docs/architecture.md ("Layout and who may import what"), enforced: each folder
  // may import only the layers below it, and only src/host may import vscode.
  ...layer('src/shared/**', ['core', 'bridges', 'worker', 'host', 'cli'], 'src/shared imports nothing of ours'),
  ...layer('src/core/**', ['bridges', 'worker', 'host', 'cli'], 'src/core may import src/shared only'),
  ...layer('src/bridges/**', ['core', 'worker', 'host', 'cli'], 'src/bridges may import src/shared only'),
  ...layer('src/worker/**', ['host', 'cli'], 'src/worker may import src/shared, src/core and src/bridges'),
  ...layer('src/cli/**', ['host'], 'src/cli may import all but src/host'),
  ...layer('webview/**', ['core', 'bridges', 'worker', 'host', 'cli'], 'the webview may import src/shared only', '../src/'),
  {
    files: ['packages/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [VSCODE], patterns: [{ group: ['bridges', 'cli', 'core', 'host', 'shared', 'worker'].map((l) => `**/src/${l}/**`), message: 'The local stack is its own package: it imports nothing of the product.' }] }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
