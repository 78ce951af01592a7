import type { SavedStream } from './workspace.js';

const entityKey = (s: SavedStream) => JSON.stringify(s.entities.map((e) => [e.kind, e.id, e.application ?? '']));

/** The same stream request, whatever the order of its fields (a saved stream and a running one). */
export function sameSpec(a: SavedStream, b: SavedStream): boolean {
  return (
    a.profileId === b.profileId &&
    entityKey(a) === entityKey(b) &&
    JSON.stringify(a.names) === JSON.stringify(b.names) &&
    (a.tail ?? 0) === (b.tail ?? 0) &&
    (a.after ?? '') === (b.after ?? '')
  );
}
