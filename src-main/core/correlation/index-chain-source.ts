/**
 * Chain lookups from the capture index's postings: the entries of one correlation ID, and a device's
 * join events in a time window, are walks through the link columns of the workspace's segments.
 */
import type { ChainSource } from '../../shared/correlation/chain.js';
import type { EventSummary } from '../../shared/domain/summary.js';
import type { CaptureIndex } from '../capture/capture-index.js';

const isJoin = (name: string) => name.startsWith('ns.up.join.') || name.startsWith('js.join.');

export class IndexChainSource implements ChainSource {
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

  /** Events carrying this correlation ID, at most `limit` of them. */
  withCorrelationId(corrId: string, limit: number): readonly EventSummary[] {
    const out: EventSummary[] = [];
    for (const segment of this.#segments()) {
      segment.withCorrelationId(corrId, (row) => {
        if (segment.isStatus(row)) return true;
        out.push(segment.summary(row));
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
      for (const row of rows) yield segment.summary(row);
    }
  }
}
