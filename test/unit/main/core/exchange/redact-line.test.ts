/**
 * The byte-level redactor of exports gives what the object walk (`redactValue`) gives, event for
 * event and count for count, on real public events, the reference samples, the built-in stack's
 * events and hostile shapes; only the untouched text keeps the server's own spelling.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ByteSink, lineRedactor } from '../../../../../src-main/core/exchange/redact-line.js';
import { makePseudonymizer } from '../../../../../src-main/core/exchange/export-service.js';
import { Scenario } from '../../../../../src-main/core/stack/scenario.js';
import {
  FULL_REDACTION,
  emptyCounts,
  NO_REDACTION,
  redactValue,
  scrubber,
  type RedactionOptions,
} from '../../../../../src-main/shared/export/redact.js';
import { MAX_JSON_DEPTH } from '../../../../../src-main/shared/json/bounded.js';

const real = readdirSync('test/fixtures/real')
  .filter((f) => f.endsWith('.json'))
  .flatMap((f) => (JSON.parse(readFileSync(`test/fixtures/real/${f}`, 'utf8')) as { events: unknown[] }).events);
const samples = JSON.parse(readFileSync('test/fixtures/sample-events.json', 'utf8')) as unknown[];
const scenario = new Scenario({ devices: 20, gateways: 5, seed: 3 }, () => Date.parse('2026-01-01T00:00:00Z'));
const stack: string[] = [];
while (stack.length < 2000) for (const e of scenario.nextFlow()) stack.push(e.json);

let deep: unknown = { frm_payload: 'AQ==', note: 'demo-app' };
for (let i = 0; i < MAX_JSON_DEPTH + 5; i++) deep = { level: deep, device_id: 'dev-1' };
const hostile = [
  // Spelling JSON.parse normalises: spaces, escapes, unicode, numbers.
  '{ "name" : "as.up.data.forward" , "identifiers" : [ { "device_ids" : { "device_id" : "dev\\u002d1" , ' +
    '"application_ids" : { "application_id" : "demo-app" } } } ] , "data" : { "n" : 1.50e3 , "ok" : true , "z" : null } }',
  '{"name":"x","data":{"message":"device \\"dev-1\\" of demo-app failed\\nretry","remote_ip":["10.0.0.1","10.0.0.2"],"ip":"1.2.3.4","peer_address":[]}}',
  '{"name":"x","data":{"constructor":"abc-def","toString":"dev-1","eui":"not-an-eui","gateway_ids":{"eui":"zz"},"dev_eui":""}}',
  '{"name":"x","authentication":{"token_id":"K1","key_id":"K2"},"data":{"token_id":"stays","session_key_id":"AbC=","user_agent":"ttn-lw-cli/3.30 demo-app"}}',
  '{"name":"ünïcödé","data":{"text":"Grüße von dev-1 – demo-app ✓","locations":{"user":{"latitude":52.1}},"decoded_payload":{"a":[1,{"b":2}]}}}',
  JSON.stringify({ name: 'deep', data: deep }),
  // Packet Broker: its pseudo-gateway and router keep their names (in fields and in text); a hop's sender is an IP.
  '{"name":"x","data":{"rx_metadata":[{"gateway_ids":{"gateway_id":"packetbroker"},"packet_broker":{"forwarder_gateway_id":"rak-1",' +
    '"hops":[{"sender_address":"52.169.73.251","receiver_name":"router.eu.packetbroker.net","receiver_agent":"pbr/1.9.2"}]}}],' +
    '"message":"via PacketBroker\\u002e router.eu.packetbroker.net for demo-app.example.com"}}',
  '{"name":"x","data":{"gateway_ids":{"gateway_id":"packetbroker"},"device_id":"packetbroker","addresses":{"ip_addresses":["10.1.2.3"]}}}',
  // A tenant in the context (base64 of TenantIdentifiers): a customer's, TTN's, none, an escaped key, bytes that are none.
  '{"name":"x","context":{"tenant-id":"CglhY21lLWNvcnA="},"data":{"tenant_id":"acme-corp","message":"acme-corp failed"}}',
  '{"name":"x","context":{"tenant-id":"CgN0dG4=","other":"CglhY21lLWNvcnA="},"data":{"context":{"tenant-id":"x"}}}',
  '{"name":"x","context":{"tenant\\u002did":"CglhY21lLWNvcnA="},"data":{"context":{"tenant-id":""}}}',
  '{"name":"x","context":{"tenant-id":"not base64!"},"data":{"tenant-id":"CglhY21lLWNvcnA="}}',
  '{"name":"x","context":{"tenant-id":"EglhY21lLWNvcnA="}}',
];

const lines = [...real.map((e) => JSON.stringify(e)), ...samples.map((e) => JSON.stringify(e)), ...stack, ...hostile];

const ALL = FULL_REDACTION;
const cases: [string, RedactionOptions][] = [
  ...(Object.keys(ALL) as (keyof RedactionOptions)[]).map(
    (k) => [k, { ...NO_REDACTION, [k]: true }] as [string, RedactionOptions],
  ),
  ['all', ALL],
];

describe('byte-level redaction of stored lines', () => {
  it.each(cases)('%s: every line parses to what the object walk gives, with the same counts', (_name, options) => {
    const secret = Buffer.alloc(32, 7);
    const slow = makePseudonymizer(secret);
    const fast = makePseudonymizer(secret);
    // As an export seeds them from the index (which names Packet Broker's pseudo-gateway like any gateway).
    for (const p of [slow, fast])
      for (const [k, v] of [
        ['application', 'demo-app'],
        ['gateway', 'packetbroker'],
      ] as const)
        p.pseudonym(k, v);
    const slowCounts = emptyCounts();
    const fastCounts = emptyCounts();
    const redact = lineRedactor(options, fast.pseudonym, fastCounts, options.pseudonymize ? fast.originals : undefined);
    const slowScrub = options.pseudonymize ? scrubber(slow.originals) : undefined;
    let changed = 0;
    for (const line of lines) {
      const want = redactValue(JSON.parse(line), options, slow.pseudonym, slowCounts, slowScrub);
      const sink = new ByteSink(16);
      expect(redact(Buffer.from(line), sink), line.slice(0, 80)).toBe(true);
      const got = sink.take().toString('utf8');
      expect(JSON.parse(got), line.slice(0, 80)).toEqual(want);
      if (got !== line) changed++;
    }
    expect(fastCounts).toEqual(slowCounts);
    // The corpus exercises each option: a redactor that changed nothing would fail here.
    expect(changed).toBeGreaterThan(10);
  });

  it('copies untouched text byte for byte and hands back what is not JSON', () => {
    const redact = lineRedactor({ ...NO_REDACTION, payloads: true }, () => 'x', emptyCounts());
    const sink = new ByteSink(8);
    sink.put(Buffer.from('before'), 0, 6);
    const line = '{"name":"x","data":{"n":1.50e3,"frm_payload":"AQ=="}}';
    expect(redact(Buffer.from(line), sink)).toBe(true);
    expect(redact(Buffer.from('{"name":"x","data":{"frm_payload":"AQ=="'), sink)).toBe(false);
    expect(redact(Buffer.from('not json'), sink)).toBe(false);
    expect(sink.take().toString()).toBe('before{"name":"x","data":{"n":1.50e3,"frm_payload":"[redacted]"}}');
  });
});
