/**
 * A map-backed chain source, built independently of main's one-pass scan (`scanSource`), so tests can
 * check the scan against a second implementation.
 */
import { isLinkingId, matchesJoinProbe, type ChainSource, type JoinProbe } from '../../src-main/shared/correlation/chain.js';
import type { EventSummary } from '../../src-main/shared/domain/summary.js';

export class ChainIndex implements ChainSource {
  readonly #byId = new Map<number, EventSummary>();
  readonly #byCorr = new Map<string, EventSummary[]>();
  readonly #joins: EventSummary[] = [];

  add(s: EventSummary): void {
    if (s.kind !== 'event') return;
    this.#byId.set(s.id, s);
    for (const id of s.correlationIds) if (isLinkingId(id)) (this.#byCorr.get(id) ?? this.#byCorr.set(id, []).get(id)!).push(s);
    if (s.name.startsWith('js.join.') || s.name.startsWith('ns.up.join.')) this.#joins.push(s);
  }

  get(id: number): EventSummary | undefined {
    return this.#byId.get(id);
  }

  *find(ids: ReadonlySet<string>, joins: readonly JoinProbe[]): Iterable<EventSummary> {
    for (const id of ids) yield* this.#byCorr.get(id) ?? [];
    for (const s of this.#joins) if (matchesJoinProbe(s, joins)) yield s;
  }
}
