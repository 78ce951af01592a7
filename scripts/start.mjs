// npm start: build, then launch the desktop app; without an Electron binary, say how to use browser mode.
import { spawnSync } from 'node:child_process';
import { ensureElectron, MISSING_ELECTRON } from './electron-binary.mjs';

const electron = ensureElectron();
if (!electron) {
  console.error(`\n${MISSING_ELECTRON}\n`);
  process.exit(1);
}
const shell = process.platform === 'win32';
const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit', shell });
if (build.status !== 0) process.exit(build.status ?? 1);
const app = spawnSync(electron, ['.', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(app.status ?? 0);
