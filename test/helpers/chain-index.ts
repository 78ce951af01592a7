/**
 * A map-backed chain source, built independently of main's index, so tests can check chains (and the
 * index's answers) against a second implementation.
 */
import { deviceKey, type ChainSource } from '../../src-main/shared/correlation/chain.js';
import type { EventSummary } from '../../src-main/shared/domain/summary.js';

export class ChainIndex implements ChainSource {
  readonly #byId = new Map<number, EventSummary>();
  readonly #byCorr = new Map<string, EventSummary[]>();
  readonly #joins: EventSummary[] = [];

  add(s: EventSummary): void {
    if (s.kind !== 'event') return;
    this.#byId.set(s.id, s);
    for (const id of new Set(s.correlationIds)) (this.#byCorr.get(id) ?? this.#byCorr.set(id, []).get(id)!).push(s);
    if (s.name.startsWith('js.join.') || s.name.startsWith('ns.up.join.')) this.#joins.push(s);
  }

  get(id: number): EventSummary | undefined {
    return this.#byId.get(id);
  }

  withCorrelationId(corrId: string, limit: number): readonly EventSummary[] {
    return (this.#byCorr.get(corrId) ?? []).slice(0, limit);
  }

  *joinEvents(key: string, fromMs: number, toMs: number): Iterable<EventSummary> {
    for (const s of this.#joins) if (deviceKey(s) === key && s.ms >= fromMs && s.ms <= toMs) yield s;
  }
}
