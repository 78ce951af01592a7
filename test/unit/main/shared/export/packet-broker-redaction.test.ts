/**
 * What a fully redacted export shows of an uplink Packet Broker relayed (as the built-in stack sends it,
 * `--packet-broker`): the relay's hop address is a remote IP and goes; Packet Broker's own names (its
 * pseudo-gateway `packetbroker`, its router's host name) stay as they are; the forwarding gateway gets a
 * pseudonym. Both redactors of an export (the object walk and the byte-level one) give the same.
 */
import { describe, expect, it } from 'vitest';
import { makePseudonymizer } from '../../../../../src-main/core/exchange/export-manifest.js';
import { ByteSink, lineRedactor } from '../../../../../src-main/core/exchange/redact-line.js';
import { Scenario } from '../../../../../src-main/core/stack/scenario.js';
import {
  emptyCounts,
  FULL_REDACTION,
  redactValue,
  scrubber,
  type RedactionCounts,
} from '../../../../../src-main/shared/export/redact.js';

type Json = Record<string, any>;

const scenario = new Scenario({ devices: 3, gateways: 2, seed: 5, packetBrokerShare: 1 }, () =>
  Date.parse('2026-01-01T00:00:00Z'),
);
const relayed: string[] = [];
while (relayed.length < 5)
  for (const e of scenario.nextFlow()) if (e.json.includes('"packet_broker"')) relayed.push(e.json);

/** A managed gateway's backhaul as TTS reports it (ManagedGatewayEventData, cellular_backhaul). */
const managed = JSON.stringify({
  name: 'gcs.managed.cellular_backhaul',
  identifiers: [{ gateway_ids: { gateway_id: 'acme-gw-7' } }],
  data: {
    '@type': 'type.googleapis.com/ttn.lorawan.v3.ManagedGatewayEventData',
    cellular_backhaul: {
      network_interface: { status: 'UP', addresses: { ip_addresses: ['100.64.12.34', '2001:db8::7'] } },
      operator: 'KPN',
    },
  },
});

/** Free text that names Packet Broker's router and a customer's own host (a webhook failing). */
const failed = JSON.stringify({
  name: 'as.webhook.fail',
  identifiers: [{ device_ids: { device_id: 'acme-sensor-1', application_ids: { application_id: 'acme-farm' } } }],
  data: {
    message: 'relayed by packetbroker via router.eu.packetbroker.net; POST https://acme-farm.example.com/up failed',
  },
});

/** `context."tenant-id"` as The Things Stack Cloud sends it: base64 of the protobuf `TenantIdentifiers`. */
const tenantContext = (tenant: string): string =>
  Buffer.concat([Buffer.from([0x0a, tenant.length]), Buffer.from(tenant)]).toString('base64');

/** An uplink on a Cloud tenant named after its customer (ApplicationUplink.network_ids, the event's context). */
const tenantUp = JSON.stringify({
  name: 'as.up.data.forward',
  context: { 'tenant-id': tenantContext('acme-corp') },
  identifiers: [{ device_ids: { device_id: 'acme-sensor-2', application_ids: { application_id: 'acme-farm' } } }],
  data: {
    uplink_message: {
      f_port: 1,
      network_ids: {
        net_id: '000013',
        tenant_id: 'acme-corp',
        cluster_id: 'eu1',
        cluster_address: 'eu1.cloud.thethings.industries',
        tenant_address: 'acme-corp.eu1.cloud.thethings.industries',
      },
    },
  },
});

/** Each line as both redactors of an export give it, with one pseudonymizer each (as an export makes them). */
function exportBoth(lines: string[]): {
  walk: Json[];
  bytes: Json[];
  walkCounts: RedactionCounts;
  byteCounts: RedactionCounts;
} {
  const secret = Buffer.alloc(32, 9);
  const slow = makePseudonymizer(secret);
  const fast = makePseudonymizer(secret);
  // An export seeds pseudonyms from the index first: every gateway a row names, `packetbroker` too.
  for (const p of [slow, fast]) for (const g of ['packetbroker', 'acme-gw-7']) p.pseudonym('gateway', g);
  const walkCounts = emptyCounts();
  const byteCounts = emptyCounts();
  const scrub = scrubber(slow.originals);
  const redact = lineRedactor(FULL_REDACTION, fast.pseudonym, byteCounts, fast.originals);
  const walk: Json[] = [];
  const bytes: Json[] = [];
  for (const line of lines) {
    walk.push(redactValue(JSON.parse(line), FULL_REDACTION, slow.pseudonym, walkCounts, scrub) as Json);
    const sink = new ByteSink();
    expect(redact(Buffer.from(line), sink)).toBe(true);
    bytes.push(JSON.parse(sink.take().toString('utf8')) as Json);
  }
  return { walk, bytes, walkCounts, byteCounts };
}

/** Every rx_metadata entry of an event that Packet Broker relayed. */
const relays = (e: Json): Json[] =>
  JSON.stringify(e).includes('packet_broker')
    ? ((e.data?.uplink_message?.rx_metadata ?? e.data?.rx_metadata ?? []) as Json[]).filter((r) => r.packet_broker)
    : [];

describe('a fully redacted export of Packet Broker relays', () => {
  // The Things Network's own tenant in an event's context, as on a TTN cluster (CgN0dG4=).
  const ttnUp = JSON.stringify({ ...JSON.parse(relayed[0]!), context: { 'tenant-id': tenantContext('ttn') } });
  const { walk, bytes, walkCounts, byteCounts } = exportBoth([...relayed, managed, failed, ttnUp, tenantUp]);

  it('both redactors give the same file and the same counts', () => {
    expect(bytes).toEqual(walk);
    expect(byteCounts).toEqual(walkCounts);
  });

  for (const [name, out] of [
    ['object walk', walk],
    ['byte-level', bytes],
  ] as const) {
    describe(name, () => {
      const text = JSON.stringify(out);
      const rx = out.flatMap(relays);

      it('has relays to look at', () => expect(rx.length).toBeGreaterThan(0));

      it('redacts the address a hop was sent from (an IP or host name) like any remote IP', () => {
        expect(text.includes('52.169.73.251'), 'the hop address is in the file').toBe(false);
        for (const r of rx)
          for (const hop of r.packet_broker.hops as Json[]) expect(hop.sender_address).toBe('[redacted]');
      });

      it("keeps Packet Broker's own names: the pseudo-gateway and its router's host name", () => {
        for (const r of rx) {
          expect(r.gateway_ids.gateway_id).toBe('packetbroker');
          for (const hop of r.packet_broker.hops as Json[]) {
            expect(hop.receiver_name).toBe('router.eu.packetbroker.net');
            expect(hop.receiver_agent).toMatch(/^pbr\//);
          }
        }
        expect(new Set(text.match(/router\.eu\.[^"; ]*/g))).toEqual(new Set(['router.eu.packetbroker.net']));
      });

      it('still gives the forwarding gateway a pseudonym', () => {
        expect(/rak-community-\d/.test(text), 'a forwarder gateway ID is in the file').toBe(false);
        for (const r of rx) expect(r.packet_broker.forwarder_gateway_id).toMatch(/^gateway-[0-9a-f]{10}$/);
      });

      it("gives a customer's tenant a pseudonym, in its address too, and keeps The Things Network's", () => {
        // The tenant's uplink is the last line of the export.
        const ids = out.at(-1)!.data.uplink_message.network_ids;
        expect(ids.tenant_id).toMatch(/^tenant-[0-9a-f]{10}$/);
        expect(ids.tenant_address).toBe(`${ids.tenant_id}.eu1.cloud.thethings.industries`);
        expect(text.includes('acme-corp'), 'the tenant is in the file').toBe(false);
        for (const r of rx) {
          expect(r.packet_broker.forwarder_tenant_id).toBe('ttn');
          expect(r.packet_broker.home_network_tenant_id).toMatch(/^tenant-[0-9a-f]{10}$/);
        }
      });

      it("names a customer's tenant in the event's context by its pseudonym, and keeps The Things Network's", () => {
        const last = out.at(-1)!;
        expect(last.context['tenant-id']).toBe(tenantContext(last.data.uplink_message.network_ids.tenant_id));
        expect(text.includes(tenantContext('acme-corp')), "the tenant's context is in the file").toBe(false);
        expect(out.at(-2)!.context['tenant-id']).toBe('CgN0dG4=');
      });

      it("redacts a managed gateway's interface addresses", () => {
        const backhaul = out.find((e) => e.name === 'gcs.managed.cellular_backhaul')!.data.cellular_backhaul;
        expect(backhaul.network_interface.addresses.ip_addresses).toEqual(['[redacted]', '[redacted]']);
        expect(text.includes('100.64.12.34'), 'an interface address is in the file').toBe(false);
      });

      it("in free text: Packet Broker's names stay, a customer's identifier goes even inside a host name", () => {
        const message = out.find((e) => e.name === 'as.webhook.fail')!.data.message as string;
        expect(message).toMatch(
          /^relayed by packetbroker via router\.eu\.packetbroker\.net; POST https:\/\/app-[0-9a-f]{10}\.example\.com\/up/,
        );
        expect(message).not.toContain('acme-farm');
      });
    });
  }
});
