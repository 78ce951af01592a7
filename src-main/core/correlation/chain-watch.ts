/**
 * The chain on screen, pushed when it grows: the renderer names the event whose chain it shows; after
 * each batch of new entries, the chain is rebuilt from the postings only if one of them carries an ID
 * of the chain (or is a join event of its device), and pushed if it changed. No polling.
 */
import type { Chain } from '../../shared/correlation/chain.js';
import { deviceKey } from '../../shared/correlation/chain.js';
import type { EventSummary } from '../../shared/domain/summary.js';
import type { PushSink } from '../../shared/ipc/contract.js';
import { ok, type Result } from '../../shared/result.js';
import type { CaptureIndex } from '../capture/capture-index.js';
import type { ChainService } from './chain-service.js';

interface Watched {
  eventId: number;
  workspaceId: string;
  /** Every correlation ID and device of the chain's events: what a new member would share. */
  ids: Set<string>;
  devices: Set<string>;
  size: number;
}

export class ChainWatch {
  #watched: Watched | undefined;

  constructor(private readonly deps: { index: CaptureIndex; chains: ChainService; sink: PushSink }) {}

  watch(eventId: number | null): Result<void> {
    this.#watched = undefined;
    if (eventId === null) return ok(undefined);
    const chain = this.deps.chains.chain(eventId);
    if (!chain.ok) return chain;
    const owner = this.deps.index.ownerOf(eventId)!;
    this.#watched = { eventId, workspaceId: owner.workspaceId, ids: new Set(), devices: new Set(), size: 0 };
    this.#push(this.#watched, chain.value);
    return ok(undefined);
  }

  /** New entries of a workspace were pushed: does the watched chain grow? */
  onEntries(workspaceId: string, summaries: readonly EventSummary[]): void {
    const w = this.#watched;
    if (!w || w.workspaceId !== workspaceId) return;
    const joins = (s: EventSummary) =>
      (s.name.startsWith('js.join.') || s.name.startsWith('ns.up.join.')) && w.devices.has(deviceKey(s) ?? '');
    if (!summaries.some((s) => s.kind === 'event' && (s.correlationIds.some((c) => w.ids.has(c)) || joins(s)))) return;
    const chain = this.deps.chains.chain(w.eventId);
    if (chain.ok && chain.value.steps.length !== w.size) this.#push(w, chain.value);
  }

  #push(w: Watched, chain: Chain): void {
    w.size = chain.steps.length;
    for (const { event } of chain.steps) {
      for (const c of event.correlationIds) w.ids.add(c);
      const key = deviceKey(event);
      if (key) w.devices.add(key);
    }
    this.deps.sink.send('correlation:chain', { eventId: w.eventId, chain });
  }
}
