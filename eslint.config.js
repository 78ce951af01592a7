/**
 * Lint, including the layer table of ARCHITECTURE.md: imports only point down.
 */
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import svelteConfig from './svelte.config.js';

const NODE_BUILTINS = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'http',
  'https',
  'net',
  'tls',
  'zlib',
  'crypto',
  'child_process',
  'stream',
  'util',
  'events',
  'url',
  'worker_threads',
];
const ban = (patterns, message) => ({ group: patterns, message });

/** no-restricted-imports options for one layer. Type-only imports are allowed (they vanish at run time). */
const layer = (...rules) => [
  'error',
  {
    // The electron module is banned by exact name (a path pattern would also match src-main/electron/).
    paths: rules
      .filter((r) => r.group.includes('electron'))
      .map(({ message }) => ({ name: 'electron', message, allowTypeImports: true })),
    patterns: rules
      .map(({ group, message }) => ({ group: group.filter((g) => g !== 'electron'), message, allowTypeImports: true }))
      .filter((r) => r.group.length > 0),
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'], svelteConfig },
      globals: { ...globals.browser },
    },
  },
  {
    files: ['src-main/shared/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': layer(
        ban(NODE_BUILTINS, 'src-main/shared runs in the renderer too: no Node modules.'),
        ban(['electron'], 'shared must not import electron.'),
        ban(['svelte', 'svelte/*'], 'shared must not import svelte.'),
        ban(['**/core/**', '**/electron/**', '**/preload/**', '**/src-renderer/**'], 'shared imports only itself.'),
      ),
    },
  },
  {
    files: ['src-main/core/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': layer(
        ban(['electron'], 'core is plain Node: electron belongs to src-main/electron.'),
        ban(
          ['**/electron/**', '**/preload/**', '**/src-renderer/**'],
          'core imports only shared, node:* and npm libraries.',
        ),
      ),
    },
  },
  {
    files: ['src-main/electron/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': layer(
        ban(['**/src-renderer/**', '**/preload/**'], 'the shell never imports the renderer or the preload.'),
      ),
    },
  },
  {
    files: ['src-main/cli/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': layer(
        ban(['electron'], 'the event-desk command is plain Node: no electron.'),
        ban(
          ['**/electron/**', '**/preload/**', '**/src-renderer/**'],
          'the command line imports only shared, core, node:* and npm libraries.',
        ),
      ),
    },
  },
  {
    files: ['src-main/preload/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': layer(
        ban(NODE_BUILTINS, 'the sandboxed preload cannot load Node modules.'),
        ban(['**/core/**', '**/electron/**', '**/src-renderer/**'], 'preload imports only shared and electron.'),
      ),
    },
  },
  {
    files: ['src-renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      '@typescript-eslint/no-restricted-imports': layer(
        ban(NODE_BUILTINS, 'the renderer has no Node.'),
        ban(['electron'], 'the renderer never imports electron: use the bridge.'),
        ban(
          ['**/src-main/core/**', '**/src-main/electron/**', '**/src-main/preload/**'],
          'the renderer imports only src-main/shared.',
        ),
      ),
    },
  },
  {
    files: ['test/**'],
    rules: {
      // Tests dig into server JSON of many shapes; typing every probe would only add noise.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-restricted-imports': layer(
        ban(['electron'], 'tests use the electron double in test/mocks, never the real module.'),
      ),
    },
  },
);
