/**
 * How the window names where entries came from: a stream's profile (name and colour), the streams that
 * delivered an entry, and the origins (profile and server) behind the `server:` and `profile:` filters.
 * Pure functions over the streams and profiles the app state holds.
 */
import type { StreamInfo, StreamStateChange } from '../../../src-main/shared/domain/stream';
import type { EventSummary } from '../../../src-main/shared/domain/summary';
import type { ProfileSummary } from '../../../src-main/shared/domain/profile';
import type { StreamOrigin } from '../../../src-main/shared/query/query';
import { FILE_PROFILE, RECORDING_PROFILE, serverOrigin, streamOrigin } from '../../../src-main/shared/query/origin';

type ProfileLookup = (id: string) => ProfileSummary | undefined;

export function originOf(streams: readonly StreamInfo[], profile: ProfileLookup, streamId: string) {
  const s = streams.find((x) => x.streamId === streamId);
  // A deleted profile's streams keep its last name and server, so its rows stay in the picker and the filters.
  return s && streamOrigin(s, profile(s.spec.profileId) ?? s.profile);
}

/**
 * The distinct origins (profile and server) of some streams, by profile name. A recording window's rows
 * name their own servers (`entries`): those with a profile here are its origins, so the server picker and
 * the `profile:` completions offer what the rows go by.
 */
export function originsOf(
  streams: readonly StreamInfo[],
  profiles: readonly ProfileSummary[],
  entries: () => readonly Pick<EventSummary, 'server'>[] = () => [],
): StreamOrigin[] {
  const byProfile = new Map<string, StreamOrigin>();
  const lookup = (id: string) => profiles.find((p) => p.id === id);
  for (const s of streams) {
    // A window is where rows were read, not who sent them: its rows' servers stand for it.
    if (s.recording) continue;
    const o = originOf(streams, lookup, s.streamId);
    if (o && !byProfile.has(o.profile)) byProfile.set(o.profile, o);
  }
  if (streams.some((s) => s.recording)) {
    const servers = new Set<string>();
    for (const e of entries()) if (e.server !== undefined) servers.add(e.server);
    for (const server of servers) {
      const o = serverOrigin(server, profiles);
      if (o.profile && !byProfile.has(o.profile)) byProfile.set(o.profile, o);
    }
  }
  return [...byProfile.values()].sort((a, b) => a.profile.localeCompare(b.profile));
}

const NO_SERVER = '#8c959f';
/** A stream whose profile is gone and whose name main never kept (deleted before a restart, by a version that did not keep it). */
export const DELETED_PROFILE = 'Deleted profile';

/**
 * The Server column of an entry (and a stream chip's name): its stream's profile, or, for a row read from a
 * team's recording, the profile of the server that delivered it (its host when this desk has none for it).
 */
export function profileOf(
  streams: readonly StreamInfo[],
  profiles: readonly ProfileSummary[],
  of: { streamId: string; server?: string | undefined },
): { name: string; color: string } {
  if (of.server !== undefined) {
    const o = serverOrigin(of.server, profiles);
    const p = o.profile ? profiles.find((x) => x.name === o.profile) : undefined;
    return p ? { name: p.name, color: p.color } : { name: o.server, color: NO_SERVER };
  }
  const s = streams.find((x) => x.streamId === of.streamId);
  if (s?.source) return { name: s.recording ? RECORDING_PROFILE : FILE_PROFILE, color: NO_SERVER };
  const p = s && profiles.find((x) => x.id === s.spec.profileId);
  if (p) return { name: p.name, color: p.color };
  // The profile is gone: its last known name, never its internal id (which means nothing to anyone).
  return { name: s?.profile?.name ?? DELETED_PROFILE, color: NO_SERVER };
}

/** `server:` and `profile:` for the window's filters: the same origins as main's queries. */
export function queryContextOf(streams: () => readonly StreamInfo[], profiles: () => readonly ProfileSummary[]) {
  return {
    origin: (streamId: string) => originOf(streams(), (id) => profiles().find((p) => p.id === id), streamId),
    serverOrigin: (server: string) => serverOrigin(server, profiles()),
  };
}

/** What delivered an entry: its stream(s), named by what they subscribe to (for the list's tooltip). */
export function deliveredBy(
  streams: readonly StreamInfo[],
  profiles: readonly ProfileSummary[],
  entry: EventSummary,
): string {
  if (entry.server !== undefined) {
    const s = streams.find((x) => x.streamId === entry.streamId);
    return `${entry.server}, recorded; read from ${s?.source ?? RECORDING_PROFILE}`;
  }
  return (entry.streamIds ?? [entry.streamId])
    .map((id) => {
      const s = streams.find((x) => x.streamId === id);
      return `${profileOf(streams, profiles, { streamId: id }).name}: ${s?.source ?? s?.spec.entities.map((e) => e.id).join(', ') ?? id}`;
    })
    .join('\n');
}

/** The streams after a state change; `profile` comes once the stream's profile was deleted and names it from then on. */
export function withChange(streams: readonly StreamInfo[], change: StreamStateChange): StreamInfo[] {
  const next = (s: StreamInfo) => ({
    ...s,
    state: change.state,
    ...(change.profile ? { profile: change.profile } : {}),
  });
  return streams.map((s) => (s.streamId === change.streamId ? next(s) : s));
}
