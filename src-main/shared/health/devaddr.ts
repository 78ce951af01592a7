/**
 * DevAddr → device: a gateway's uplink names only the DevAddr (the gateway server cannot know the
 * device). Whenever the capture sees a DevAddr together with a device ID (a join-accept, an NS or AS
 * event of the device), that binding is learned, with the time it was learned. A DevAddr is reassigned
 * at every join, so a lookup takes the binding that was current at the uplink's time.
 */
import type { EventSummary } from '../domain/summary.js';

export interface DevAddrBinding {
  devAddr: string;
  /** `application/device`. */
  deviceKey: string;
  deviceId: string;
  applicationId: string;
  devEui?: string;
  /** When the capture first showed this DevAddr with this device, and by which event. */
  learnedMs: number;
  learnedFrom: string;
}

export interface Resolution extends DevAddrBinding {
  /** The binding was learned only after the uplink (the join happened before the capture began). */
  learnedLater: boolean;
}

export class DevAddrResolver {
  /** Per DevAddr, bindings in the order their device first appeared with it. */
  readonly #bindings = new Map<string, DevAddrBinding[]>();
  /** Bumped whenever a lookup could answer differently (a new binding, or one learned earlier): callers cache by it. */
  version = 0;

  /** Learn from one event: any event of a device that names a DevAddr. */
  learn(s: Pick<EventSummary, 'entityKind' | 'entity' | 'application' | 'devAddr' | 'devEui' | 'ms' | 'name'>): void {
    if (s.entityKind !== 'device' || !s.devAddr) return;
    const key = `${s.application ?? ''}/${s.entity}`;
    const addr = s.devAddr.toUpperCase();
    const list = this.#bindings.get(addr) ?? this.#bindings.set(addr, []).get(addr)!;
    const known = list.find((b) => b.deviceKey === key);
    if (known) {
      if (s.ms < known.learnedMs) {
        Object.assign(known, { learnedMs: s.ms, learnedFrom: s.name });
        this.version++;
      }
      if (!known.devEui && s.devEui) known.devEui = s.devEui;
      return;
    }
    const b: DevAddrBinding = {
      devAddr: addr,
      deviceKey: key,
      deviceId: s.entity,
      applicationId: s.application ?? '',
      learnedMs: s.ms,
      learnedFrom: s.name,
    };
    if (s.devEui) b.devEui = s.devEui;
    list.push(b);
    this.version++;
  }

  /** The device that had `devAddr` at `ms`: the latest binding learned by then, else the earliest one learned later. */
  resolve(devAddr: string, ms: number): Resolution | undefined {
    const list = this.#bindings.get(devAddr.toUpperCase());
    if (!list || list.length === 0) return undefined;
    let best: DevAddrBinding | undefined;
    for (const b of list) if (b.learnedMs <= ms && (!best || b.learnedMs > best.learnedMs)) best = b;
    if (best) return { ...best, learnedLater: false };
    let later = list[0]!;
    for (const b of list) if (b.learnedMs < later.learnedMs) later = b;
    return { ...later, learnedLater: true };
  }

  /** How many devices the capture showed with `devAddr` (more than one: resolve each uplink by its time). */
  bindingsOf(devAddr: string): number {
    return this.#bindings.get(devAddr.toUpperCase())?.length ?? 0;
  }

  /** Every binding learned, for listing. */
  all(): DevAddrBinding[] {
    return [...this.#bindings.values()].flat();
  }
}
