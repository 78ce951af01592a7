/**
 * Chain lookups from the capture index's postings: the entries of one correlation ID, and a device's
 * join events in a time window, are walks through the link columns of the workspace's segments. One
 * source serves one chain: it keeps the summaries it built.
 */
import type { ChainSource } from '../../shared/correlation/chain.js';
import type { EventSummary } from '../../shared/domain/summary.js';
import type { CaptureIndex } from '../capture/capture-index.js';
import type { Segment } from '../capture/segment.js';

const isJoin = (name: string) => name.startsWith('ns.up.join.') || name.startsWith('js.join.');

export class IndexChainSource implements ChainSource {
  /**
   * Summaries built so far (a source lives for one chain): most events carry several of the chain's IDs,
   * so each walk would otherwise build the same summaries again.
   */
  readonly #built = new Map<number, EventSummary>();

  constructor(
    private readonly index: CaptureIndex,
    readonly workspaceId: string,
  ) {}

  #segments() {
    return this.index.segmentsOf(this.workspaceId, ['stream', 'import', 'backfill']);
  }

  get(id: number): EventSummary | undefined {
    return this.index.ownerOf(id)?.workspaceId === this.workspaceId ? this.index.get(id) : undefined;
  }

  #summary(segment: Segment, row: number): EventSummary {
    const id = segment.base + row;
    let s = this.#built.get(id);
    if (!s) this.#built.set(id, (s = segment.summary(row)));
    return s;
  }

  /** Events carrying this correlation ID, at most `limit` of them. */
  withCorrelationId(corrId: string, limit: number): readonly EventSummary[] {
    const out: EventSummary[] = [];
    for (const segment of this.#segments()) {
      segment.withCorrelationId(corrId, (row) => {
        if (segment.isStatus(row)) return true;
        out.push(this.#summary(segment, row));
        return out.length < limit;
      });
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Join events (ns.up.join.*, js.join.*) of one device (`application/device`) between two times. */
  *joinEvents(deviceKey: string, fromMs: number, toMs: number): Iterable<EventSummary> {
    for (const segment of this.#segments()) {
      const rows: number[] = [];
      segment.withDevice(deviceKey, (row) => {
        const ms = segment.ms(row);
        if (ms >= fromMs && ms <= toMs && !segment.isStatus(row) && isJoin(segment.name(row))) rows.push(row);
      });
      for (const row of rows) yield this.#summary(segment, row);
    }
  }
}
