/**
 * The folder Electron's `app.getPath('userData')` gives the desktop app, computed without Electron, so
 * browser mode and the command line find the same profiles, workspaces and captures.
 */
import path from 'node:path';

/** The product name Electron derives `userData` from (package.json `productName`). */
export const APP_DIR_NAME = 'Event Desk';

/** `EVENT_DESK_DATA` when set, else `~/.config/Event Desk` (XDG), `~/Library/Application Support/Event Desk`, `%APPDATA%\Event Desk`. */
export function appDataDir(env: NodeJS.ProcessEnv, platform: string, home: string): string {
  if (env.EVENT_DESK_DATA) return path.resolve(env.EVENT_DESK_DATA);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_DIR_NAME);
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), APP_DIR_NAME);
}
