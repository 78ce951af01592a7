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
import { releaseName, stepOffsetMs } from './realism.js';
import type { DeviceKeys } from '../../shared/domain/frame.js';
import {
  encodeDataFrame,
  encodeJoinAccept,
  encodeJoinRequest,
  stackAppKey,
  stackDeviceKeys,
  stackSession,
  STACK_NET_ID,
  type StackSession,
} from './device-keys.js';

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
interface Device {
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
}
interface Gateway {
  gatewayId: string;
  eui: string;
  packetBroker?: boolean;
}

/** The pseudo-gateway of uplinks relayed by Packet Broker (`gateway_id: "packetbroker"`). */
const PACKET_BROKER: Gateway = { gatewayId: 'packetbroker', eui: '', packetBroker: true };

const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');

/**
 * proto3 JSON leaves zero values out: the first uplink after a join has no `f_cnt` key, a reception at
 * exactly 0 dB has no `snr`. The templates write every field; this removes the zeros a real server omits.
 */
const RAW_PAYLOAD = /"raw_payload":"[A-Za-z0-9+/=]*"/;
/** The frame fields of an uplink event the stack fills with the real frame: raw_payload, the parsed MIC and FRMPayload. */
const FRAME_FIELDS = /"(?:raw_payload|mic|frm_payload)":"[A-Za-z0-9+/=]*"/g;

/** The sample MICs of the join templates' parsed payloads (join-request, join-accept), replaced by the real ones. */
const SAMPLE_JOIN_REQUEST_MIC = '"mic":"bE9qcA=="';
const SAMPLE_JOIN_ACCEPT_MIC = '"mic":"ZTXOdA=="';
/** The join templates' network settings: RX2 DR3, RX1 delay 5 s, five extra EU868 channels. */
const JOIN_SETTINGS = {
  rx2Dr: 3,
  rxDelay: 5,
  cfList: [867_100_000, 867_300_000, 867_500_000, 867_700_000, 867_900_000],
};

const ZERO_MEMBER = /"(?:f_cnt|full_f_cnt|snr|channel_index|f_port)":0,/g;
const ZERO_LAST_MEMBER = /,"(?:f_cnt|full_f_cnt|snr|channel_index|f_port)":0(?=\})/g;

export function omitZeros(json: string): string {
  if (!json.includes(':0')) return json;
  // `"k":0,` anywhere, then a last member `,"k":0` before its closing brace.
  return json.replace(ZERO_MEMBER, '').replace(ZERO_LAST_MEMBER, '');
}

export class Scenario {
  readonly devices: Device[];
  readonly gateways: Gateway[];
  readonly applications: string[];
  readonly #random: Random;
  /** Fixes every device's keys (see device-keys.ts): the same seed, the same keys. */
  readonly seed: number;
  #lastMs = 0;
  #lastSub = 0;

  readonly #legacy: boolean;
  readonly #release: string | undefined;
  readonly #pbShare: number;
  /** Long-lived link IDs of pre-3.28 stacks: the AS–NS link per application, the gRPC link per gateway. */
  readonly #appLink = new Map<string, string>();
  readonly #gatewayLink = new Map<string, string>();
  /** Legacy connection-wide IDs: one per gateway connection and per upstream host connection. */
  readonly #gatewayConn = new Map<string, { conn: string; host: string }>();

  constructor(
    options: ScenarioOptions,
    private readonly clock: () => number,
  ) {
    this.#legacy = options.correlation === 'legacy';
    this.#release = options.release;
    this.#pbShare = options.packetBrokerShare ?? 0.1;
    const apps = Math.max(1, options.applications ?? 1);
    this.seed = options.seed ?? 1;
    this.#random = seededRandom(this.seed);
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
        session: stackSession(this.seed, devEui, 1),
      };
    });
    this.gateways = Array.from({ length: Math.max(1, options.gateways ?? 1) }, (_, i) => ({
      gatewayId: `demo-gateway-${i + 1}`,
      eui: `B827EBFFFE${hex(i + 1, 6)}`,
    }));
  }

  /** A device's keys as a user would enter them: AppKey and its current (or first) session's NwkSKey and AppSKey. */
  keysOf(device: Device): DeviceKeys {
    return stackDeviceKeys(this.seed, device.devEui, Math.max(1, device.joins));
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
        device.session = stackSession(this.seed, device.devEui, device.joins);
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
        return uplink(FLOWS.errors, FLOWS.errors.events, gws.slice(0, 1));
    }
  }

  /**
   * Rewrite an event's correlation IDs the pre-3.28 way: every component added its own prefix, and the
   * long-lived links sat on every event they touched — the gateway connection (`gs:conn:`, `gs:up:host:`,
   * the gRPC `LinkGateway` call), the AS–NS link (`AsNs/LinkApplication`) and Packet Broker's connection
   * (`pba:conn:up:`). `gs.down.send` kept the message's IDs only inside `data.correlation_ids` (its
   * envelope has the connection and the `ScheduleDownlink` call), with the connection listed twice, as the
   * Console fixtures of v3.12–v3.13 show.
   */
  #legacyIds(json: string, name: string, g: Gateway, flowIds: { ns: string; as: string }, appId: string): string {
    const ev = JSON.parse(json) as { correlation_ids?: string[]; data?: { correlation_ids?: string[] } };
    const ids = new Set(ev.correlation_ids ?? []);
    const component = name.split('.')[0];
    const linkOf = (map: Map<string, string>, key: string) =>
      map.get(key) ?? map.set(key, ulid(this.clock(), this.#random)).get(key)!;
    const onUplinkPath = [...ids].some((i) => i.startsWith('gs:uplink:'));
    if (g.packetBroker && (component === 'ns' || component === 'as'))
      ids.add(`pba:conn:up:${linkOf(this.#gatewayLink, 'packetbroker')}`);
    if (onUplinkPath && !g.packetBroker) {
      let conn = this.#gatewayConn.get(g.gatewayId);
      if (!conn)
        this.#gatewayConn.set(
          g.gatewayId,
          (conn = { conn: ulid(this.clock(), this.#random), host: ulid(this.clock(), this.#random) }),
        );
      ids.add(`gs:conn:${conn.conn}`);
      if (name !== 'gs.up.receive') ids.add(`gs:up:host:${conn.host}`);
    }
    if (onUplinkPath && (component === 'ns' || component === 'as')) ids.add(`ns:uplink:${flowIds.ns}`);
    if (onUplinkPath && component === 'as') ids.add(`as:up:${flowIds.as}`);
    if (component === 'gs' && !g.packetBroker)
      ids.add(`rpc:/ttn.lorawan.v3.GtwGs/LinkGateway:${linkOf(this.#gatewayLink, g.gatewayId)}`);
    // The AS–NS link carries every application message both ways.
    if (component === 'as' || name === 'ns.up.data.forward' || name === 'ns.up.join.accept.forward')
      ids.add(`rpc:/ttn.lorawan.v3.AsNs/LinkApplication:${linkOf(this.#appLink, appId)}`);
    // Older Application Servers named the device by its IDs alone: the DevEUI is only in data.end_device_ids.
    if (component === 'as') {
      const dev = (ev as { identifiers?: Array<{ device_ids?: Record<string, unknown> }> }).identifiers?.[0]
        ?.device_ids;
      if (dev) for (const k of ['dev_eui', 'join_eui', 'dev_addr']) delete dev[k];
    }
    const sorted = [...ids].sort();
    if (name === 'gs.down.send' && ev.data) {
      const conn = sorted.find((i) => i.startsWith('gs:conn:'));
      ev.data.correlation_ids = conn ? [...sorted, conn] : sorted;
      ev.correlation_ids = sorted.filter(
        (i) =>
          i.startsWith('gs:conn:') ||
          i.startsWith('rpc:/ttn.lorawan.v3.NsGs/ScheduleDownlink:') ||
          i.startsWith('rpc:/ttn.lorawan.v3.GtwGs/LinkGateway:'),
      );
      return JSON.stringify(ev);
    }
    ev.correlation_ids = sorted;
    if (ev.data?.correlation_ids) ev.data.correlation_ids = sorted;
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

  /** A time at `ms` with random sub-millisecond digits (realistic flows: each event at its own moment). */
  #timeAt(ms: number): { ms: number; time: string } {
    const sub = Math.floor(this.#random() * 1_000_000);
    return { ms, time: `${new Date(ms).toISOString().slice(0, 23)}${String(sub).padStart(6, '0')}Z` };
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

  /** RSSI and SNR of one reception that move together as in a real radio (SNR follows RSSI above the noise floor). */
  #signal(device: Device, gatewayIndex: number): { rssi: number; snr: number } {
    const rssi = Math.round(-40 - device.pathLossDb - gatewayIndex * 6 - this.#random() * 8);
    // LoRa demodulates below the noise floor (about -117 dBm at 125 kHz plus local noise): SNR ≈ RSSI + 108,
    // saturating around +10 dB for strong signals and bottoming out near -20 dB.
    const snr = Math.max(-20, Math.min(10 + this.#random() * 2, rssi + 108 + (this.#random() - 0.5) * 3));
    return { rssi, snr: Math.round(snr * 4) / 4 };
  }

  /** The rx_metadata entry of a Packet Broker relay: the pseudo-gateway, and the forwarder in `packet_broker`. */
  #packetBrokerRx(entry: string): string {
    const rx = JSON.parse(entry) as Record<string, unknown>;
    rx.gateway_ids = { gateway_id: 'packetbroker' };
    const n = 1 + Math.floor(this.#random() * 9);
    rx.packet_broker = {
      message_id: ulid(this.clock(), this.#random),
      forwarder_net_id: '000013',
      forwarder_tenant_id: 'ttn',
      forwarder_cluster_id: 'eu1.cloud.thethings.network',
      forwarder_gateway_eui: `AC1F09FFFE0${hex(n, 5)}`,
      forwarder_gateway_id: `rak-community-${n}`,
      home_network_net_id: '000013',
      home_network_tenant_id: 'demo',
      home_network_cluster_id: 'demo.local',
      hops: [
        {
          received_at: new Date(this.clock()).toISOString(),
          sender_address: '52.169.73.251',
          receiver_name: 'router.eu.packetbroker.net',
          receiver_agent: 'pbr/1.9.2',
        },
      ],
    };
    delete rx.channel_rssi;
    return JSON.stringify(rx);
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
    const vars: Record<string, string> = {
      DID: device.deviceId,
      DEVEUI: device.devEui,
      APP: device.appId,
      DADDR: device.devAddr,
      FCNT: String(device.fCnt),
      FRM: this.#payload(),
      DEC: JSON.stringify({
        battery: Math.round((3 + this.#random()) * 100) / 100,
        temperature: Math.round((15 + this.#random() * 10) * 100) / 100,
      }),
      NONCE: hex(Math.floor(this.#random() * 0x10000), 4),
      TA: new Date(now - 80).toISOString(),
    };
    for (let i = 0; i < flow.correlationSlots; i++) vars[`C${i}`] = ulid(now, this.#random);
    const perGateway = gws.map((g, i) => {
      const { rssi, snr } = this.#signal(device, i);
      let rx = flow.rxEntry
        ? render(flow.rxEntry, { GID: g.gatewayId, GEUI: g.eui, RSSI: String(rssi), SNR: String(snr), TA: vars.TA! })
        : '';
      if (rx && g.packetBroker) rx = this.#packetBrokerRx(rx);
      return { g, uplinkId: ulid(now, this.#random), rx, jitterMs: i === 0 ? 0 : 1 + Math.floor(this.#random() * 40) };
    });
    // The flow's first gs:uplink ID (slot C0) is the first receiving gateway's, so NS/AS and GS agree.
    if (flow.rxEntry && perGateway[0]) vars.C0 = perGateway[0].uplinkId;
    vars.RX = `[${perGateway.map((p) => p.rx).join(',')}]`;
    vars.GSUP = perGateway
      .map((p) => `"${p.g.packetBroker ? 'pba' : 'gs'}:uplink:${p.uplinkId}"`)
      .sort()
      .join(',');

    const legacy = this.#legacy ? { ns: ulid(now, this.#random), as: ulid(now, this.#random) } : undefined;
    const isUplink =
      kind === 'uplink' ||
      kind === 'packet-broker-uplink' ||
      kind === 'confirmed-uplink' ||
      kind === 'mac' ||
      kind === 'errors';
    // The frames on the air, real: the uplink encrypted and signed with the device's session keys, the
    // join-request signed and the join-accept encrypted with its AppKey. The parsed payloads of the NS
    // and GS events carry the same encrypted FRMPayload and MIC; the AS's carry the clear payload.
    const up = isUplink
      ? encodeDataFrame(
          kind === 'confirmed-uplink' ? 0x80 : 0x40,
          device.devAddr,
          device.fCnt,
          1,
          Buffer.from(vars.FRM!, 'base64'),
          device.session,
        )
      : undefined;
    const upRaw = up?.phy.toString('base64');
    const frmOnAir = up ? `"frm_payload":"${up.frm.toString('base64')}"` : undefined;
    const micOnAir = up ? `"mic":"${up.mic.toString('base64')}"` : undefined;
    const frmClear = `"frm_payload":"${vars.FRM!}"`;
    // Downlinks (an application downlink, the ack of a confirmed uplink) as the NS sends them. Their
    // counter is the one the templates' parsed payloads show (FCNT), so the events agree with the frame.
    const isDownlink = kind === 'downlink' || kind === 'confirmed-uplink';
    const down = isDownlink
      ? encodeDataFrame(
          0x60,
          device.devAddr,
          device.fCnt,
          15,
          Buffer.from(vars.FRM!, 'base64'),
          device.session,
          kind === 'confirmed-uplink' ? 0x20 : 0x00,
        )
      : undefined;
    const downFields = down
      ? {
          raw: `"raw_payload":"${down.phy.toString('base64')}"`,
          frm: `"frm_payload":"${down.frm.toString('base64')}"`,
          mic: `"mic":"${down.mic.toString('base64')}"`,
        }
      : undefined;
    let join: { request: string; requestMic: string; accept: string; acceptMic: string } | undefined;
    if (kind === 'join') {
      vars.NONCE = hex(device.joins, 4);
      const appKey = stackAppKey(this.seed, device.devEui);
      const request = encodeJoinRequest(appKey, '0000000000000000', device.devEui, device.joins);
      const accept = encodeJoinAccept(
        appKey,
        device.joins,
        STACK_NET_ID,
        device.devAddr,
        JOIN_SETTINGS.rx2Dr,
        JOIN_SETTINGS.rxDelay,
        JOIN_SETTINGS.cfList,
      );
      join = {
        request: request.toString('base64'),
        requestMic: `"mic":"${request.subarray(19).toString('base64')}"`,
        accept: accept.toString('base64'),
        acceptMic: `"mic":"${accept.subarray(accept.length - 4).toString('base64')}"`,
      };
    }
    const out: StackEvent[] = [];
    for (const [index, t] of templates.entries()) {
      const name = this.#release ? releaseName(t.name, this.#release) : t.name;
      if (name === undefined) continue; // that release had no such step
      const receptions = t.scope === 'gateway' && t.name.startsWith('gs.up.') ? perGateway : perGateway.slice(0, 1);
      for (const p of receptions) {
        const { ms, time } = realistic
          ? this.#timeAt(
              now + stepOffsetMs(kind, t.name, index, this.#random) + (t.name.startsWith('gs.up.') ? p.jitterMs : 0),
            )
          : this.#time();
        const v: Record<string, string> = {
          ...vars,
          GID: p.g.gatewayId,
          GEUI: p.g.eui,
          RXG: `[${p.rx}]`,
          T: time,
          UID: ulid(ms, this.#random),
        };
        if (t.name.startsWith('gs.up.') && flow.rxEntry) v.C0 = p.uplinkId;
        let json = render(t.json, v);
        if (name !== t.name) json = json.replace(`"name":"${t.name}"`, `"name":"${name}"`);
        // The uplink's frame on the air, with this flow's DevAddr, FCnt and payload (the template's is a sample's).
        // One pass over the event for the three fields (the stack is the benchmark's load generator).
        if (upRaw && (t.name.startsWith('gs.up.') || t.name.startsWith('ns.up.data.')))
          json = json.replace(FRAME_FIELDS, (m) =>
            m.charCodeAt(1) === 114
              ? `"raw_payload":"${upRaw}"`
              : m.charCodeAt(1) === 109
                ? micOnAir!
                : m === frmClear
                  ? frmOnAir!
                  : m,
          );
        if (downFields && (t.name.startsWith('ns.down.data.') || t.name.startsWith('gs.down.')))
          json = json.replace(FRAME_FIELDS, (m) =>
            m.charCodeAt(1) === 114
              ? downFields.raw
              : m.charCodeAt(1) === 109
                ? downFields.mic
                : m === frmClear
                  ? downFields.frm
                  : m,
          );
        if (join && json.includes('"raw_payload":"')) {
          json = json.replace(RAW_PAYLOAD, (m) =>
            m.startsWith('"raw_payload":"A') ? `"raw_payload":"${join.request}"` : `"raw_payload":"${join.accept}"`,
          );
          json = json.replace(SAMPLE_JOIN_REQUEST_MIC, join.requestMic).replace(SAMPLE_JOIN_ACCEPT_MIC, join.acceptMic);
        }
        if (legacy) json = this.#legacyIds(json, t.name, p.g, legacy, device.appId);
        out.push({
          name,
          ms,
          time,
          uniqueId: v.UID!,
          entity: this.#entity(t, device, p.g),
          rights: t.rights,
          propagates: eventDefinition(t.name)?.propagatesToApplication ?? false,
          json: omitZeros(json),
        });
      }
    }
    if (realistic) out.sort((a, b) => a.ms - b.ms || (a.time < b.time ? -1 : 1));
    return out;
  }

  #entity(t: EventTemplate, device: Device, gateway: Gateway): StackEvent['entity'] {
    switch (t.scope) {
      case 'device':
        return { kind: 'device', id: t.fixedId ?? device.deviceId, application: device.appId };
      case 'gateway':
        return { kind: 'gateway', id: gateway.gatewayId };
      case 'application':
        return { kind: 'application', id: device.appId };
      default:
        return { kind: t.scope, id: t.fixedId ?? '' };
    }
  }

  #payload(): string {
    const bytes = Buffer.alloc(2 + Math.floor(this.#random() * 6));
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(this.#random() * 256);
    return bytes.toString('base64');
  }
}
