/**
 * Correlation chains over the capture index, and backfill: asking the server's events store
 * (`GET /api/v3/events/related`) for the members of a chain the streams did not deliver. Backfilled
 * events are kept in memory, apart from the captures, and marked.
 */
import { analyzeChain, collectChain, isLinkingId, type Chain } from '../../shared/correlation/chain.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { TtsEvent } from '../../shared/tts/types.js';
import type { CaptureIndex } from '../capture/capture-index.js';
import type { ResolveEndpoint } from '../services/stream-manager.js';
import { getJson } from '../stream/http-get.js';
import { IndexChainSource } from './index-chain-source.js';

export interface ChainDeps {
  index: CaptureIndex;
  resolve: ResolveEndpoint;
  /** The server profile a stream reads from (backfill asks the same server). */
  profileOf: (streamId: string) => string | undefined;
}

export class ChainService {
  constructor(private readonly deps: ChainDeps) {}

  #collect(id: number, workspaceId: string) {
    return collectChain(id, new IndexChainSource(this.deps.index, workspaceId));
  }

  chain(id: number): Result<Chain> {
    const owner = this.deps.index.ownerOf(id);
    const start = this.deps.index.get(id);
    if (!owner || !start) return err('not-found', `Event ${id} is not in any open capture.`);
    if (start.kind !== 'event') return err('invalid-input', 'Status entries belong to no correlation chain.');
    const { events, truncated, unlinked } = this.#collect(id, owner.workspaceId);
    return ok(analyzeChain(events, truncated, unlinked));
  }

  /** Ids of the captured (not backfilled) events of an event's chain, for exporting one chain. */
  chainIds(id: number): Result<number[]> {
    const r = this.chain(id);
    return r.ok ? ok(r.value.steps.filter((s) => !s.event.backfilled).map((s) => s.event.id)) : r;
  }

  /** Ask the server for the rest of an event's chain, one request per linking ID (at most 8). */
  async backfill(id: number): Promise<Result<Chain>> {
    const index = this.deps.index;
    const owner = index.ownerOf(id);
    const profileId = owner && this.deps.profileOf(owner.streamId);
    if (!owner || !profileId) return err('not-found', `Event ${id} is not in any open capture.`);
    const before = this.#collect(id, owner.workspaceId);
    const ids = [...new Set(before.events.flatMap((e) => e.correlationIds).filter(isLinkingId))].slice(0, 8);
    if (ids.length === 0) return err('invalid-input', 'This event carries no correlation ID to look up.');
    const endpoint = await this.deps.resolve(profileId);
    if (!endpoint.ok) return endpoint;
    const store = `backfill-${owner.workspaceId}`;
    if (index.segmentsOf(owner.workspaceId, ['backfill']).length === 0)
      await index.open(store, owner.workspaceId, 'backfill');
    const known = new Set(before.events.map((e) => `${e.name}|${e.time}`));
    for (const s of index.segmentsOf(owner.workspaceId, ['backfill']))
      for (let r = 0; r < s.rows; r++) known.add(`${s.name(r)}|${s.time(r)}`);
    for (const cid of ids) {
      for (const url of endpoint.value.urls) {
        const r = await getJson({
          baseUrl: url,
          path: `/api/v3/events/related?correlation_id=${encodeURIComponent(cid)}`,
          apiKey: endpoint.value.apiKey,
          ...(endpoint.value.ca ? { ca: endpoint.value.ca } : {}),
        });
        if (!r.ok) {
          if (/storage/i.test(r.error.detail ?? ''))
            return err(
              'not-found',
              'The server keeps no event history (its events store is off), so there is nothing to backfill from.',
              r.error.detail,
            );
          return r;
        }
        const list = (r.value as { events?: unknown }).events;
        for (const ev of Array.isArray(list) ? list : []) {
          const event = ev as TtsEvent;
          if (typeof event?.name !== 'string' || typeof event.time !== 'string') continue;
          const key = `${event.name}|${event.time}`;
          if (known.has(key)) continue;
          known.add(key);
          index.appendEvent(store, JSON.stringify(event), event, { backfilled: true });
        }
      }
    }
    const { events, truncated, unlinked } = this.#collect(id, owner.workspaceId);
    return ok(analyzeChain(events, truncated, unlinked));
  }
}
