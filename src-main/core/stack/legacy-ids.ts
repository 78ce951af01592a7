/**
 * Correlation IDs as The Things Stack wrote them before 3.28 (the scenario's `legacy` option), for
 * captures like the Console fixtures of v3.12–v3.13: the long-lived links of a fleet, kept per gateway
 * and application so every event on them names the same link.
 */
import { ulid, type Random } from '../../shared/ids.js';

export interface LegacyGateway {
  gatewayId: string;
  packetBroker?: boolean;
}

export class LegacyIds {
  readonly #appLink = new Map<string, string>();
  readonly #gatewayLink = new Map<string, string>();
  /** Per gateway: its `gs:conn:` and `gs:up:host:` IDs. */
  readonly #gatewayConn = new Map<string, { conn: string; host: string }>();

  constructor(
    private readonly clock: () => number,
    private readonly random: Random,
  ) {}

  /**
   * Rewrite an event's correlation IDs the pre-3.28 way: every component added its own prefix, and the
   * long-lived links sat on every event they touched — the gateway connection (`gs:conn:`, `gs:up:host:`,
   * the gRPC `LinkGateway` call), the AS–NS link (`AsNs/LinkApplication`) and Packet Broker's connection
   * (`pba:conn:up:`). `gs.down.send` kept the message's IDs only inside `data.correlation_ids` (its
   * envelope has the connection and the `ScheduleDownlink` call), with the connection listed twice, as the
   * Console fixtures of v3.12–v3.13 show.
   */
  rewrite(json: string, name: string, g: LegacyGateway, flowIds: { ns: string; as: string }, appId: string): string {
    const ev = JSON.parse(json) as { correlation_ids?: string[]; data?: { correlation_ids?: string[] } };
    const ids = new Set(ev.correlation_ids ?? []);
    const component = name.split('.')[0];
    const linkOf = (map: Map<string, string>, key: string) =>
      map.get(key) ?? map.set(key, ulid(this.clock(), this.random)).get(key)!;
    const onUplinkPath = [...ids].some((i) => i.startsWith('gs:uplink:'));
    if (g.packetBroker && (component === 'ns' || component === 'as'))
      ids.add(`pba:conn:up:${linkOf(this.#gatewayLink, 'packetbroker')}`);
    if (onUplinkPath && !g.packetBroker) {
      let conn = this.#gatewayConn.get(g.gatewayId);
      if (!conn)
        this.#gatewayConn.set(
          g.gatewayId,
          (conn = { conn: ulid(this.clock(), this.random), host: ulid(this.clock(), this.random) }),
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
}
