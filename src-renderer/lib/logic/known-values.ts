/**
 * Values seen in a view, for completing `device:`, `gateway:` … in the filter bar.
 */
import type { EventSummary } from '../../../src-main/shared/domain/summary';

export interface KnownValues {
  device: string[];
  app: string[];
  gateway: string[];
  dev_eui: string[];
  error: string[];
}

/** Looks at the newest `scan` entries only: what the user is looking at, in bounded time. */
export function knownValues(entries: readonly EventSummary[], limit = 200, scan = 5000): KnownValues {
  const device = new Set<string>();
  const app = new Set<string>();
  const gateway = new Set<string>();
  const devEui = new Set<string>();
  const error = new Set<string>();
  for (let i = entries.length - 1; i >= 0 && i >= entries.length - scan; i--) {
    const e = entries[i]!;
    if (e.entityKind === 'device' && device.size < limit) device.add(e.entity);
    if (e.application && app.size < limit) app.add(e.application);
    if (e.entityKind === 'gateway' && gateway.size < limit) gateway.add(e.entity);
    for (const g of e.gatewayIds ?? []) if (gateway.size < limit) gateway.add(g);
    if (e.devEui && devEui.size < limit) devEui.add(e.devEui);
    if (e.errorName && error.size < limit) error.add(e.errorName);
  }
  return {
    device: [...device].sort(),
    app: [...app].sort(),
    gateway: [...gateway].sort(),
    dev_eui: [...devEui].sort(),
    error: [...error].sort(),
  };
}

/** Ids of `dropped` that lead `visible` (both in time order), cut off after the view's capacity evicted them. */
export function dropLeading(visible: EventSummary[], dropped: readonly EventSummary[]): EventSummary[] {
  if (dropped.length === 0) return visible;
  const gone = new Set(dropped.map((d) => d.id));
  let cut = 0;
  while (cut < visible.length && gone.has(visible[cut]!.id)) cut++;
  return cut ? visible.slice(cut) : visible;
}
