/**
 * Where the command finds the app's profiles: the same folder the desktop app uses, so a profile made
 * in the window works on the command line and the reverse.
 */
import path from 'node:path';

/** The product name Electron derives `userData` from (package.json `productName`). */
export const APP_DIR_NAME = 'Event Desk';

/**
 * `--data-dir`, else `EVENT_DESK_DATA` (what the harness reads), else Electron's `app.getPath('userData')`
 * for this platform: `~/.config/Event Desk` (XDG), `~/Library/Application Support/Event Desk`, `%APPDATA%\Event Desk`.
 */
export function resolveDataDir(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  platform: string,
  home: string,
): string {
  if (flag) return path.resolve(flag);
  if (env.EVENT_DESK_DATA) return path.resolve(env.EVENT_DESK_DATA);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_DIR_NAME);
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), APP_DIR_NAME);
}
