/**
 * Coalesces new capture entries into batches for the renderer: one push about every 50 ms,
 * never more than `maxBatch` entries in one, never one push per event.
 */
import type { EventSummary } from '../../shared/domain/summary.js';
import type { PushSink } from '../../shared/ipc/contract.js';

export class EventBatcher {
  #queue: EventSummary[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly sink: PushSink, private readonly intervalMs = 50, private readonly maxBatch = 5_000) {}

  add(summary: EventSummary): void {
    this.#queue.push(summary);
    this.#timer ??= setTimeout(() => this.#flush(), this.intervalMs);
  }

  #flush(): void {
    this.#timer = undefined;
    if (this.#queue.length === 0) return;
    const batch = this.#queue.length <= this.maxBatch ? this.#queue : this.#queue.slice(0, this.maxBatch);
    this.#queue = this.#queue.length <= this.maxBatch ? [] : this.#queue.slice(this.maxBatch);
    this.sink.send('events:batch', { summaries: batch });
    if (this.#queue.length > 0) this.#timer = setTimeout(() => this.#flush(), this.intervalMs);
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue = [];
  }
}
