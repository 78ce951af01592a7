/**
 * `npm run harness`: Event Desk in any browser (browser mode): the core plus the built renderer on
 * 127.0.0.1 (needs `npm run build` first). Profiles, workspaces and captures live in the same data
 * folder as the desktop app unless `EVENT_DESK_DATA` names another; `PORT` fixes the port.
 */
import os from 'node:os';
import path from 'node:path';
import { existsSync, mkdirSync } from 'node:fs';
import { startHarness } from './harness.js';
import { appDataDir } from '../storage/app-data-dir.js';

const rendererDir = path.resolve('dist/renderer');
if (!existsSync(path.join(rendererDir, 'index.html'))) {
  console.error('Event Desk: dist/renderer is missing. Run `npm run build` first, then `npm run harness` again.');
  process.exit(1);
}
const dataDir = appDataDir(process.env, process.platform, os.homedir());
mkdirSync(dataDir, { recursive: true, mode: 0o700 });
const port = Number(process.env.PORT ?? 0);
// Problems reading settings, profiles or workspaces are reported here, as the desktop app logs them (#13).
const log = (m: string) => console.error(`[event-desk] ${m}`);
const harness = await startHarness({
  rendererDir,
  dataDir,
  log,
  port: Number.isInteger(port) && port > 0 && port < 65536 ? port : 0,
});
console.log(`Event Desk in your browser: open ${harness.url}`);
console.log(`Data folder: ${dataDir} (set EVENT_DESK_DATA to use another; PORT fixes the port)`);
console.log('Keep this terminal open while you use it; Ctrl+C stops it (streams stop, captures stay on disk).');
const stop = () => void harness.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
