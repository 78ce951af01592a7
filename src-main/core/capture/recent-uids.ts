/**
 * Recent `unique_id` → entry id, per workspace, in bounded memory: the same event delivered by a second
 * stream of the workspace (an application and one of its devices) becomes one entry, and after a
 * restart the reopened capture's newest ids are remembered so a replay does not store them again.
 *
 * Two generations per workspace: when the current one is full it becomes the previous one. Streams of
 * one workspace deliver the same event within seconds of each other; 50,000 ids is minutes at full speed.
 */
export class RecentUniqueIds {
  readonly #byWorkspace = new Map<string, { current: Map<string, number>; previous: Map<string, number> }>();

  constructor(private readonly generation = 50_000) {}

  /** The entry that holds `uid` in the workspace, if it is recent. */
  known(workspaceId: string, uid: string): number | undefined {
    const r = this.#byWorkspace.get(workspaceId);
    return r?.current.get(uid) ?? r?.previous.get(uid);
  }

  remember(workspaceId: string, uid: string, id: number): void {
    let r = this.#byWorkspace.get(workspaceId);
    if (!r) this.#byWorkspace.set(workspaceId, (r = { current: new Map(), previous: new Map() }));
    r.current.set(uid, id);
    if (r.current.size >= this.generation) {
      r.previous = r.current;
      r.current = new Map();
    }
  }
}
