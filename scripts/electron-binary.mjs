// Finds the Electron binary before anything launches it. `require('electron')` would try to download
// it and end offline in a stack trace; here a missing binary gets one download attempt with a time
// limit, and then one paragraph that says what to do instead (browser mode).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const electronDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'electron');

/** The binary's path when it is on disk, else undefined. Honours ELECTRON_OVERRIDE_DIST_PATH like electron does. */
export function electronBinary(env = process.env) {
  const pathFile = path.join(electronDir, 'path.txt');
  const rel = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const file = path.join(env.ELECTRON_OVERRIDE_DIST_PATH, rel || 'electron');
    return existsSync(file) ? file : undefined;
  }
  const file = rel && path.join(electronDir, 'dist', rel);
  return file && existsSync(file) ? file : undefined;
}

export const MISSING_ELECTRON = [
  'Event Desk: the Electron binary is not installed, and it could not be downloaded (this machine',
  'is offline or cannot reach GitHub). Everything else works without it: run Event Desk in your',
  'browser instead with `npm run build && npm run harness` and open the address it prints (Open…,',
  'Export…, profiles and workspaces work the same; the README section "Browser mode" has the',
  'details). To get the desktop app later, run `npm start` again on a machine with internet access.',
].join('\n');

/** The binary, downloading it once when missing (unless EVENT_DESK_NO_DOWNLOAD=1); undefined if there is none. */
export function ensureElectron(env = process.env) {
  const found = electronBinary(env);
  if (found || env.EVENT_DESK_NO_DOWNLOAD === '1' || env.ELECTRON_OVERRIDE_DIST_PATH) return found;
  console.error('Event Desk: downloading the Electron binary (first run)…');
  const timeout = Number(env.EVENT_DESK_DOWNLOAD_TIMEOUT_MS ?? 180_000);
  spawnSync(process.execPath, [path.join(electronDir, 'install.js')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout,
    env,
  });
  return electronBinary(env);
}
