/**
 * The built-in stack's event store (TTS's Redis store, `events.redis.store`): the last events per entity
 * for streams that ask for history (`after`, `tail`) and for FindRelated. Off unless enabled, like TTS.
 */
import { entityKey } from './request.js';
import type { StackEvent } from './scenario.js';

export interface StoreOptions {
  enabled: boolean;
  /** Events kept per entity (TTS `entity-count`, default 100). */
  entityCount?: number;
  /**
   * How long full payloads are kept (TTS `events.redis.store.ttl`, 10 min by default; unset here = for
   * ever). Older history comes back sparse: the envelope without `data`, as the Redis store returns it.
   */
  payloadTtlMs?: number;
}

export class StackHistory {
  #options: StoreOptions & { entityCount: number };
  readonly #lists = new Map<string, StackEvent[]>();

  constructor(
    options: StoreOptions | undefined,
    private readonly clock: () => number,
  ) {
    this.#options = { ...options, enabled: options?.enabled ?? false, entityCount: options?.entityCount ?? 100 };
  }

  get enabled(): boolean {
    return this.#options.enabled;
  }

  /** New settings; turning the store off forgets what it held. */
  configure(options: StoreOptions): void {
    this.#options = { ...options, entityCount: options.entityCount ?? this.#options.entityCount };
    if (!options.enabled) this.#lists.clear();
  }

  /** Keep a published event under its entity (and a propagating device event under its application too). */
  record(ev: StackEvent): void {
    if (!this.#options.enabled) return;
    this.#remember(entityKey(ev.entity.kind, ev.entity.id, ev.entity.application), ev);
    if (ev.entity.kind === 'device' && ev.propagates) this.#remember(`application:${ev.entity.application ?? ''}`, ev);
  }

  #remember(key: string, ev: StackEvent): void {
    let list = this.#lists.get(key);
    if (!list) this.#lists.set(key, (list = []));
    list.push(ev);
    // Trim in steps, like Redis' approximate MAXLEN ~.
    const keep = this.#options.entityCount;
    if (list.length > keep * 1.5) list.splice(0, list.length - keep);
  }

  /** An entity's stored events after `afterMs` (all when absent or unreadable), the last `tail` of them. */
  replay(key: string, afterMs: number | undefined, tail: number | undefined): StackEvent[] {
    let list = (this.#lists.get(key) ?? []).filter(
      (ev) => afterMs === undefined || Number.isNaN(afterMs) || ev.ms > afterMs,
    );
    if (tail !== undefined && tail > 0) list = list.slice(-tail);
    return list;
  }

  /** Stored events that name a correlation ID, each once (FindRelated). */
  related(correlationId: string): StackEvent[] {
    const needle = `"${correlationId}"`;
    const seen = new Set<string>();
    const found: StackEvent[] = [];
    for (const list of this.#lists.values())
      for (const ev of list) {
        if (seen.has(ev.uniqueId) || !ev.json.includes(needle)) continue;
        seen.add(ev.uniqueId);
        found.push(ev);
      }
    return found;
  }

  /** A stored event as history returns it: whole while its payload lives, its envelope after. */
  stored(ev: StackEvent): string {
    const ttl = this.#options.payloadTtlMs;
    if (ttl === undefined || this.clock() - ev.ms <= ttl) return ev.json;
    const { data: _data, ...sparse } = JSON.parse(ev.json) as Record<string, unknown>;
    return JSON.stringify(sparse);
  }
}
