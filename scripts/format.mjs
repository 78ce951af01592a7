// `npm run format` (--write) and the check in `npm run lint` (--check): the one list of what Prettier formats.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const FILES = [
  'src-main/**/*.{ts,svelte}',
  'src-renderer/**/*.{ts,svelte}',
  'test/**/*.ts',
  'bench/**/*.ts',
  'scripts/**/*.mjs',
  '*.{ts,js}',
];
const mode = process.argv[2];
if (mode !== '--write' && mode !== '--check') {
  console.error('usage: node scripts/format.mjs --write | --check');
  process.exit(2);
}
// Prettier's own script through this Node: no shell, and the same on every platform.
const prettier = createRequire(import.meta.url).resolve('prettier/bin/prettier.cjs');
const r = spawnSync(process.execPath, [prettier, mode, ...FILES], { stdio: 'inherit' });
process.exit(r.status ?? 1);
