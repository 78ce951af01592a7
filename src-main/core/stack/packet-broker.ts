/**
 * Uplinks relayed by Packet Broker as the built-in stack sends them: the rx_metadata entry names the
 * `packetbroker` pseudo-gateway and carries the forwarding network's gateway and route.
 */
import { ulid, type Random } from '../../shared/ids.js';

const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');

/** The rx_metadata entry of a Packet Broker relay: the pseudo-gateway, and the forwarder in `packet_broker`. */
export function packetBrokerRx(entry: string, clock: () => number, random: Random): string {
  const rx = JSON.parse(entry) as Record<string, unknown>;
  rx.gateway_ids = { gateway_id: 'packetbroker' };
  const n = 1 + Math.floor(random() * 9);
  rx.packet_broker = {
    message_id: ulid(clock(), random),
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
        received_at: new Date(clock()).toISOString(),
        sender_address: '52.169.73.251',
        receiver_name: 'router.eu.packetbroker.net',
        receiver_agent: 'pbr/1.9.2',
      },
    ],
  };
  delete rx.channel_rssi;
  return JSON.stringify(rx);
}
