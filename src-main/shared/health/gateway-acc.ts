/**
 * One gateway's health, kept up to date entry by entry: its receptions (`gs.up.receive`) counted with
 * RSSI/SNR value counts and grouped by what they name (a device, a DevEUI or a DevAddr), so naming the
 * devices it heard costs its groups, not its receptions (a group is resolved once; only a DevAddr that
 * several devices had resolves reception by reception). Connects, status messages and downlink results
 * are counted; everything keeps its epoch so retention can drop it.
 */
import type { EventSummary } from '../domain/summary.js';
import { GwStat } from './device-acc.js';
import { ValueCounts } from './stats.js';
import type { Resolution } from './devaddr.js';
import { showsGateway } from './names.js';

export interface Reception {
  ms: number;
  epoch: number;
  rssi?: number;
  snr?: number;
  devAddr?: string;
  devEui?: string;
  dataRate?: string;
  /** The device, when the event names it (device streams' gs events do not; a resolver may). */
  deviceKey?: string;
}

/** Receptions that name the same device, DevEUI and DevAddr. */
export interface ReceptionGroup {
  deviceKey?: string;
  devEui?: string;
  devAddr?: string;
  /** Indexes into `receptions`. */
  idx: number[];
  stat: GwStat;
  /** The group's device as last resolved, and the resolver state it was resolved in. */
  resolved?: { version: number; key?: string; res?: Resolution };
}

interface Timed {
  ms: number;
  epoch: number;
}

export class GatewayAcc {
  receptions: Reception[] = [];
  groups = new Map<string, ReceptionGroup>();
  rssi = new ValueCounts();
  snr = new ValueCounts();
  connects: Timed[] = [];
  disconnects: Timed[] = [];
  status: (Timed & { metrics?: Record<string, number> })[] = [];
  downs: (Timed & { name: string; error?: string })[] = [];
  /** Downlink results counted by name (and failures by error). */
  downlinks = { sent: 0, txSuccess: 0, txFailed: 0, scheduleFailed: 0, errors: new Map<string, number>() };
  /** Per epoch its first event, and the last that showed the gateway there (`showsGateway`), if any. */
  epochs = new Map<number, { firstMs: number; lastMs: number; lastTime: string }>();

  constructor(readonly id: string) {}

  add(s: EventSummary, epoch: number): void {
    let e = this.epochs.get(epoch);
    if (!e) this.epochs.set(epoch, (e = { firstMs: s.ms, lastMs: -Infinity, lastTime: '' }));
    if (s.ms < e.firstMs) e.firstMs = s.ms;
    if (s.ms >= e.lastMs && showsGateway(s.name)) [e.lastMs, e.lastTime] = [s.ms, s.time];
    const t = { ms: s.ms, epoch };
    switch (s.name) {
      case 'gs.up.receive': {
        const r: Reception = t;
        if (s.rssi !== undefined) r.rssi = s.rssi;
        if (s.snr !== undefined) r.snr = s.snr;
        if (s.devAddr) r.devAddr = s.devAddr;
        if (s.devEui) r.devEui = s.devEui;
        if (s.dataRate) r.dataRate = s.dataRate;
        this.#reception(r);
        return;
      }
      case 'gs.gateway.connect':
        return void this.connects.push(t);
      case 'gs.gateway.disconnect':
        return void this.disconnects.push(t);
      case 'gs.status.receive':
        return void this.status.push(t);
      case 'gs.down.send':
      case 'gs.down.tx.success':
        return this.#down({ ...t, name: s.name });
      case 'gs.down.tx.fail':
      case 'gs.down.schedule.fail':
        return this.#down({ ...t, name: s.name, error: s.errorName ?? s.name });
    }
  }

  #down(d: GatewayAcc['downs'][number]): void {
    this.downs.push(d);
    const c = this.downlinks;
    if (d.name === 'gs.down.send') c.sent++;
    else if (d.name === 'gs.down.tx.success') c.txSuccess++;
    else if (d.name === 'gs.down.tx.fail') c.txFailed++;
    else c.scheduleFailed++;
    if (d.error) c.errors.set(d.error, (c.errors.get(d.error) ?? 0) + 1);
  }

  #reception(r: Reception): void {
    const at = this.receptions.push(r) - 1;
    if (r.rssi !== undefined) this.rssi.add(r.rssi);
    if (r.snr !== undefined) this.snr.add(r.snr);
    const key = `${r.deviceKey ?? ''}|${r.devEui ?? ''}|${r.devAddr ?? ''}`;
    let g = this.groups.get(key);
    if (!g) {
      g = { idx: [], stat: new GwStat() };
      if (r.deviceKey) g.deviceKey = r.deviceKey;
      if (r.devEui) g.devEui = r.devEui;
      if (r.devAddr) g.devAddr = r.devAddr;
      this.groups.set(key, g);
    }
    g.idx.push(at);
    g.stat.add(r.ms, r.rssi, r.snr);
  }

  /** Drop what came in epochs `keep` refuses; false when nothing of the gateway is left. */
  retain(keep: (epoch: number) => boolean): boolean {
    for (const epoch of [...this.epochs.keys()]) if (!keep(epoch)) this.epochs.delete(epoch);
    if (this.epochs.size === 0) return false;
    const kept = (x: Timed) => keep(x.epoch);
    this.connects = this.connects.filter(kept);
    this.disconnects = this.disconnects.filter(kept);
    this.status = this.status.filter(kept);
    const downs = this.downs.filter(kept);
    this.downs = [];
    this.downlinks = { sent: 0, txSuccess: 0, txFailed: 0, scheduleFailed: 0, errors: new Map() };
    for (const d of downs) this.#down(d);
    const old = this.receptions;
    this.receptions = [];
    this.groups = new Map();
    this.rssi = new ValueCounts();
    this.snr = new ValueCounts();
    for (const r of old) if (keep(r.epoch)) this.#reception(r);
    return true;
  }

  span(): { firstMs: number; lastMs: number; lastTime: string } {
    let out = { firstMs: Infinity, lastMs: -Infinity, lastTime: '' };
    for (const e of this.epochs.values()) {
      if (e.lastMs >= out.lastMs) out = { ...out, lastMs: e.lastMs, lastTime: e.lastTime };
      out.firstMs = Math.min(out.firstMs, e.firstMs);
    }
    return out;
  }
}
