/** A server the user streams from (the full profile model grows with the profiles issue). */
export interface ProfileSummary {
  id: string;
  name: string;
  baseUrl: string;
  /** The built-in demo stack that main starts on 127.0.0.1 on demand. */
  isDemo: boolean;
  color: string;
}

/** Static facts about the running app. */
export interface AppInfo {
  version: string;
  platform: string;
  /** `electron` in the desktop app, `harness` when the core is driven over a loopback WebSocket. */
  host: 'electron' | 'harness';
}
