// npm run dev: build main and preload once, watch the renderer, and launch Electron on the result.
import { spawn } from 'node:child_process';
import { ensureElectron, MISSING_ELECTRON } from './electron-binary.mjs';

if (!ensureElectron()) {
  console.error(`\n${MISSING_ELECTRON}\n`);
  process.exit(1);
}

const run = (cmd, args) => spawn(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' });
const once = (cmd, args) =>
  new Promise((resolve, reject) =>
    run(cmd, args).on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed`)),
    ),
  );

await once('npx', ['vite', 'build', '--mode', 'preload']);
await once('npx', ['vite', 'build', '--mode', 'main']);
await once('npx', ['vite', 'build']);
const watcher = run('npx', ['vite', 'build', '--watch']);
const app = run('npx', ['electron', '.']);
app.on('exit', (code) => {
  watcher.kill();
  process.exit(code ?? 0);
});
