/**
 * Pushes new and changed entries to the renderer, per workspace: one batch about every 50 ms, never
 * more than `maxBatch` entries in one, and only once their lines are written to the capture files, so
 * the view never runs ahead of the file (a crash loses nothing the user has seen).
 *
 * What waits is mostly entry ids: at full speed the window's socket can fall behind the capture, and a
 * queue of summaries then held about 1 KB of objects per waiting event (260,000 of them, 250 MB, in the
 * harness at 1,000,000 events), a queue of ids holds 8 bytes each. The summary the append built is kept
 * with its id only while few are waiting (`maxCached`): building it again from the index cost about a
 * fifth of the client's time per event at full speed. Either way an entry changed meanwhile goes out
 * once, as it is then.
 */
import type { EventSummary } from '../../shared/domain/summary.js';
import type { PushSink } from '../../shared/ipc/contract.js';

/** A workspace's waiting ids, oldest first, read from `head` (no copy of the rest per batch). */
interface Queue {
  ids: number[];
  /** The summary the append built, by position in `ids`; a hole when too many were waiting. */
  summaries: (EventSummary | undefined)[];
  head: number;
}

export class LiveFeed {
  #queues = new Map<string, Queue>();
  /** Summaries held in the queues. */
  #cached = 0;
  #timer: NodeJS.Timeout | undefined;
  #disposed = false;
  /** Called after each push round with what was sent (e.g. to refresh watched chains). */
  onSent: (workspaceId: string, summaries: readonly EventSummary[]) => void = () => undefined;

  constructor(
    private readonly sink: PushSink,
    /** Resolves when every entry added so far is written to its file. */
    private readonly written: () => Promise<void>,
    /** An entry's summary as the index has it now (undefined: retention removed it meanwhile). */
    private readonly summaryOf: (id: number) => EventSummary | undefined,
    private readonly intervalMs = 50,
    private readonly maxBatch = 5_000,
    /** Whether the index still holds an entry (retention may remove one before its batch goes out). */
    private readonly exists: (id: number) => boolean = (id) => summaryOf(id) !== undefined,
    // About a push interval of full-speed ingest (50 ms at 60,000 ev/s): ~4 MB held, not 20 as with 20,000.
    private readonly maxCached = 4_096,
  ) {}

  /**
   * A new entry, or one that changed (another stream delivered the same event), with its summary as it
   * is now when the caller has it at hand.
   */
  add(workspaceId: string, id: number, summary?: EventSummary): void {
    let q = this.#queues.get(workspaceId);
    if (!q) this.#queues.set(workspaceId, (q = { ids: [], summaries: [], head: 0 }));
    q.ids.push(id);
    const hold = summary !== undefined && this.#cached < this.maxCached;
    q.summaries.push(hold ? summary : undefined);
    if (hold) this.#cached++;
    this.#timer ??= setTimeout(() => void this.#flush(), this.intervalMs);
  }

  /** Entries waiting to be pushed, over all workspaces. */
  get waiting(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.ids.length - q.head;
    return n;
  }

  async #flush(): Promise<void> {
    const taken = new Map<string, { ids: number[]; summaries: (EventSummary | undefined)[] }>();
    for (const [ws, q] of this.#queues) {
      const end = Math.min(q.ids.length, q.head + this.maxBatch);
      const summaries = q.summaries.slice(q.head, end);
      for (let i = q.head; i < end; i++) {
        if (q.summaries[i]) this.#cached--;
        q.summaries[i] = undefined;
      }
      taken.set(ws, { ids: q.ids.slice(q.head, end), summaries });
      q.head = end;
      if (q.head === q.ids.length) this.#queues.delete(ws);
      else if (q.head > 65_536 && q.head * 2 > q.ids.length) {
        // Give back what was read once it is most of the array.
        q.ids = q.ids.slice(q.head);
        q.summaries = q.summaries.slice(q.head);
        q.head = 0;
      }
    }
    await this.written();
    this.#timer = undefined;
    if (this.#disposed) return;
    for (const [workspaceId, batch] of taken) {
      // An entry queued twice (it changed) goes out once, at its first place, as its newest summary says.
      const seen = new Set<number>();
      let changed: Map<number, number> | undefined;
      batch.ids.forEach((id, i) => {
        if (seen.has(id)) (changed ??= new Map()).set(id, i);
        else seen.add(id);
      });
      seen.clear();
      const summaries: EventSummary[] = [];
      batch.ids.forEach((id, i) => {
        if (seen.has(id)) return;
        seen.add(id);
        const held = batch.summaries[changed?.get(id) ?? i];
        const s = held && this.exists(id) ? held : this.summaryOf(id);
        if (s) summaries.push(s);
      });
      if (summaries.length === 0) continue;
      this.sink.send('events:batch', { workspaceId, summaries });
      this.onSent(workspaceId, summaries);
    }
    if (this.#queues.size > 0) this.#timer = setTimeout(() => void this.#flush(), this.intervalMs);
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queues.clear();
    this.#cached = 0;
  }
}
