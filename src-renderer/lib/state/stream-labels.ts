/**
 * How the window names where entries came from: a stream's profile (name and colour), the streams that
 * delivered an entry, and the origins (profile and server) behind the `server:` and `profile:` filters.
 * Pure functions over the streams and profiles the app state holds.
 */
import type { StreamInfo } from '../../../src-main/shared/domain/stream';
import type { EventSummary } from '../../../src-main/shared/domain/summary';
import type { ProfileSummary } from '../../../src-main/shared/domain/profile';
import type { StreamOrigin } from '../../../src-main/shared/query/query';
import { streamOrigin } from '../../../src-main/shared/query/origin';

type ProfileLookup = (id: string) => ProfileSummary | undefined;

export function originOf(streams: readonly StreamInfo[], profile: ProfileLookup, streamId: string) {
  const s = streams.find((x) => x.streamId === streamId);
  return s && streamOrigin(s, profile(s.spec.profileId));
}

/** The distinct origins (profile and server) of some streams, by profile name. */
export function originsOf(streams: readonly StreamInfo[], profile: ProfileLookup): StreamOrigin[] {
  const byProfile = new Map<string, StreamOrigin>();
  for (const s of streams) {
    const o = originOf(streams, profile, s.streamId);
    if (o && !byProfile.has(o.profile)) byProfile.set(o.profile, o);
  }
  return [...byProfile.values()].sort((a, b) => a.profile.localeCompare(b.profile));
}

export function profileOf(
  streams: readonly StreamInfo[],
  profile: ProfileLookup,
  streamId: string,
): { name: string; color: string } {
  const s = streams.find((x) => x.streamId === streamId);
  if (s?.source) return { name: 'File', color: '#8c959f' };
  const p = s && profile(s.spec.profileId);
  return p ? { name: p.name, color: p.color } : { name: s?.spec.profileId ?? '?', color: '#888888' };
}

/** What delivered an entry: its stream(s), named by what they subscribe to (for the list's tooltip). */
export function deliveredBy(streams: readonly StreamInfo[], profile: ProfileLookup, entry: EventSummary): string {
  return (entry.streamIds ?? [entry.streamId])
    .map((id) => {
      const s = streams.find((x) => x.streamId === id);
      return `${profileOf(streams, profile, id).name}: ${s?.source ?? s?.spec.entities.map((e) => e.id).join(', ') ?? id}`;
    })
    .join('\n');
}
