/**
 * Device and gateway health from a capture, fed one entry at a time (`HealthBuilder.add`), so it runs
 * over the capture index's rows (a reusable row view) as well as over a file read by the CLI. Each
 * device and gateway keeps aggregates that entries update as they arrive (`device-acc.ts`,
 * `gateway-acc.ts`): asking for every device's health costs the devices, gateways and reception groups,
 * not the events, so the window's whole-capture lists stay cheap while a capture grows. Entries carry
 * an epoch (the index's segment) so retention can drop them again (`retain`).
 *
 * A gateway's uplinks are its `gs.up.receive` events (one per reception); a capture without them falls
 * back to the device events that name the gateway (`gateway-health.ts` assembles a gateway from either).
 * Which device events count is in `names.ts`.
 */
import type { EventSummary } from '../domain/summary.js';
import { receivers } from '../domain/reception.js';
import { DevAddrResolver, type Resolution } from './devaddr.js';
import { cmp, DeviceAcc, GwStat, statOf, type UplinkRecord } from './device-acc.js';
import type { GapWindow } from './frames.js';
import { GatewayAcc, type Reception, type ReceptionGroup } from './gateway-acc.js';
import { gatewayHealth, gatewaySeries, type NamedUplinks, type ResolveGroup } from './gateway-health.js';
import type {
  DeviceHealth,
  DeviceSeries,
  GatewayHealth,
  GatewayReading,
  GatewaySeries,
  HealthScope,
} from './health-types.js';
import { chosen, JOIN_ACCEPT_RANK } from './names.js';
import { deviceTimeline, sortSeries, type Perceived } from './series.js';

export type * from './health-types.js';
export { UPLINK_RANK, JOIN_REQUEST_RANK, JOIN_ACCEPT_RANK } from './names.js';

export class HealthBuilder {
  readonly resolver = new DevAddrResolver();
  readonly #devices = new Map<string, DeviceAcc>();
  readonly #gateways = new Map<string, GatewayAcc>();
  readonly #gaps: GapWindow[] = [];
  /** DevEUI → device, for join-requests a gateway heard (they name the DevEUI, not the device). */
  readonly #byEui = new Map<string, string>();
  #euiVersion = 0;
  /** Tag of the entries added next (the capture index's segment): `retain` drops entries by it. */
  epoch = 0;
  /** Bumped by every entry: per-device reception totals are recomputed only after a change. */
  #version = 0;
  #received: { version: number; map: Map<string, Map<string, GwStat>> } | undefined;

  constructor(private readonly scope: HealthScope = {}) {}

  addGap(gap: GapWindow): void {
    this.#gaps.push(gap);
  }

  /** Replace the gap windows (a builder fed incrementally learns of new gaps as the capture grows). */
  setGaps(gaps: readonly GapWindow[]): void {
    this.#gaps.length = 0;
    this.#gaps.push(...gaps);
  }

  get gaps(): readonly GapWindow[] {
    return this.#gaps;
  }

  /**
   * Add one entry. `readings` are the per-gateway RSSI/SNR of its uplink when the caller has the full
   * event (the summary keeps only the best of any gateway).
   */
  add(s: EventSummary, readings?: readonly GatewayReading[]): void {
    if (s.kind !== 'event') return;
    this.#version++;
    if (s.entityKind === 'device') {
      this.learn(s);
      const key = `${s.application ?? ''}/${s.entity}`;
      if (this.scope.deviceKey !== undefined && key !== this.scope.deviceKey && !this.scope.gatewayId) return;
      let d = this.#devices.get(key);
      if (!d) this.#devices.set(key, (d = new DeviceAcc(key, s.entity, s.application ?? '')));
      d.add(s, readings, this.epoch);
      if (!s.simulated && (s.gatewayIds?.length || readings?.length))
        this.#noteNamed(d, receivers(s.gatewayIds) ?? [], readings);
      return;
    }
    if (s.entityKind !== 'gateway') return;
    const id = s.entity;
    // A device panel still needs the receptions of other gateways (they carry its per-gateway RSSI).
    if (this.scope.gatewayId !== undefined && id !== this.scope.gatewayId)
      if (!(this.scope.deviceKey !== undefined && s.name === 'gs.up.receive')) return;
    let g = this.#gateways.get(id);
    if (!g) this.#gateways.set(id, (g = new GatewayAcc(id)));
    g.add(s, this.epoch);
  }

  /** Learn DevAddr and DevEUI bindings from a device event without counting it (a gateway panel over part of a capture). */
  learn(s: EventSummary): void {
    if (s.kind !== 'event' || s.entityKind !== 'device') return;
    this.#version++;
    this.resolver.learn(s);
    const eui = s.devEui?.toUpperCase();
    if (eui && !this.#byEui.has(eui)) {
      this.#byEui.set(eui, `${s.application ?? ''}/${s.entity}`);
      this.#euiVersion++;
    }
  }

  /** Attach a gateway status message's metrics (`gs.status.receive` data.metrics), read from the full event. */
  addStatusMetrics(gatewayId: string, ms: number, metrics: Record<string, number>): void {
    const hit = this.#gateways.get(gatewayId)?.status.find((x) => x.ms === ms && !x.metrics);
    if (hit) hit.metrics = metrics;
  }

  /** Forget the entries of epochs `keep` refuses (retention removed their segment). Costs the entries kept in aggregates. */
  retain(keep: (epoch: number) => boolean): void {
    this.#version++;
    for (const [key, d] of this.#devices) if (!d.retain(keep)) this.#devices.delete(key);
    for (const [id, set] of this.#namedBy) {
      for (const d of set) if (!this.#devices.has(d.key) || !d.counted()[1]?.named.has(id)) set.delete(d);
      if (set.size === 0) this.#namedBy.delete(id);
    }
    for (const [id, g] of this.#gateways) if (!g.retain(keep)) this.#gateways.delete(id);
  }

  #resolve(r: Pick<Reception, 'deviceKey' | 'devEui' | 'devAddr'>, ms: number): { key?: string; res?: Resolution } {
    if (r.deviceKey) return { key: r.deviceKey };
    if (r.devEui) {
      const k = this.#byEui.get(r.devEui.toUpperCase());
      if (k) return { key: k };
    }
    if (r.devAddr) {
      const res = this.resolver.resolve(r.devAddr, ms);
      if (res) return { key: res.deviceKey, res };
    }
    return {};
  }

  /**
   * A reception group's receptions by the device they resolve to: the whole group at once unless its
   * DevAddr belonged to several devices in the capture (then reception by reception).
   */
  #resolveGroup(
    g: GatewayAcc,
    group: ReceptionGroup,
    visit: (key: string | undefined, res: Resolution | undefined, n: number, rs: Reception[] | undefined) => void,
  ): void {
    // The resolver and the DevEUI map only grow: a group resolved in the same state resolves the same.
    const version = this.resolver.version + this.#euiVersion;
    const known = group.resolved;
    if (known?.version === version) return visit(known.key, known.res, group.stat.n, undefined);
    const mixed = !group.deviceKey && group.devAddr && this.resolver.bindingsOf(group.devAddr) > 1;
    if (!mixed || (group.devEui && this.#byEui.has(group.devEui.toUpperCase()))) {
      const { key, res } = this.#resolve(group, g.receptions[group.idx[0]!]!.ms);
      group.resolved = { version, ...(key ? { key } : {}), ...(res ? { res } : {}) };
      return visit(key, res, group.stat.n, undefined);
    }
    for (const i of group.idx) {
      const r = g.receptions[i]!;
      const { key, res } = this.#resolve(r, r.ms);
      visit(key, res, 1, [r]);
    }
  }

  /** `#resolveGroup` for the gateway health built outside the class (`gateway-health.ts`). */
  readonly #resolveGroupFn: ResolveGroup = (g, group, visit) => this.#resolveGroup(g, group, visit);

  /** Every device's receptions by gateway, through the resolver (once per change of the capture). */
  #receivedByDevice(): Map<string, Map<string, GwStat>> {
    if (this.#received?.version === this.#version) return this.#received.map;
    const out = new Map<string, Map<string, GwStat>>();
    for (const g of this.#gateways.values()) {
      for (const group of g.groups.values()) {
        this.#resolveGroup(g, group, (key, _res, _n, rs) => {
          if (!key) return;
          const per = out.get(key) ?? out.set(key, new Map()).get(key)!;
          if (!rs) statOf(per, g.id).addAll(group.stat);
          else for (const r of rs) statOf(per, g.id).add(r.ms, r.rssi, r.snr);
        });
      }
    }
    this.#received = { version: this.#version, map: out };
    return out;
  }

  /**
   * Every device seen, most recently seen first. `brief` (the window's whole-capture list) leaves out each
   * device's per-gateway rows, which its panel shows: the rest costs the devices, not their receptions.
   */
  devices(brief = false): DeviceHealth[] {
    const received = brief ? undefined : this.#receivedByDevice();
    return [...this.#devices.values()]
      .map((d) => d.health(this.#gaps, received?.get(d.key), brief))
      .sort((a, b) => b.lastMs - a.lastMs || cmp(a.deviceKey, b.deviceKey));
  }

  /** One device with its time series (`maxBuckets` for the uplinks-over-time timeline). */
  device(key: string, maxBuckets = 200): { health: DeviceHealth; series: DeviceSeries } | undefined {
    const d = this.#devices.get(key);
    if (!d) return undefined;
    const health = d.health(this.#gaps, this.#receivedByDevice().get(key));
    const records = [...(d.counted()[1]?.records ?? [])].sort((a, b) => a.ms - b.ms);
    const accepts = chosen(d.times, JOIN_ACCEPT_RANK, (t) => t.length > 0)[1]?.map((t) => t.ms) ?? [];
    const { uplinks, timeline } = deviceTimeline(records, health, this.#gaps, maxBuckets);
    const perGateway = [...this.#perGatewaySeries(key, records).entries()]
      .map(([gatewayId, v]) => ({ gatewayId, ...v }))
      .sort((a, b) => b.ms.length - a.ms.length || cmp(a.gatewayId, b.gatewayId));
    return { health, series: { uplinks, perGateway, timeline, joins: accepts, holes: health.frames.holes } };
  }

  /**
   * Each gateway's readings of the device over time, from the best source the capture has (the same
   * choice as its health): per-gateway readings of the full events; else the gateways' own receptions
   * resolved to this device; else events that one gateway alone received.
   */
  #perGatewaySeries(key: string, records: readonly UplinkRecord[]): Map<string, Perceived> {
    const out = new Map<string, Perceived>();
    const put = (gatewayId: string, ms: number, rssi: number | undefined, snr: number | undefined) => {
      const v = out.get(gatewayId) ?? out.set(gatewayId, { ms: [], rssi: [], snr: [] }).get(gatewayId)!;
      v.ms.push(ms);
      v.rssi.push(rssi ?? null);
      v.snr.push(snr ?? null);
    };
    if (records.some((r) => r.readings)) {
      for (const r of records) {
        if (r.readings) for (const x of r.readings) put(x.gatewayId, r.ms, x.rssi, x.snr);
        else if (r.gatewayIds?.length === 1 && (r.gateways ?? 1) === 1) put(r.gatewayIds[0]!, r.ms, r.rssi, r.snr);
      }
      return out;
    }
    for (const g of this.#gateways.values())
      for (const group of g.groups.values())
        this.#resolveGroup(g, group, (k, _res, _n, rs) => {
          if (k !== key) return;
          for (const r of rs ?? group.idx.map((i) => g.receptions[i]!)) put(g.id, r.ms, r.rssi, r.snr);
        });
    for (const v of out.values()) sortSeries(v);
    if (out.size > 0) return out;
    for (const r of records) {
      if (r.gatewayIds?.length === 1 && (r.gateways ?? 1) === 1) put(r.gatewayIds[0]!, r.ms, r.rssi, r.snr);
      else for (const gid of r.gatewayIds ?? []) put(gid, r.ms, undefined, undefined);
    }
    return out;
  }

  /**
   * Devices whose uplinks name each gateway, kept as entries arrive: a gateway with receptions of its own
   * never needs them, so a list of such gateways does not walk every device.
   */
  #namedBy = new Map<string, Set<DeviceAcc>>();

  #noteNamed(d: DeviceAcc, gatewayIds: readonly string[], readings: readonly GatewayReading[] | undefined): void {
    for (const id of [...gatewayIds, ...(readings?.map((r) => r.gatewayId) ?? [])]) {
      const set = this.#namedBy.get(id) ?? this.#namedBy.set(id, new Set()).get(id)!;
      set.add(d);
    }
  }

  /** For gateways without receptions of their own (an application stream): each device's counted uplinks naming it. */
  #named(ids: Iterable<string>): Map<string, NamedUplinks[]> {
    const out = new Map<string, NamedUplinks[]>();
    for (const id of ids) {
      if (this.scope.gatewayId !== undefined && id !== this.scope.gatewayId) continue;
      if (this.#gateways.get(id)?.receptions.length) continue;
      for (const d of this.#namedBy.get(id) ?? []) {
        const stat = d.counted()[1]?.named.get(id);
        if (stat) (out.get(id) ?? out.set(id, []).get(id)!).push({ d, stat });
      }
    }
    return out;
  }

  /**
   * Every gateway seen (as an event's gateway or as a receiver named by device events), most uplinks
   * first. `brief` (the window's list) leaves out the list of devices each heard (its panel shows it).
   */
  gateways(brief = false): GatewayHealth[] {
    const named = this.#named(this.#namedBy.keys());
    const ids = new Set([...this.#gateways.keys(), ...named.keys()]);
    return [...ids]
      .map((id) => gatewayHealth(id, this.#gateways.get(id), named.get(id) ?? [], this.#resolveGroupFn, brief))
      .sort((a, b) => b.uplinks - a.uplinks || cmp(a.gatewayId, b.gatewayId));
  }

  /** One gateway with its series (uplinks per minute, or coarser buckets over a long capture). */
  gateway(id: string, maxBuckets = 240): { health: GatewayHealth; series: GatewaySeries } | undefined {
    const g = this.#gateways.get(id);
    const named = this.#named([id]).get(id) ?? [];
    if (!g && named.length === 0) return undefined;
    const health = gatewayHealth(id, g, named, this.#resolveGroupFn);
    return { health, series: gatewaySeries(id, g, named, health, maxBuckets) };
  }
}

/** Health of everything in `entries` (with the capture's gap windows), as the CLI report and lists need. */
export function computeHealth(
  entries: Iterable<EventSummary | { summary: EventSummary; readings?: readonly GatewayReading[] }>,
  gaps: readonly GapWindow[] = [],
): { devices: DeviceHealth[]; gateways: GatewayHealth[] } {
  const b = new HealthBuilder();
  for (const g of gaps) b.addGap(g);
  for (const e of entries) {
    if ('summary' in e) b.add(e.summary, e.readings);
    else b.add(e);
  }
  return { devices: b.devices(), gateways: b.gateways() };
}
