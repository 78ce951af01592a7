/**
 * The built-in stack against PROTOCOL.md, driven by a plain HTTP client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, generateApiKey, type StackHandle } from '../../../src-main/core/stack/server.js';
import { get, objects, post } from '../../helpers/raw-http.js';

const APP = JSON.stringify({ identifiers: [{ application_ids: { application_id: 'demo-app' } }] });
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe('built-in stack conformance', () => {
  let stack: StackHandle;
  let auth: Record<string, string>;
  const gatewayOnly = generateApiKey();
  const infoOnly = generateApiKey();

  beforeAll(async () => {
    stack = await startStack({
      seed: 3,
      scenario: { devices: 2, gateways: 3 },
      keys: [
        {
          key: gatewayOnly,
          rights: { gateway: { 'demo-gateway-1': ['RIGHT_GATEWAY_TRAFFIC_READ'] } },
          owner: { kind: 'gateway', id: 'demo-gateway-1' },
        },
        {
          key: infoOnly,
          rights: { application: { 'demo-app': ['RIGHT_APPLICATION_INFO'] } },
          owner: { kind: 'application', id: 'demo-app' },
        },
      ],
    });
    auth = { Authorization: `Bearer ${stack.demoKey}` };
  });
  afterAll(() => stack.close());

  describe('framing', () => {
    it('event-stream mode: exact Accept, {"result":…} objects each followed by a blank line', async () => {
      const s = await post(stack.url, '/api/v3/events', APP, { ...auth, Accept: 'text/event-stream' });
      expect(s.status).toBe(200);
      expect(s.headers['content-type']).toBe('text/event-stream');
      expect(s.headers['transfer-encoding']).toBe('chunked');
      const requestId = String(s.headers['x-request-id']);
      expect(requestId).toMatch(ULID);
      // One flow at a time: this tail-less subscriber has the server's smallest buffer (8 events).
      for (let i = 0; i < 6; i++) {
        stack.emitFlows(1);
        await new Promise((r) => setTimeout(r, 5));
      }
      const text = await s.until((t) => t.split('\n\n').length > 6);
      s.close();
      expect(text.startsWith('{"result":{"name":"events.stream.start","time":"')).toBe(true);
      const parts = text.split('\n\n');
      for (const p of parts.slice(0, -1)) {
        expect(p).toMatch(/^\{"result":\{"name":"[a-z_.-]+","time":"[^"]+"/);
        expect(p).not.toContain('\n');
        expect(p.startsWith('data:')).toBe(false);
      }
      const startEvent = JSON.parse(parts[0]!).result;
      expect(startEvent.correlation_ids).toEqual([`rpc:/ttn.lorawan.v3.Events/Stream:${requestId}`]);
      expect(startEvent.identifiers).toEqual([{ application_ids: { application_id: 'demo-app' } }]);
      expect(startEvent.data).toBeUndefined();
    });

    it('plain mode: any other Accept gives application/json with one newline per object', async () => {
      for (const accept of [undefined, 'text/event-stream, */*', 'application/json']) {
        const s = await post(stack.url, '/api/v3/events', APP, accept ? { ...auth, Accept: accept } : auth);
        expect(s.headers['content-type']).toBe('application/json');
        await s.until((t) => t.includes('\n'));
        stack.publish(stack.scenario.flow('join', stack.scenario.devices[1]));
        const text = await s.until((t) => t.split('\n').length > 3);
        s.close();
        expect(text).not.toContain('\n\n');
        expect(objects(text)[0]!.result.name).toBe('events.stream.start');
      }
    });

    it('gzip when asked, still flushed per event', async () => {
      const s = await post(stack.url, '/api/v3/events', APP, {
        ...auth,
        Accept: 'text/event-stream',
        'Accept-Encoding': 'gzip',
      });
      expect(s.headers['content-encoding']).toBe('gzip');
      await s.until((t) => t.includes('events.stream.start'));
      stack.publish(stack.scenario.flow('uplink'));
      await s.until((t) => t.includes('as.up.'));
      s.close();
    });

    it('uses the X-Request-Id the client sent', async () => {
      const s = await post(stack.url, '/api/v3/events', APP, { ...auth, 'X-Request-Id': 'my-request-1' });
      const text = await s.until((t) => t.includes('\n'));
      s.close();
      expect(objects(text)[0]!.result.correlation_ids).toEqual(['rpc:/ttn.lorawan.v3.Events/Stream:my-request-1']);
    });
  });

  describe('errors before the first event (PROTOCOL.md 3.2)', () => {
    const cases: Array<[string, string, Record<string, string> | 'auth', number, string | null]> = [
      ['body is not JSON', '{"identifiers":', 'auth', 400, null],
      ['no identifiers', '{}', 'auth', 400, 'pkg/events/grpc:no_identifiers'],
      [
        'invalid identifier',
        '{"identifiers":[{"application_ids":{"application_id":"Bad_ID"}}]}',
        'auth',
        400,
        'pkg/errors:validation',
      ],
      [
        'unknown event name',
        JSON.stringify({ identifiers: [{ application_ids: { application_id: 'demo-app' } }], names: ['as.up.nope'] }),
        'auth',
        400,
        'pkg/events:unknown_event_name',
      ],
      [
        'regex matching nothing',
        JSON.stringify({ identifiers: [{ application_ids: { application_id: 'demo-app' } }], names: ['/^zz\\./'] }),
        'auth',
        400,
        'pkg/events:no_matching_events',
      ],
      [
        'bad regex',
        JSON.stringify({ identifiers: [{ application_ids: { application_id: 'demo-app' } }], names: ['/(/'] }),
        'auth',
        400,
        'pkg/events:invalid_regexp',
      ],
      ['malformed token', APP, { Authorization: 'Bearer not-a-key' }, 400, 'pkg/auth:token'],
      [
        'unknown API key',
        APP,
        { Authorization: `Bearer ${generateApiKey()}` },
        401,
        'pkg/identityserver:api_key_not_found',
      ],
      [
        'non-Bearer scheme',
        APP,
        { Authorization: 'Basic Zm9vOmJhcg==' },
        401,
        'pkg/identityserver:unsupported_authorization',
      ],
      ['missing Bearer prefix', APP, { Authorization: 'NNSXS.X.Y' }, 403, 'pkg/auth/rights:no_application_rights'],
      [
        'no rights on the entity',
        '{"identifiers":[{"application_ids":{"application_id":"other-app"}}]}',
        { Authorization: `Bearer ${gatewayOnly}` },
        403,
        'pkg/auth/rights:no_application_rights',
      ],
    ];
    for (const [what, body, headers, status, id] of cases) {
      it(`${what} → ${status}${id ? ` ${id}` : ' bare {"code":3}'}`, async () => {
        const s = await post(stack.url, '/api/v3/events', body, {
          ...(headers === 'auth' ? auth : headers),
          Accept: 'text/event-stream',
        });
        const text = await s.ended;
        expect(s.status).toBe(status);
        if (id === null) {
          const bare = JSON.parse(text);
          expect(bare.code).toBe(3);
          expect(bare.error).toBeUndefined();
          return;
        }
        expect(s.headers['content-type']).toBe('text/event-stream');
        expect(text.endsWith('}\n\n')).toBe(true);
        const { error } = JSON.parse(text);
        const [namespace, name] = id.split(/:(?=[^:]+$)/);
        expect(error.details[0]).toMatchObject({
          '@type': 'type.googleapis.com/ttn.lorawan.v3.ErrorDetails',
          namespace,
          name,
        });
        expect(error.message).toMatch(new RegExp(`^error:${id.replace(/[/.]/g, '\\$&')} \\(`));
        expect(error.details[0].correlation_id).toMatch(/^[0-9a-f]{32}$/);
      });
    }

    it('wrong key secret → 401 invalid_authorization', async () => {
      const [t, id] = stack.demoKey.split('.');
      const s = await post(stack.url, '/api/v3/events', APP, { Authorization: `Bearer ${t}.${id}.${'A'.repeat(52)}` });
      expect(s.status).toBe(401);
      expect(JSON.parse(await s.ended).error.details[0].name).toBe('invalid_authorization');
    });

    it('names the entity in a rights error', async () => {
      const s = await post(
        stack.url,
        '/api/v3/events',
        '{"identifiers":[{"application_ids":{"application_id":"other-app"}}]}',
        { Authorization: `Bearer ${gatewayOnly}` },
      );
      expect(JSON.parse(await s.ended).error.details[0].attributes).toEqual({ uid: 'other-app' });
    });

    it('429 with X-Rate-Limit headers when rate limited', async () => {
      const limited = await startStack({ rateLimitPerMinute: 1 });
      try {
        const a = { Authorization: `Bearer ${limited.demoKey}` };
        const first = await post(limited.url, '/api/v3/events', APP, a);
        expect(first.status).toBe(200);
        first.close();
        const second = await post(limited.url, '/api/v3/events', APP, a);
        expect(second.status).toBe(429);
        expect(second.headers['x-rate-limit-limit']).toBe('1');
        expect(second.headers['x-rate-limit-available']).toBe('0');
        expect(Number(second.headers['x-rate-limit-retry'])).toBeGreaterThan(0);
        expect(JSON.parse(await second.ended).error.details[0]).toMatchObject({
          name: 'rate_limit_exceeded',
          attributes: { rate: 1 },
        });
      } finally {
        await limited.close();
      }
    });
  });

  describe('filtering', () => {
    it('names: the start event confirms the expanded, sorted list and only those names arrive', async () => {
      const body = JSON.stringify({
        identifiers: [{ application_ids: { application_id: 'demo-app' } }],
        names: ['/^as\\.up\\./', 'js.join.accept'],
      });
      const s = await post(stack.url, '/api/v3/events', body, auth);
      await s.until((t) => t.includes('\n'));
      for (let i = 0; i < 5; i++) stack.emitFlows(4);
      const text = await s.until((t) => t.split('\n').length > 9);
      s.close();
      const [start, ...rest] = objects(text).map((o) => o.result);
      expect(start.data['@type']).toBe('type.googleapis.com/google.protobuf.Value');
      expect(start.data.value).toEqual([...start.data.value].sort());
      expect(start.data.value).toContain('js.join.accept');
      expect(start.data.value).toContain('as.up.data.forward');
      for (const e of rest) expect(e.name === 'js.join.accept' || e.name.startsWith('as.up.')).toBe(true);
    });

    it('application streams get device events only for names that propagate; device streams get all', async () => {
      const dev = stack.scenario.devices[0]!;
      const appStream = await post(stack.url, '/api/v3/events', APP, auth);
      const devStream = await post(
        stack.url,
        '/api/v3/events',
        JSON.stringify({
          identifiers: [{ device_ids: { device_id: dev.deviceId, application_ids: { application_id: 'demo-app' } } }],
        }),
        auth,
      );
      await appStream.until((t) => t.includes('\n'));
      await devStream.until((t) => t.includes('\n'));
      stack.publish(stack.scenario.flow('uplink', dev));
      const devText = await devStream.until((t) => t.includes('as.up.data.forward'));
      const appText = await appStream.until((t) => t.includes('as.up.data.forward'));
      appStream.close();
      devStream.close();
      const appNames = objects(appText).map((o) => o.result.name);
      const devNames = objects(devText).map((o) => o.result.name);
      expect(devNames).toEqual(
        expect.arrayContaining([
          'ns.up.data.receive',
          'ns.up.data.process',
          'as.up.data.receive',
          'as.up.data.forward',
        ]),
      );
      expect(appNames).toContain('as.up.data.forward');
      expect(appNames).not.toContain('ns.up.data.receive');
      expect(appNames).not.toContain('as.up.data.receive');
      expect(appNames.some((n) => n.startsWith('gs.'))).toBe(false);
    });

    it('per-event visibility: a key with only application INFO sees no traffic', async () => {
      const s = await post(stack.url, '/api/v3/events', APP, { Authorization: `Bearer ${infoOnly}` });
      expect(s.status).toBe(200);
      await s.until((t) => t.includes('\n'));
      stack.publish(stack.scenario.flow('uplink', stack.scenario.devices[0]));
      stack.publish(stack.scenario.flow('registry', stack.scenario.devices[0]));
      const text = await s.until((t) => t.includes('application.update'));
      s.close();
      const names = objects(text).map((o) => o.result.name);
      expect(names).toContain('application.create');
      expect(names.filter((n) => n.startsWith('as.') || n.startsWith('end_device.'))).toEqual([]);
    });

    it('gateway streams get gateway traffic only on gateways the key may read', async () => {
      const s = await post(
        stack.url,
        '/api/v3/events',
        '{"identifiers":[{"gateway_ids":{"gateway_id":"demo-gateway-1"}}]}',
        { Authorization: `Bearer ${gatewayOnly}` },
      );
      await s.until((t) => t.includes('\n'));
      for (let i = 0; i < 6; i++) stack.publish(stack.scenario.flow('uplink', stack.scenario.devices[0], 3));
      const text = await s.until((t) => t.includes('gs.up.receive'));
      s.close();
      const events = objects(text)
        .slice(1)
        .map((o) => o.result);
      expect(events.length).toBeGreaterThan(0);
      for (const e of events) expect(e.identifiers[0].gateway_ids.gateway_id).toBe('demo-gateway-1');
    });
  });

  describe('history', () => {
    it('store off: tail/after ignored with X-Warning', async () => {
      stack.emitFlows(2);
      const s = await post(
        stack.url,
        '/api/v3/events',
        JSON.stringify({ identifiers: [{ application_ids: { application_id: 'demo-app' } }], tail: 10 }),
        auth,
      );
      expect(s.headers['x-warning']).toBe('Events storage is not enabled');
      const text = await s.until((t) => t.includes('\n'));
      await new Promise((r) => setTimeout(r, 100));
      s.close();
      expect(objects(s.text()).length).toBe(1);
      expect(text).toContain('events.stream.start');
    });

    it('store on: tail returns the newest events, after returns those strictly later', async () => {
      let now = Date.parse('2026-01-01T00:00:00Z');
      const stored = await startStack({
        store: { enabled: true },
        seed: 9,
        scenario: { devices: 1, gateways: 1 },
        clock: () => now,
      });
      try {
        const a = { Authorization: `Bearer ${stored.demoKey}` };
        const dev = stored.scenario.devices[0]!;
        stored.publish(stored.scenario.flow('join', dev));
        now += 1000;
        const up1 = stored.scenario.flow('uplink', dev);
        stored.publish(up1);
        now += 1000;
        const up2 = stored.scenario.flow('uplink', dev);
        stored.publish(up2);
        const forwards = [...up1, ...up2].filter((e) => e.name === 'as.up.data.forward');

        const tail = await post(
          stored.url,
          '/api/v3/events',
          JSON.stringify({ identifiers: [{ application_ids: { application_id: 'demo-app' } }], tail: 2 }),
          a,
        );
        expect(tail.headers['x-warning']).toBeUndefined();
        const t1 = await tail.until((t) => t.split('\n').length > 3);
        tail.close();
        expect(
          objects(t1)
            .slice(1, 3)
            .map((o) => o.result.unique_id),
        ).toEqual(forwards.map((f) => f.uniqueId));

        const after = await post(
          stored.url,
          '/api/v3/events',
          JSON.stringify({
            identifiers: [{ application_ids: { application_id: 'demo-app' } }],
            after: forwards[0]!.time,
          }),
          a,
        );
        const t2 = await after.until((t) => t.split('\n').length > 2);
        await new Promise((r) => setTimeout(r, 100));
        after.close();
        expect(
          objects(after.text())
            .slice(1)
            .map((o) => o.result.unique_id),
        ).toEqual([forwards[1]!.uniqueId]);
        expect(t2).toContain('as.up.data.forward');

        const related = await get(
          stored.url,
          `/api/v3/events/related?correlation_id=${encodeURIComponent(JSON.parse(forwards[1]!.json).correlation_ids[0])}`,
          a,
        );
        expect(related.status).toBe(200);
        expect(JSON.parse(related.body).events.map((e: { unique_id: string }) => e.unique_id)).toContain(
          forwards[1]!.uniqueId,
        );
      } finally {
        await stored.close();
      }
    });

    it('history older than the payload TTL comes back sparse: the envelope without data', async () => {
      let now = Date.parse('2026-02-01T00:00:00Z');
      const stored = await startStack({
        store: { enabled: true, payloadTtlMs: 10 * 60_000 },
        seed: 8,
        scenario: { devices: 1, gateways: 1 },
        clock: () => now,
      });
      try {
        const dev = stored.scenario.devices[0]!;
        const old = stored.scenario.flow('uplink', dev);
        stored.publish(old);
        now += 15 * 60_000;
        const fresh = stored.scenario.flow('uplink', dev);
        stored.publish(fresh);
        const s = await post(
          stored.url,
          '/api/v3/events',
          JSON.stringify({ identifiers: [{ application_ids: { application_id: 'demo-app' } }], tail: 10 }),
          { Authorization: `Bearer ${stored.demoKey}` },
        );
        await s.until((t) => objects(t).filter((o) => o.result?.name === 'as.up.data.forward').length >= 2);
        s.close();
        const forwards = objects(s.text())
          .filter((o) => o.result?.name === 'as.up.data.forward')
          .map((o) => o.result);
        expect(forwards.map((f: { unique_id: string }) => f.unique_id)).toEqual(
          [old, fresh].map((f) => f.find((e) => e.name === 'as.up.data.forward')!.uniqueId),
        );
        expect(forwards[0].data).toBeUndefined();
        expect(forwards[0].identifiers).toBeDefined();
        expect(forwards[1].data['@type']).toBe('type.googleapis.com/ttn.lorawan.v3.ApplicationUp');
      } finally {
        await stored.close();
      }
    });

    it('related returns events the caller may not see stripped to their envelope', async () => {
      const infoKey = generateApiKey();
      const stored = await startStack({
        store: { enabled: true },
        seed: 5,
        scenario: { devices: 1, gateways: 2 },
        keys: [{ key: infoKey, rights: { application: { 'demo-app': ['RIGHT_APPLICATION_INFO'] } } }],
      });
      try {
        const flow = stored.scenario.flow('uplink', stored.scenario.devices[0]!);
        stored.publish(flow);
        const cid = (
          JSON.parse(flow.find((e) => e.name === 'as.up.data.forward')!.json) as { correlation_ids: string[] }
        ).correlation_ids[0]!;
        const full = JSON.parse(
          (
            await get(stored.url, `/api/v3/events/related?correlation_id=${encodeURIComponent(cid)}`, {
              Authorization: `Bearer ${stored.demoKey}`,
            })
          ).body,
        ).events;
        const limited = JSON.parse(
          (
            await get(stored.url, `/api/v3/events/related?correlation_id=${encodeURIComponent(cid)}`, {
              Authorization: `Bearer ${infoKey}`,
            })
          ).body,
        ).events;
        expect(limited.map((e: { unique_id: string }) => e.unique_id)).toEqual(
          full.map((e: { unique_id: string }) => e.unique_id),
        );
        const asUp = limited.find((e: { name: string }) => e.name === 'as.up.data.forward');
        expect(Object.keys(asUp).sort()).toEqual(['identifiers', 'name', 'origin', 'time', 'unique_id', 'visibility']);
        expect(full.find((e: { name: string }) => e.name === 'as.up.data.forward').data).toBeDefined();
      } finally {
        await stored.close();
      }
    });

    it('related without a store → 400 storage_disabled', async () => {
      const r = await get(stack.url, '/api/v3/events/related?correlation_id=gs:uplink:X', auth);
      expect(r.status).toBe(400);
      expect(JSON.parse(r.body).details[0].name).toBe('storage_disabled');
    });
  });

  it('a key revoked while a stream is open ends it with a final error object', async () => {
    const key = generateApiKey();
    stack.addKey({ key, rights: { application: { 'demo-app': ['RIGHT_APPLICATION_ALL'] } } });
    const s = await post(stack.url, '/api/v3/events', APP, {
      Authorization: `Bearer ${key}`,
      Accept: 'text/event-stream',
    });
    await s.until((t) => t.includes('\n\n'));
    stack.revokeKey(key);
    const text = await s.ended;
    const last = text.trim().split('\n\n').at(-1)!;
    expect(text.endsWith('\n\n')).toBe(true);
    expect(JSON.parse(last).error).toMatchObject({ code: 16, details: [{ name: 'api_key_not_found' }] });
    const again = await post(stack.url, '/api/v3/events', APP, { Authorization: `Bearer ${key}` });
    expect(again.status).toBe(401);
  });

  it('auth_info tells the key owner and rights', async () => {
    const r = await get(stack.url, '/api/v3/auth_info', { Authorization: `Bearer ${gatewayOnly}` });
    const body = JSON.parse(r.body);
    expect(body.api_key.entity_ids).toEqual({ gateway_ids: { gateway_id: 'demo-gateway-1' } });
    expect(body.api_key.api_key.rights).toEqual(['RIGHT_GATEWAY_TRAFFIC_READ']);
  });
});
