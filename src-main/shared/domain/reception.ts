/**
 * One event's gateway receptions (`rx_metadata`), read as bounded rows with proto3's left-out zeros restored,
 * and what the list and the filters take from them: the best signal and the gateways that heard it.
 */
import { num, obj, str } from '../json/fields.js';

/** One gateway's reception of an uplink, zero values restored where a zero is what the server left out. */
export interface Reception {
  gatewayId: string;
  eui?: string;
  /** Absent when the gateway reported none (e.g. a Packet Broker relay without signal quality). */
  rssi?: number;
  channelRssi?: number;
  /** Absent when the gateway reported none: no RSSI either, or not LoRa (FSK has no SNR). */
  snr?: number;
  time?: string;
  channel?: number;
  location?: { latitude: number; longitude: number };
  /** Packet Broker relay: the forwarding network's gateway and the networks involved. */
  packetBroker?: {
    forwarderGatewayId?: string;
    forwarderGatewayEui?: string;
    forwarderNetId?: string;
    forwarderTenantId?: string;
    homeNetworkNetId?: string;
    homeNetworkTenantId?: string;
  };
  /** LoRaWAN relay (v3.28.1+, networkserver/relay.go): the relay end device that forwarded the uplink. */
  relay?: { deviceId?: string };
}

/** Receptions read per event: a hostile event may list millions. */
export const MAX_RECEPTIONS = 100;

/**
 * What a reception row holds: all of it (`full`, for the detail and the views), or only what a list
 * summary reads (`signal`: gateway, RSSI, SNR and a relay's forwarder), which every captured uplink
 * pays for once per receiving gateway.
 */
export type ReceptionDetail = 'full' | 'signal';

/**
 * The rx_metadata entries of an uplink sent with LoRa modulation (`lora`) or another. proto3 JSON leaves a zero
 * out, but an RSSI is never exactly 0 dBm: no `rssi` and no `channel_rssi` means the gateway reported none
 * (Packet Broker relays location-only receptions). An SNR is 0 when left out only where the gateway measured
 * the signal (it has an RSSI) of a LoRa uplink; an FSK reception has no SNR.
 */
export function receptionsOf(list: unknown, detail: ReceptionDetail, lora: boolean): Reception[] {
  if (!Array.isArray(list)) return [];
  const out: Reception[] = [];
  for (let i = 0; i < list.length && i < MAX_RECEPTIONS; i++) {
    const m = obj(list[i]);
    if (!m) continue;
    const g = obj(m.gateway_ids);
    const row: Reception = { gatewayId: str(g?.gateway_id) ?? '?' };
    if (detail === 'signal') {
      const rssi = num(m.rssi) ?? num(m.channel_rssi);
      if (rssi !== undefined) row.rssi = rssi;
      const snr = num(m.snr) ?? (rssi !== undefined && lora ? 0 : undefined);
      if (snr !== undefined) row.snr = snr;
      const pb = obj(m.packet_broker);
      if (pb) row.packetBroker = forwarderOf(pb);
      readRelay(m, row);
      out.push(row);
      continue;
    }
    const eui = str(g?.eui);
    if (eui) row.eui = eui;
    const rssi = num(m.rssi);
    const channelRssi = num(m.channel_rssi);
    if (rssi !== undefined || channelRssi !== undefined) row.rssi = rssi ?? channelRssi;
    if (channelRssi !== undefined) row.channelRssi = channelRssi;
    const snr = num(m.snr) ?? (row.rssi !== undefined && lora ? 0 : undefined);
    if (snr !== undefined) row.snr = snr;
    const time = str(m.time) ?? str(m.received_at);
    if (time) row.time = time;
    const ch = num(m.channel_index);
    row.channel = ch ?? 0;
    const loc = obj(m.location);
    const lat = num(loc?.latitude);
    const lon = num(loc?.longitude);
    if (lat !== undefined || lon !== undefined) row.location = { latitude: lat ?? 0, longitude: lon ?? 0 };
    const pb = obj(m.packet_broker);
    if (pb) {
      const p = forwarderOf(pb);
      const set = (k: keyof typeof p, v: unknown) => {
        if (typeof v === 'string' && v) p[k] = v;
      };
      set('homeNetworkNetId', pb.home_network_net_id);
      set('homeNetworkTenantId', pb.home_network_tenant_id);
      row.packetBroker = p;
    }
    readRelay(m, row);
    out.push(row);
  }
  return out;
}

/** A relayed uplink's relay device, under the `relay` pseudo-gateway the Network Server names (`relayGateway`). */
function readRelay(m: Record<string, unknown>, row: Reception): void {
  const relay = obj(m.relay);
  if (!relay) return;
  const deviceId = str(relay.device_id);
  row.relay = deviceId ? { deviceId } : {};
}

/** The forwarding network and gateway of a Packet Broker relay: what tells its gateways apart (`gatewayCount`). */
function forwarderOf(pb: Record<string, unknown>): NonNullable<Reception['packetBroker']> {
  const p: NonNullable<Reception['packetBroker']> = {};
  const set = (k: keyof typeof p, v: unknown) => {
    if (typeof v === 'string' && v) p[k] = v;
  };
  set('forwarderGatewayId', pb.forwarder_gateway_id);
  set('forwarderGatewayEui', pb.forwarder_gateway_eui);
  set('forwarderNetId', pb.forwarder_net_id);
  set('forwarderTenantId', pb.forwarder_tenant_id);
  return p;
}

/** The strongest reading of each kind over every gateway: `rssi>` and `snr>` filter on these. */
export function bestSignal(receptions: readonly Reception[]): { rssi?: number; snr?: number } {
  let rssi: number | undefined;
  let snr: number | undefined;
  for (const r of receptions) {
    if (r.rssi !== undefined && (rssi === undefined || r.rssi > rssi)) rssi = r.rssi;
    if (r.snr !== undefined && (snr === undefined || r.snr > snr)) snr = r.snr;
  }
  const out: { rssi?: number; snr?: number } = {};
  if (rssi !== undefined) out.rssi = rssi;
  if (snr !== undefined) out.snr = snr;
  return out;
}

/**
 * How many gateways heard the message. A gateway with several antennas has one rx_metadata entry per antenna,
 * all with its gateway_ids (lorawan-stack's UDP translation and Packet Broker agent both do this), so entries
 * count per gateway: a relay's by its forwarding network and gateway (EUI, else ID), and an entry naming no
 * gateway (a relay hiding its gateway's ID and EUI, or no gateway_ids) once each, as nothing says which it was.
 */
export function gatewayCount(receptions: readonly Reception[]): number {
  // Most uplinks: one entry, one gateway (no set per event on the ingest path).
  if (receptions.length < 2) return receptions.length;
  const seen = new Set<string>();
  let hidden = 0;
  for (const r of receptions) {
    const pb = r.packetBroker;
    const fwd = pb?.forwarderGatewayEui?.toUpperCase() ?? pb?.forwarderGatewayId;
    if (r.gatewayId === PACKET_BROKER_GATEWAY && pb) {
      if (fwd) seen.add(`pb ${pb.forwarderNetId} ${pb.forwarderTenantId} ${fwd}`);
      else hidden++;
    } else if (r.relay?.deviceId) seen.add(`relay ${r.relay.deviceId}`);
    else if (r.gatewayId === '?') hidden++;
    else seen.add(`gw ${r.gatewayId}`);
  }
  return seen.size + hidden;
}

/** One gateway's reading of a message: its best RSSI and best SNR over its antennas. */
export interface GatewaySignal {
  gatewayId: string;
  rssi?: number;
  snr?: number;
}

/**
 * One reading per gateway that heard the message (a Packet Broker relay under the forwarder it names, a
 * LoRaWAN relay under its relay device), in order of first reception: the best RSSI and the best SNR of its
 * antennas, as `bestSignal` takes them over all gateways, so a gateway heard on two antennas counts one
 * uplink in a device's per-gateway rows.
 */
export function gatewayReadings(
  receptions: readonly (GatewaySignal & { packetBroker?: Reception['packetBroker']; relay?: Reception['relay'] })[],
): GatewaySignal[] {
  const by = new Map<string, GatewaySignal>();
  for (const r of receptions) {
    const gatewayId = r.relay?.deviceId
      ? relayGateway(r.relay.deviceId)
      : (r.packetBroker?.forwarderGatewayId ?? r.gatewayId);
    const x = by.get(gatewayId) ?? by.set(gatewayId, { gatewayId }).get(gatewayId)!;
    if (r.rssi !== undefined && (x.rssi === undefined || r.rssi > x.rssi)) x.rssi = r.rssi;
    if (r.snr !== undefined && (x.snr === undefined || r.snr > x.snr)) x.snr = r.snr;
  }
  return [...by.values()];
}

/** The gateway ID of Packet Broker's pseudo-gateway in a relayed uplink's `rx_metadata` (packetbrokeragent). */
export const PACKET_BROKER_GATEWAY = 'packetbroker';

/**
 * The gateway ID the Network Server gives every uplink a LoRaWAN relay forwarded (relayspec.GatewayIdentifiers,
 * v3.28.1+), whichever relay device it was: the relay's device is in the reception's `relay.device_id`.
 */
export const RELAY_GATEWAY = 'relay';

/**
 * What an entry names a LoRaWAN relay by where it names gateways (`gatewayIds`, health lists, `gateway:`):
 * `relay:<device_id>`. A relay is an end device, not a gateway, and every relay shares the one pseudo-gateway
 * `relay`; the colon keeps the name apart from any real gateway's (TTS gateway IDs are [a-z0-9-]).
 */
export const relayGateway = (deviceId: string): string => `${RELAY_GATEWAY}:${deviceId}`;

/** The relay device a `relayGateway` name stands for, else undefined (a gateway, or a relay that named none). */
export function relayDeviceOf(gatewayId: string): string | undefined {
  return gatewayId.startsWith(`${RELAY_GATEWAY}:`) && gatewayId.length > RELAY_GATEWAY.length + 1
    ? gatewayId.slice(RELAY_GATEWAY.length + 1)
    : undefined;
}

/**
 * A gateway as the lists and panels show it: a LoRaWAN relay as the end device it is (`relay device <id>`),
 * so nobody looks for a gateway called `relay:…` in the console; anything else by its ID.
 */
export function gatewayLabel(gatewayId: string): string {
  const device = relayDeviceOf(gatewayId);
  return device ? `relay device ${device}` : gatewayId;
}

/** The pseudo-gateways that stand for others: counted where they hide who that was, else only aliases. */
const PSEUDO_GATEWAYS: ReadonlySet<string> = new Set([PACKET_BROKER_GATEWAY, RELAY_GATEWAY]);

/** Whether a gateway ID is `packetbroker` or `relay`, which stand for other gateways or relays (`receivers`). */
export const isPseudoGateway = (gatewayId: string): boolean => PSEUDO_GATEWAYS.has(gatewayId);

/**
 * Gateways that heard the message: each reception's gateway, for Packet Broker relays the forwarder, and for
 * LoRaWAN relays the relay device (`relayGateway`). A pseudo-gateway (`packetbroker`, `relay`) goes where
 * `receivers` finds it: first when some reception hides whom it stands for (that reception is counted under
 * it), else last, only an alias of the forwarders or relays named before it (found by `gateway:`, never
 * counted).
 */
export function receivingGateways(receptions: readonly Reception[]): string[] {
  const out: string[] = [];
  const hidden: string[] = [];
  const aliases: string[] = [];
  const note = (list: string[], g: string) => {
    if (!list.includes(g)) list.push(g);
  };
  for (const r of receptions) {
    const fwd = r.packetBroker?.forwarderGatewayId;
    if (r.gatewayId === PACKET_BROKER_GATEWAY) note(fwd ? aliases : hidden, PACKET_BROKER_GATEWAY);
    else if (r.relay) {
      if (r.relay.deviceId) {
        note(aliases, RELAY_GATEWAY);
        note(out, relayGateway(r.relay.deviceId));
      } else note(hidden, RELAY_GATEWAY);
    } else note(out, r.gatewayId);
    if (fwd) note(out, fwd);
  }
  return [...hidden, ...out, ...aliases.filter((a) => !hidden.includes(a))];
}

/**
 * The gateways an entry counts as its receivers (health, reports, message groups; ClickHouse's lists do the
 * same in SQL, `RECEIVERS_SQL`): its gateways without the trailing `packetbroker` and `relay` that only stand
 * for the forwarders and relays before them (see `receivingGateways`), so a relayed uplink counts once, under
 * the gateway or relay that heard it. A pseudo-gateway at the front stands for a hidden one and counts.
 */
export function receivers(gatewayIds: string[] | undefined): string[] | undefined {
  const n = gatewayIds?.length ?? 0;
  let end = n;
  while (end > 0 && PSEUDO_GATEWAYS.has(gatewayIds![end - 1]!)) end--;
  // Nothing but pseudo-gateways: each hides whom it stands for, so each counts.
  return end === 0 || end === n ? gatewayIds : gatewayIds!.slice(0, end);
}
