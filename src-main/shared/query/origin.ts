/**
 * Where a stream's entries came from, for the `server:` and `profile:` filters: one rule for the window
 * (its stream list and profiles) and main (page and export queries), so both filter the same rows.
 */
import type { StreamInfo } from '../domain/stream.js';
import type { StreamOrigin } from './query.js';

/** The profile name a file's entries go by (the list's Server column shows it too). */
export const FILE_PROFILE = 'File';
/**
 * The name a ClickHouse window's own entries go by (its stream chip, its status lines). Its event rows
 * each name the server that delivered them (`serverOrigin`).
 */
export const RECORDING_PROFILE = 'ClickHouse';

/** `host[:port]` of a base URL, by shape (shared code has no URL typings); the text itself when it has no scheme. */
export function hostOf(baseUrl: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^/?#]+)/i.exec(baseUrl.trim());
  return (m ? m[1]! : baseUrl.trim()).toLowerCase();
}

/**
 * A stream's origin: its profile's name and server host, or, for an imported file, "File" and the file's
 * name. Undefined when the profile is not known (deleted): such rows match no `server:` term.
 */
export function streamOrigin(
  info: Pick<StreamInfo, 'source' | 'recording'> | undefined,
  profile: { name: string; baseUrl: string } | undefined,
): StreamOrigin | undefined {
  if (info?.source !== undefined)
    return { profile: info.recording ? RECORDING_PROFILE : FILE_PROFILE, server: info.source };
  return profile ? { profile: profile.name, server: hostOf(profile.baseUrl) } : undefined;
}

/**
 * The origin of a row recorded from `server` (a base URL): its host, and the name of this desk's profile
 * for that host (none: an empty name, which only `profile:*` keeps). One rule for the window's filter and
 * main's SQL over the recording, so both keep the same rows.
 */
export function serverOrigin(server: string, profiles: readonly { name: string; baseUrl: string }[]): StreamOrigin {
  const host = hostOf(server);
  return { server: host, profile: profiles.find((p) => hostOf(p.baseUrl) === host)?.name ?? '' };
}
