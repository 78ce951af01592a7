/**
 * Pushes new and changed entries to the renderer, per workspace: one batch about every 50 ms, never
 * more than `maxBatch` entries in one, and only once their lines are written to the capture files, so
 * the view never runs ahead of the file (a crash loses nothing the user has seen).
 */
import type { EventSummary } from '../../shared/domain/summary.js';
import type { PushSink } from '../../shared/ipc/contract.js';

export class LiveFeed {
  #queues = new Map<string, EventSummary[]>();
  #timer: NodeJS.Timeout | undefined;
  #disposed = false;
  /** Called after each push round with what was sent (e.g. to refresh watched chains). */
  onSent: (workspaceId: string, summaries: readonly EventSummary[]) => void = () => undefined;

  constructor(
    private readonly sink: PushSink,
    /** Resolves when every entry added so far is written to its file. */
    private readonly written: () => Promise<void>,
    private readonly intervalMs = 50,
    private readonly maxBatch = 5_000,
  ) {}

  add(workspaceId: string, summary: EventSummary): void {
    let q = this.#queues.get(workspaceId);
    if (!q) this.#queues.set(workspaceId, (q = []));
    q.push(summary);
    this.#timer ??= setTimeout(() => void this.#flush(), this.intervalMs);
  }

  async #flush(): Promise<void> {
    const taken = new Map<string, EventSummary[]>();
    for (const [ws, q] of this.#queues) {
      taken.set(ws, q.length <= this.maxBatch ? q : q.slice(0, this.maxBatch));
      if (q.length <= this.maxBatch) this.#queues.delete(ws);
      else this.#queues.set(ws, q.slice(this.maxBatch));
    }
    await this.written();
    this.#timer = undefined;
    if (this.#disposed) return;
    for (const [workspaceId, summaries] of taken) {
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
  }
}
