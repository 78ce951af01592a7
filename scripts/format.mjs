// `npm run format` (--write) and the check in `npm run lint` (--check): the one list of what Prettier formats.
import { spawnSync } from 'node:child_process';

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
const r = spawnSync('npx', ['prettier', mode, ...FILES], { stdio: 'inherit' });
process.exit(r.status ?? 1);
