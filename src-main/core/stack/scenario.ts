/**
 * A deterministic LoRaWAN fleet: devices join, send uplinks through one or more gateways, receive
 * downlinks, gateways connect and report status, registry edits and errors happen.
 *
 * Deterministic under a seed; the clock is a parameter.
 */
import { seededRandom, ulid, type Random } from '../../shared/ids.js';
import { eventDefinition } from '../../shared/tts/catalog.js';
import type { EntityKind } from '../../shared/tts/types.js';
import { FLOWS, render, type EventTemplate, type FlowTemplate } from './templates.js';

/** An event as the stack keeps it: routing facts plus the JSON text it sends. */
export interface StackEvent {
  name: string;
  ms: number;
  time: string;
  uniqueId: string;
  entity: { kind: EntityKind; id: string; application?: string };
  rights: readonly string[];
  /** Whether a device event also reaches its application's subscriptions (PROTOCOL.md 1.4). */
  propagates: boolean;
  json: string;
}

export interface ScenarioOptions {
  applications?: number;
  devices?: number;
  gateways?: number;
  seed?: number;
  /**
   * `legacy`: correlation IDs as stacks before v3.28 wrote them (PROTOCOL.md 7.2): every component added
   * its own prefix, so uplink events also carry `gs:conn:` (per gateway connection), `gs:up:host:`
   * (per upstream host connection), `ns:uplink:` and `as:up:`. Default `current`.
   */
  correlation?: 'current' | 'legacy';
}

export type FlowKind = 'join' | 'uplink' | 'confirmed-uplink' | 'mac' | 'downlink' | 'gateway-connect' | 'gateway-status' | 'gateway-disconnect' | 'registry' | 'errors';

interface Device { appId: string; deviceId: string; devEui: string; devAddr: string; fCnt: number; joined: boolean; macPending?: boolean }
interface Gateway { gatewayId: string; eui: string }

const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');

export class Scenario {
  readonly devices: Device[];
  readonly gateways: Gateway[];
  readonly applications: string[];
  readonly #random: Random;
  #lastMs = 0;
  #lastSub = 0;

  readonly #legacy: boolean;
  /** Legacy connection-wide IDs: one per gateway connection and per upstream host connection. */
  readonly #gatewayConn = new Map<string, { conn: string; host: string }>();

  constructor(options: ScenarioOptions, private readonly clock: () => number) {
    this.#legacy = options.correlation === 'legacy';
    const apps = Math.max(1, options.applications ?? 1);
    this.#random = seededRandom(options.seed ?? 1);
    this.applications = Array.from({ length: apps }, (_, i) => (i === 0 ? 'demo-app' : `demo-app-${i + 1}`));
    this.devices = Array.from({ length: Math.max(1, options.devices ?? 3) }, (_, i) => {
      const devEui = `70B3D57ED0${hex(i + 1, 6)}`;
      return { appId: this.applications[i % apps]!, deviceId: `eui-${devEui.toLowerCase()}`, devEui, devAddr: `260B${hex(i + 1, 4)}`, fCnt: 0, joined: false };
    });
    this.gateways = Array.from({ length: Math.max(1, options.gateways ?? 1) }, (_, i) => ({ gatewayId: `demo-gateway-${i + 1}`, eui: `B827EBFFFE${hex(i + 1, 6)}` }));
  }

  /** The next flow of a live fleet: unjoined devices join first, then mostly uplinks. */
  nextFlow(): StackEvent[] {
    const device = this.devices[Math.floor(this.#random() * this.devices.length)]!;
    if (!device.joined) return this.flow('join', device);
    const r = this.#random();
    if (r < 0.72) return this.flow('uplink', device);
    if (r < 0.77) return this.flow('confirmed-uplink', device);
    if (r < 0.8) return this.flow('mac', device);
    if (r < 0.86) return this.flow('downlink', device);
    if (r < 0.92) return this.flow('gateway-status', device);
    if (r < 0.97) return this.flow('errors', device);
    return this.flow('registry', device);
  }

  /** One flow of the given kind for a device (or its gateways). */
  flow(kind: FlowKind, device: Device = this.devices[0]!, gatewayCount?: number): StackEvent[] {
    const gws = this.#pickGateways(gatewayCount ?? this.#gatewayCount());
    switch (kind) {
      case 'join':
        device.joined = true;
        device.fCnt = 0;
        return this.#renderFlow(FLOWS.join, FLOWS.join.events, device, gws);
      case 'uplink': {
        device.fCnt += 1;
        // A device that was sent a MAC request answers in its next uplink.
        const flow = device.macPending ? FLOWS.macAnswer : FLOWS.uplink;
        device.macPending = false;
        return this.#renderFlow(flow, flow.events, device, gws);
      }
      case 'confirmed-uplink':
        device.fCnt += 1;
        return this.#renderFlow(FLOWS.confirmed, FLOWS.confirmed.events, device, gws);
      case 'mac':
        device.fCnt += 1;
        device.macPending = true;
        return this.#renderFlow(FLOWS.macRequest, FLOWS.macRequest.events, device, gws);
      case 'downlink':
        return this.#renderFlow(FLOWS.downlink, FLOWS.downlink.events, device, gws.slice(0, 1));
      case 'gateway-connect':
        return this.#renderFlow(FLOWS.gateway, FLOWS.gateway.events.slice(0, 2), device, gws.slice(0, 1));
      case 'gateway-status':
        return this.#renderFlow(FLOWS.gateway, FLOWS.gateway.events.slice(3, 5), device, gws.slice(0, 1));
      case 'gateway-disconnect':
        return this.#renderFlow(FLOWS.gateway, FLOWS.gateway.events.slice(5, 7), device, gws.slice(0, 1));
      case 'registry':
        return this.#renderFlow(FLOWS.registry, FLOWS.registry.events, device, gws.slice(0, 1));
      case 'errors':
        device.fCnt += 1;
        return this.#renderFlow(FLOWS.errors, FLOWS.errors.events, device, gws.slice(0, 1));
    }
  }

  /** Rewrite an event's correlation IDs the pre-3.28 way (only uplink-path events gain IDs). */
  #legacyIds(json: string, name: string, g: Gateway, flowIds: { ns: string; as: string }): string {
    const ev = JSON.parse(json) as { correlation_ids?: string[]; data?: { correlation_ids?: string[] } };
    const ids = new Set(ev.correlation_ids ?? []);
    if (![...ids].some((i) => i.startsWith('gs:uplink:'))) return json;
    let conn = this.#gatewayConn.get(g.gatewayId);
    if (!conn) this.#gatewayConn.set(g.gatewayId, (conn = { conn: ulid(this.clock(), this.#random), host: ulid(this.clock(), this.#random) }));
    const component = name.split('.')[0];
    ids.add(`gs:conn:${conn.conn}`);
    if (name !== 'gs.up.receive') ids.add(`gs:up:host:${conn.host}`);
    if (component === 'ns' || component === 'as') ids.add(`ns:uplink:${flowIds.ns}`);
    if (component === 'as') ids.add(`as:up:${flowIds.as}`);
    ev.correlation_ids = [...ids].sort();
    if (ev.data?.correlation_ids) ev.data.correlation_ids = ev.correlation_ids;
    return JSON.stringify(ev);
  }

  #gatewayCount(): number {
    const r = this.#random();
    return r < 0.6 ? 1 : r < 0.85 ? 2 : 3;
  }

  #pickGateways(n: number): Gateway[] {
    const count = Math.min(n, this.gateways.length);
    const start = Math.floor(this.#random() * this.gateways.length);
    return Array.from({ length: count }, (_, i) => this.gateways[(start + i) % this.gateways.length]!);
  }

  /** Event time: now, strictly increasing with nanosecond digits as TTS writes them. */
  #time(): { ms: number; time: string } {
    let ms = Math.floor(this.clock());
    let sub = Math.floor(this.#random() * 1000);
    if (ms <= this.#lastMs) {
      ms = this.#lastMs;
      sub = this.#lastSub + 1 + Math.floor(this.#random() * 50);
      if (sub > 999_999) {
        ms += 1;
        sub = 0;
      }
    }
    this.#lastMs = ms;
    this.#lastSub = sub;
    return { ms, time: `${new Date(ms).toISOString().slice(0, 23)}${String(sub).padStart(6, '0')}Z` };
  }

  #renderFlow(flow: FlowTemplate, templates: EventTemplate[], device: Device, gws: Gateway[]): StackEvent[] {
    const now = this.clock();
    const vars: Record<string, string> = {
      DID: device.deviceId,
      DEVEUI: device.devEui,
      APP: device.appId,
      DADDR: device.devAddr,
      FCNT: String(device.fCnt),
      FRM: this.#payload(),
      DEC: JSON.stringify({ battery: Math.round((3 + this.#random()) * 100) / 100, temperature: Math.round((15 + this.#random() * 10) * 100) / 100 }),
      NONCE: hex(Math.floor(this.#random() * 0x10000), 4),
      TA: new Date(now - 80).toISOString(),
    };
    for (let i = 0; i < flow.correlationSlots; i++) vars[`C${i}`] = ulid(now, this.#random);
    const perGateway = gws.map((g) => ({
      g,
      uplinkId: ulid(now, this.#random),
      rx: flow.rxEntry ? render(flow.rxEntry, { GID: g.gatewayId, GEUI: g.eui, RSSI: String(-40 - Math.floor(this.#random() * 80)), SNR: String(Math.round((this.#random() * 20 - 8) * 4) / 4), TA: vars.TA! }) : '',
    }));
    // The flow's first gs:uplink ID (slot C0) is the first receiving gateway's, so NS/AS and GS agree.
    if (flow.rxEntry && perGateway[0]) vars.C0 = perGateway[0].uplinkId;
    vars.RX = `[${perGateway.map((p) => p.rx).join(',')}]`;
    vars.GSUP = perGateway.map((p) => `"gs:uplink:${p.uplinkId}"`).sort().join(',');

    const legacy = this.#legacy ? { ns: ulid(now, this.#random), as: ulid(now, this.#random) } : undefined;
    const out: StackEvent[] = [];
    for (const t of templates) {
      const receptions = t.scope === 'gateway' && t.name.startsWith('gs.up.') ? perGateway : perGateway.slice(0, 1);
      for (const p of receptions) {
        const { ms, time } = this.#time();
        const v: Record<string, string> = { ...vars, GID: p.g.gatewayId, GEUI: p.g.eui, RXG: `[${p.rx}]`, T: time, UID: ulid(ms, this.#random) };
        if (t.name.startsWith('gs.up.') && flow.rxEntry) v.C0 = p.uplinkId;
        out.push({
          name: t.name,
          ms,
          time,
          uniqueId: v.UID!,
          entity: this.#entity(t, device, p.g),
          rights: t.rights,
          propagates: eventDefinition(t.name)?.propagatesToApplication ?? false,
          json: legacy ? this.#legacyIds(render(t.json, v), t.name, p.g, legacy) : render(t.json, v),
        });
      }
    }
    return out;
  }

  #entity(t: EventTemplate, device: Device, gateway: Gateway): StackEvent['entity'] {
    switch (t.scope) {
      case 'device': return { kind: 'device', id: t.fixedId ?? device.deviceId, application: device.appId };
      case 'gateway': return { kind: 'gateway', id: gateway.gatewayId };
      case 'application': return { kind: 'application', id: device.appId };
      default: return { kind: t.scope, id: t.fixedId ?? '' };
    }
  }

  #payload(): string {
    const bytes = Buffer.alloc(2 + Math.floor(this.#random() * 6));
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(this.#random() * 256);
    return bytes.toString('base64');
  }
}
