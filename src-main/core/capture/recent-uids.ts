/**
 * Recent `unique_id` → entry id, per workspace, in bounded memory: the same event delivered by a second
 * stream of the workspace (an application and one of its devices) becomes one entry, the same event
 * delivered again by its stream (a resume's overlap) is recognised, and after a restart the reopened
 * capture's newest ids are remembered so a replay does not store them again.
 *
 * Two generations per workspace: when the current one is full it becomes the previous one. Streams of
 * one workspace deliver the same event within seconds of each other; 50,000 ids is minutes at full speed.
 *
 * An event delivered again has the same `time` text as the first time. So while one stream has delivered all
 * of a workspace's events, one of its events whose time text sorts after every one remembered is new without
 * a lookup: a live stream's times grow (sub-millisecond digits included), so that is nearly every event (the
 * lookups were ~4–6 % of ingest). Comparing the texts needs no parsing and holds for any text: a resent
 * event's text is one of those remembered, so never after all of them.
 */
/**
 * A generation: ids in the order remembered, looked up through a map built only once a lookup needs it
 * (then kept up to date). In order nothing is looked up, and remembering is an array push, not a hash.
 */
class Generation {
  readonly uids: string[] = [];
  readonly ids: number[] = [];
  #map: Map<string, number> | undefined;
  #mapped = 0;

  get(uid: string): number | undefined {
    const map = (this.#map ??= new Map());
    for (; this.#mapped < this.uids.length; this.#mapped++) map.set(this.uids[this.#mapped]!, this.ids[this.#mapped]!);
    return map.get(uid);
  }
}

interface Recent {
  current: Generation;
  previous: Generation;
  /** The one stream that delivered every remembered event; null once a second one has. */
  only: string | null;
  /** The greatest `time` text remembered. */
  newest: string;
}

export class RecentUniqueIds {
  readonly #byWorkspace = new Map<string, Recent>();

  constructor(private readonly generation = 50_000) {}

  /** The entry that holds `uid` in the workspace, if it is recent; `time` is the event's `time` text. */
  known(workspaceId: string, uid: string, streamId: string, time: string): number | undefined {
    const r = this.#byWorkspace.get(workspaceId);
    if (!r || (r.only === streamId && time > r.newest)) return undefined;
    return r.current.get(uid) ?? r.previous.get(uid);
  }

  remember(workspaceId: string, uid: string, id: number, streamId: string, time: string): void {
    let r = this.#byWorkspace.get(workspaceId);
    if (!r) {
      r = { current: new Generation(), previous: new Generation(), only: streamId, newest: '' };
      this.#byWorkspace.set(workspaceId, r);
    }
    if (r.only !== streamId) r.only = null;
    if (time > r.newest) r.newest = time;
    r.current.uids.push(uid);
    r.current.ids.push(id);
    if (r.current.uids.length >= this.generation) {
      r.previous = r.current;
      r.current = new Generation();
    }
  }
}
