/**
 * A deterministic LoRaWAN fleet: devices join, send uplinks through one or more gateways, receive
 * downlinks, gateways connect and report status, registry edits and errors happen.
 *
 * Deterministic under a seed; the clock is a parameter.
 */
import { seededRandom, ulid, type Random } from '../../shared/ids.js';
import { eventDefinition } from '../../shared/tts/catalog.js';
import type { EntityKind } from '../../shared/tts/types.js';
import { FLOWS, type EventTemplate, type FlowTemplate } from './templates.js';
import {
  compiledEvent,
  correlationSlot,
  frameContext,
  omitZeros,
  renderCompiled,
  SLOT,
  SLOT_COUNT,
} from './variants.js';
import { encodeFlowFrames } from './flow-frames.js';
import { LegacyIds } from './legacy-ids.js';
import { receptions, type Gateway } from './receptions.js';
import { releaseJson, releaseName, stepOffsetMs } from './realism.js';
import { EventTimes } from './event-times.js';
import type { DeviceKeys } from '../../shared/domain/frame.js';
import { stackDeviceKeys, stackSession, type StackSession } from './device-keys.js';
import { joinFields11, type FrameEdit } from './frame-fields.js';

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
  /**
   * Name events as this release did (e.g. `3.5`: `ns.up.receive`, `ns.up.merge_metadata`, no
   * `ns.down.*.schedule.*` steps). Default: the newest.
   */
  release?: string;
  /** Share of uplinks that arrive through Packet Broker from another network's gateway (default 0.1). */
  packetBrokerShare?: number;
}

export type FlowKind =
  | 'join'
  | 'uplink'
  | 'packet-broker-uplink'
  | 'confirmed-uplink'
  | 'mac'
  | 'downlink'
  | 'gateway-connect'
  | 'gateway-status'
  | 'gateway-disconnect'
  | 'registry'
  | 'errors';

/**
 * `fCnt` is the counter of the device's next uplink (0 after a join, as LoRaWAN 1.0.x counts). `joins`
 * counts its joins (DevNonce and JoinNonce); `session` holds the keys of the latest (or, before any join,
 * of the first one to come), so every frame it sends has a real MIC and an encrypted payload.
 */
export interface Device {
  appId: string;
  deviceId: string;
  devEui: string;
  devAddr: string;
  fCnt: number;
  joined: boolean;
  macPending?: boolean;
  pathLossDb: number;
  joins: number;
  session: StackSession;
  /** Speaks LoRaWAN 1.1: a NwkKey besides its AppKey, four session keys, 1.1 MICs and FOpts encryption. */
  v11: boolean;
  /**
   * Downlink counters of the session, apart from the uplinks': NFCntDown (network downlinks; the one
   * FCntDown of a 1.0.x device) and AFCntDown (1.1 application downlinks).
   */
  down: { n: number; a: number };
  /** The NS asked for a LinkADR change (`ns.mac.link_adr.request`): the next downlink carries LinkADRReq. */
  adrPending?: boolean;
}

/** The pseudo-gateway of uplinks relayed by Packet Broker (`gateway_id: "packetbroker"`). */
const PACKET_BROKER: Gateway = { gatewayId: 'packetbroker', eui: '', packetBroker: true };

const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');

const UP_FOPTS_EDIT: FrameEdit = { upFOpts: true };

/** Events of a downlink's path whose parsed fields carry its counter and FOpts (queued at the AS: no counter yet). */
const DOWN_EVENT = /^(?:ns\.down|gs\.down|as\.down\.data\.(?!receive))\./;
export { omitZeros } from './variants.js';

export class Scenario {
  readonly devices: Device[];
  readonly gateways: Gateway[];
  readonly applications: string[];
  readonly #random: Random;
  /** Fixes every device's keys (see device-keys.ts): the same seed, the same keys. */
  readonly seed: number;
  /** Stamps events with their times (and returns them without an object per event). */
  readonly #times: EventTimes;

  /** Pre-3.28 correlation IDs, when the scenario asks for them. */
  readonly #legacy: LegacyIds | undefined;
  readonly #release: string | undefined;
  readonly #pbShare: number;

  constructor(
    options: ScenarioOptions,
    private readonly clock: () => number,
  ) {
    this.#release = options.release;
    this.#pbShare = options.packetBrokerShare ?? 0.1;
    const apps = Math.max(1, options.applications ?? 1);
    this.seed = options.seed ?? 1;
    this.#random = seededRandom(this.seed);
    this.#times = new EventTimes(clock, this.#random);
    this.#legacy = options.correlation === 'legacy' ? new LegacyIds(clock, this.#random) : undefined;
    this.applications = Array.from({ length: apps }, (_, i) => (i === 0 ? 'demo-app' : `demo-app-${i + 1}`));
    this.devices = Array.from({ length: Math.max(1, options.devices ?? 3) }, (_, i) => {
      const devEui = `70B3D57ED0${hex(i + 1, 6)}`;
      // Each device sits at its own distance: its signal is about this many dB below -40 dBm.
      const pathLossDb = 10 + Math.floor(this.#random() * 70);
      return {
        appId: this.applications[i % apps]!,
        deviceId: `eui-${devEui.toLowerCase()}`,
        devEui,
        devAddr: `260B${hex(i + 1, 4)}`,
        fCnt: 0,
        joined: false,
        pathLossDb,
        joins: 0,
        // Every third device speaks LoRaWAN 1.1 (by position, so the seeded random stream is unchanged).
        v11: i % 3 === 2,
        down: { n: 0, a: 0 },
        session: stackSession(this.seed, devEui, 1, i % 3 === 2),
      };
    });
    this.gateways = Array.from({ length: Math.max(1, options.gateways ?? 1) }, (_, i) => ({
      gatewayId: `demo-gateway-${i + 1}`,
      eui: `B827EBFFFE${hex(i + 1, 6)}`,
    }));
  }

  /** A device's keys as a user would enter them: AppKey and its current (or first) session's NwkSKey and AppSKey. */
  keysOf(device: Device): DeviceKeys {
    return stackDeviceKeys(this.seed, device.devEui, Math.max(1, device.joins), device.v11);
  }

  /**
   * The next flow of a live fleet: unjoined devices join first, then mostly uplinks. `realistic` spreads
   * the flow's events over the time a real stack takes (the caller publishes each at its time); without
   * it every event is stamped "now", for tests and full-speed load.
   */
  nextFlow(realistic = false): StackEvent[] {
    const device = this.devices[Math.floor(this.#random() * this.devices.length)]!;
    if (!device.joined) return this.flow('join', device, undefined, realistic);
    const r = this.#random();
    if (r < 0.72)
      return this.flow(
        this.#random() < this.#pbShare ? 'packet-broker-uplink' : 'uplink',
        device,
        undefined,
        realistic,
      );
    if (r < 0.77) return this.flow('confirmed-uplink', device, undefined, realistic);
    if (r < 0.8) return this.flow('mac', device, undefined, realistic);
    if (r < 0.86) return this.flow('downlink', device, undefined, realistic);
    if (r < 0.92) return this.flow('gateway-status', device, undefined, realistic);
    if (r < 0.97) return this.flow('errors', device, undefined, realistic);
    return this.flow('registry', device, undefined, realistic);
  }

  /** One flow of the given kind for a device (or its gateways). */
  flow(kind: FlowKind, device: Device = this.devices[0]!, gatewayCount?: number, realistic = false): StackEvent[] {
    const gws = this.#pickGateways(gatewayCount ?? this.#gatewayCount());
    const render = (flow: FlowTemplate, templates: EventTemplate[], g: Gateway[]) =>
      this.#renderFlow(kind, flow, templates, device, g, realistic);
    /** An uplink uses the device's counter, then counts on. */
    const uplink = (flow: FlowTemplate, templates: EventTemplate[], g: Gateway[]) => {
      const out = render(flow, templates, g);
      device.fCnt += 1;
      return out;
    };
    switch (kind) {
      case 'join':
        device.joined = true;
        device.fCnt = 0;
        device.joins += 1;
        device.down = { n: 0, a: 0 };
        device.session = stackSession(this.seed, device.devEui, device.joins, device.v11);
        return render(FLOWS.join, FLOWS.join.events, gws);
      case 'uplink': {
        // A device that was sent a MAC request answers in its next uplink.
        const flow = device.macPending ? FLOWS.macAnswer : FLOWS.uplink;
        device.macPending = false;
        return uplink(flow, flow.events, gws);
      }
      case 'packet-broker-uplink':
        // Heard only by another network's gateway: no Gateway Server events here, the NS gets it from Packet Broker.
        return uplink(
          FLOWS.uplink,
          FLOWS.uplink.events.filter((t) => !t.name.startsWith('gs.')),
          [PACKET_BROKER],
        );
      case 'confirmed-uplink':
        return uplink(FLOWS.confirmed, FLOWS.confirmed.events, gws);
      case 'mac':
        device.macPending = true;
        device.adrPending = true;
        return uplink(FLOWS.macRequest, FLOWS.macRequest.events, gws);
      case 'downlink':
        return render(FLOWS.downlink, FLOWS.downlink.events, gws.slice(0, 1));
      case 'gateway-connect':
        return render(FLOWS.gateway, FLOWS.gateway.events.slice(0, 2), gws.slice(0, 1));
      case 'gateway-status':
        return render(FLOWS.gateway, FLOWS.gateway.events.slice(3, 5), gws.slice(0, 1));
      case 'gateway-disconnect':
        return render(FLOWS.gateway, FLOWS.gateway.events.slice(5, 7), gws.slice(0, 1));
      case 'registry':
        return render(FLOWS.registry, FLOWS.registry.events, gws.slice(0, 1));
      case 'errors':
        // A late copy of the frame just sent (the NS drops it as a duplicate) and the AS's trouble with it: no FCnt is
        // used up, or every demo device showed frames lost on the radio that were never lost.
        if (device.fCnt > 0) device.fCnt -= 1;
        return uplink(FLOWS.errors, FLOWS.errors.events, gws.slice(0, 1));
    }
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

  #renderFlow(
    kind: FlowKind,
    flow: FlowTemplate,
    templates: EventTemplate[],
    device: Device,
    gws: Gateway[],
    realistic: boolean,
  ): StackEvent[] {
    const now = this.clock();
    // The flow's values, by hole (variants.ts): the templates are compiled once, so an event is a join.
    const values: Array<string | undefined> = new Array<string | undefined>(SLOT_COUNT);
    const frm = this.#payload();
    values[SLOT.DID] = device.deviceId;
    values[SLOT.DEVEUI] = device.devEui;
    values[SLOT.APP] = device.appId;
    values[SLOT.DADDR] = device.devAddr;
    values[SLOT.FCNT] = String(device.fCnt);
    values[SLOT.FRM] = frm;
    values[SLOT.DEC] = JSON.stringify({
      battery: Math.round((3 + this.#random()) * 100) / 100,
      temperature: Math.round((15 + this.#random() * 10) * 100) / 100,
    });
    values[SLOT.NONCE] = hex(Math.floor(this.#random() * 0x10000), 4);
    const ta = new Date(now - 80).toISOString();
    values[SLOT.TA] = ta;
    for (let i = 0; i < flow.correlationSlots; i++) values[correlationSlot(i)] = ulid(now, this.#random);
    const perGateway = receptions(flow.rxEntry, device.pathLossDb, gws, now, ta, this.clock, this.#random);
    // The flow's first gs:uplink ID (slot C0) is the first receiving gateway's, so NS/AS and GS agree.
    if (flow.rxEntry && perGateway[0]) values[correlationSlot(0)] = perGateway[0].uplinkId;
    const flowC0 = values[correlationSlot(0)];
    values[SLOT.RX] = `[${perGateway.map((p) => p.rx).join(',')}]`;
    values[SLOT.GSUP] = perGateway
      .map((p) => `"${p.g.packetBroker ? 'pba' : 'gs'}:uplink:${p.uplinkId}"`)
      .sort()
      .join(',');

    const legacy = this.#legacy ? { ns: ulid(now, this.#random), as: ulid(now, this.#random) } : undefined;
    const { isUplink, isDownlink, isJoin, upFOpts, downFOpts, downFCnt } = encodeFlowFrames(
      kind,
      flow,
      device,
      frm,
      this.seed,
      values,
    );
    const fCntZero = device.fCnt === 0;
    // The few events whose frame differs from the template's: their parsed fields follow it (a variant each).
    const downEdit: FrameEdit = {
      down: { zero16: (downFCnt & 0xffff) === 0, zero32: downFCnt === 0, fOpts: !!downFOpts?.length },
    };
    values[SLOT.DOWN_FCNT16] = String(downFCnt & 0xffff);
    values[SLOT.DOWN_FCNT] = String(downFCnt);
    values[SLOT.DOWN_FOPTS] = downFOpts?.toString('base64');
    values[SLOT.UP_FOPTS] = upFOpts?.toString('base64');
    const out: StackEvent[] = [];
    const firstOnly = perGateway.slice(0, 1);
    const times = this.#times;
    for (let index = 0; index < templates.length; index++) {
      const t = templates[index]!;
      const name = this.#release ? releaseName(t.name, this.#release) : t.name;
      if (name === undefined) continue; // that release had no such step
      const gsUp = t.name.startsWith('gs.up.');
      const edit: FrameEdit | undefined =
        isDownlink && DOWN_EVENT.test(t.name)
          ? downEdit
          : upFOpts && (gsUp || t.name.startsWith('ns.up.data.'))
            ? UP_FOPTS_EDIT
            : undefined;
      const compiled = compiledEvent(t, frameContext(t.name, isUplink, isDownlink, isJoin), fCntZero, name, edit);
      const receptions = t.scope === 'gateway' && gsUp ? perGateway : firstOnly;
      const propagates = eventDefinition(t.name)?.propagatesToApplication ?? false;
      for (const p of receptions) {
        if (realistic) times.at(now + stepOffsetMs(kind, t.name, index, this.#random) + (gsUp ? p.jitterMs : 0));
        else times.now();
        const { ms, time } = times;
        const uid = ulid(ms, this.#random);
        values[SLOT.GID] = p.g.gatewayId;
        values[SLOT.GEUI] = p.g.eui;
        values[SLOT.RXG] = p.rxg;
        values[SLOT.T] = time;
        values[SLOT.UID] = uid;
        values[correlationSlot(0)] = gsUp && flow.rxEntry ? p.uplinkId : flowC0;
        let json = renderCompiled(compiled, values);
        if (isJoin && device.v11) json = joinFields11(json);
        if (name !== t.name) json = releaseJson(name, json, perGateway.length);
        if (legacy && this.#legacy) json = omitZeros(this.#legacy.rewrite(json, t.name, p.g, legacy, device.appId));
        out.push({
          name,
          ms,
          time,
          uniqueId: uid,
          entity: this.#entity(t, device, p.g),
          rights: t.rights,
          propagates,
          json,
        });
      }
    }
    if (realistic) out.sort((a, b) => a.ms - b.ms || (a.time < b.time ? -1 : 1));
    return out;
  }

  /** One entity object per device, gateway and application, shared by their events (fewer objects per event). */
  readonly #entities = new Map<Device | Gateway | string, StackEvent['entity']>();

  #entity(t: EventTemplate, device: Device, gateway: Gateway): StackEvent['entity'] {
    const owner =
      t.scope === 'device'
        ? t.fixedId === undefined
          ? device
          : undefined
        : t.scope === 'gateway'
          ? gateway
          : t.scope === 'application'
            ? device.appId
            : undefined;
    if (owner === undefined)
      return t.scope === 'device'
        ? { kind: 'device', id: t.fixedId ?? device.deviceId, application: device.appId }
        : { kind: t.scope, id: t.fixedId ?? '' };
    let e = this.#entities.get(owner);
    if (!e) {
      e =
        t.scope === 'device'
          ? { kind: 'device', id: device.deviceId, application: device.appId }
          : t.scope === 'gateway'
            ? { kind: 'gateway', id: gateway.gatewayId }
            : { kind: 'application', id: device.appId };
      this.#entities.set(owner, e);
    }
    return e;
  }

  #payload(): string {
    const bytes = Buffer.alloc(2 + Math.floor(this.#random() * 6));
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(this.#random() * 256);
    return bytes.toString('base64');
  }
}
