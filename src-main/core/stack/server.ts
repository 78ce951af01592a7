/**
 * The built-in stack: a local Things Stack events endpoint (PROTOCOL.md, Appendix B).
 *
 * Used by the Demo stack profile, the tests and the benchmarks. Listens on loopback only.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { seededRandom, ulid } from '../../shared/ids.js';
import type { EntityKind } from '../../shared/tts/types.js';
import { authenticate, rightsOn, type StackKey } from './auth.js';
import { errors, type StackError } from './errors.js';
import { entityKey, expandNames, parseBody, parseIdentifiers } from './request.js';
import { Scenario, type ScenarioOptions, type StackEvent } from './scenario.js';
import { serverBufferSize, Subscription, type Faults } from './subscription.js';

export { serverBufferSize, type Faults } from './subscription.js';

export interface StoreOptions {
  enabled: boolean;
  /** Events kept per entity (TTS `entity-count`, default 100). */
  entityCount?: number;
  /**
   * How long full payloads are kept (TTS `events.redis.store.ttl`, 10 min by default; unset here = for
   * ever). Older history comes back sparse: the envelope without `data`, as the Redis store returns it.
   */
  payloadTtlMs?: number;
}

export interface StackOptions {
  port?: number;
  host?: string;
  keys?: StackKey[];
  /** The full-rights key to accept (generated when absent); the Demo stack profile keeps it in the keychain. */
  demoKey?: string;
  scenario?: ScenarioOptions;
  /** Events per second the fleet produces; 0 = only what tests emit. */
  rate?: number;
  store?: StoreOptions;
  faults?: Faults;
  /** Stream requests per minute per key before 429 (unset = no limit, like a default deployment). */
  rateLimitPerMinute?: number;
  seed?: number;
  clock?: () => number;
}

export interface StackStats {
  published: number;
  sent: number;
  /**
   * Events dropped because a subscriber's channel was full (`clamp(tail, 8, 1024)` events, as on TTS),
   * counted as they are dropped. The client is never told.
   */
  dropped: number;
  streamsAccepted: number;
  openStreams: number;
}

export interface StackHandle {
  url: string;
  port: number;
  /** A key with every right, generated for this instance. */
  demoKey: string;
  scenario: Scenario;
  stats: StackStats;
  /** Generate `n` flows now and publish them; returns the events. */
  emitFlows(n: number): StackEvent[];
  publish(events: StackEvent[]): void;
  /** Publish each event when its time comes (flows made with `realistic` timing). */
  schedule(events: StackEvent[]): void;
  setRate(eventsPerSecond: number): void;
  /** Faults for streams opened from now on. */
  setFaults(faults: Faults): void;
  /** Apply faults to every open stream now. */
  injectFaults(faults: Faults): void;
  /** Kill open stream connections (as a network failure would): all, or those using `apiKey`. */
  killStreams(apiKey?: string): void;
  setStore(options: StoreOptions): void;
  addKey(key: StackKey): void;
  /** Delete a key: open streams with it end with a final error, new ones get 401. */
  revokeKey(key: string): void;
  close(): Promise<void>;
}

/** Make a key in the real format: `NNSXS.<39 base32>.<52 base32>`. */
export function generateApiKey(random: () => number = Math.random): string {
  const a = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const part = (n: number) => Array.from({ length: n }, () => a[Math.floor(random() * 32)]).join('');
  return `NNSXS.${part(39)}.${part(52)}`;
}

const SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  Vary: 'Accept-Encoding',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'SAMEORIGIN',
  'X-Xss-Protection': '1; mode=block',
};

/** Start the stack. Resolves once it listens. */
export async function startStack(options: StackOptions = {}): Promise<StackHandle> {
  const clock = options.clock ?? Date.now;
  const random = seededRandom((options.seed ?? 1) ^ 0x5eed);
  const scenario = new Scenario({ ...options.scenario, seed: options.scenario?.seed ?? options.seed ?? 1 }, clock);
  const demoKey = options.demoKey ?? randomApiKey();
  const keys = new Map<string, StackKey>();
  const addKey = (k: StackKey) => keys.set(k.key.split('.')[1] ?? '', k);
  addKey({
    key: demoKey,
    rights: {
      application: { '*': ['RIGHT_APPLICATION_ALL'] },
      gateway: { '*': ['RIGHT_GATEWAY_ALL'] },
      organization: { '*': ['RIGHT_ORGANIZATION_ALL'] },
      user: { '*': ['RIGHT_USER_ALL'] },
    },
    owner: { kind: 'user', id: 'admin' },
  });
  for (const k of options.keys ?? []) addKey(k);

  let faults: Faults = { ...options.faults };
  let store: StoreOptions & { entityCount: number } = {
    ...options.store,
    enabled: options.store?.enabled ?? false,
    entityCount: options.store?.entityCount ?? 100,
  };
  /** A stored event as history returns it: whole while its payload lives, its envelope after. */
  const fromStore = (ev: StackEvent): string => {
    if (store.payloadTtlMs === undefined || clock() - ev.ms <= store.payloadTtlMs) return ev.json;
    const { data: _data, ...sparse } = JSON.parse(ev.json) as Record<string, unknown>;
    return JSON.stringify(sparse);
  };
  const history = new Map<string, StackEvent[]>();
  const subs = new Set<Subscription>();
  const stats: StackStats = { published: 0, sent: 0, dropped: 0, streamsAccepted: 0, openStreams: 0 };
  const rateWindow = new Map<string, { start: number; count: number }>();

  function remember(key: string, ev: StackEvent): void {
    let list = history.get(key);
    if (!list) history.set(key, (list = []));
    list.push(ev);
    // Trim in steps, like Redis' approximate MAXLEN ~.
    if (list.length > store.entityCount * 1.5) list.splice(0, list.length - store.entityCount);
  }

  function publish(events: StackEvent[]): void {
    for (const ev of events) {
      stats.published++;
      if (store.enabled) {
        remember(entityKey(ev.entity.kind, ev.entity.id, ev.entity.application), ev);
        if (ev.entity.kind === 'device' && ev.propagates) remember(`application:${ev.entity.application ?? ''}`, ev);
      }
      for (const s of subs) if (s.matches(ev)) s.sendEvent(ev.json);
    }
    for (const s of subs) s.flush();
  }

  // The fleet's clock: a budget of events per tick, spent in whole flows. Each flow's events are spread
  // over the time a real stack takes (dedup window, RX1/RX2, TX ack) and published when their time comes.
  let rate = options.rate ?? 0;
  let budget = 0;
  let lastTick = clock();
  /** Generated events not yet due, oldest first. */
  let pending: StackEvent[] = [];
  const timer = setInterval(() => {
    const now = clock();
    if (rate === Infinity) return void (lastTick = now);
    budget = Math.min(budget + ((now - lastTick) / 1000) * rate, Math.max(rate, 50));
    lastTick = now;
    let added = false;
    while (budget >= 1) {
      const flow = scenario.nextFlow(true);
      budget -= flow.length;
      pending.push(...flow);
      added = true;
    }
    if (added) pending.sort((a, b) => a.ms - b.ms || (a.time < b.time ? -1 : 1));
    let due = 0;
    while (due < pending.length && pending[due]!.ms <= now) due++;
    if (due > 0) {
      const batch = pending.slice(0, due);
      pending = pending.slice(due);
      publish(batch);
    }
  }, 10);
  timer.unref();
  // `rate: Infinity` ("as fast as the clients read"): generate a burst whenever no subscriber has more
  // than half a full channel waiting, so the stack runs at full speed with bounded memory. While one has,
  // or nobody listens, the loop sleeps until a subscriber's channel empties or one comes or goes (it used
  // to poll with setImmediate, which took a core from the client it was waiting for).
  let maxLoop: NodeJS.Immediate | undefined;
  const pump = () => {
    maxLoop = undefined;
    if (rate !== Infinity) return;
    // Generate only while every subscriber's channel has room for a burst, so a client that asked for the
    // full buffer loses nothing at full speed (one with an 8-event buffer still does, as on TTS).
    if (subs.size === 0) return;
    for (const s of subs) if (s.queued > s.capacity / 2 && s.capacity >= 1024) return;
    const batch: StackEvent[] = [];
    while (batch.length < 400) for (const ev of scenario.nextFlow()) batch.push(ev);
    publish(batch);
    startMax();
  };
  const startMax = () => {
    if (rate === Infinity && !maxLoop) maxLoop = setImmediate(pump);
  };
  startMax();

  function writeError(
    res: http.ServerResponse,
    e: StackError,
    mode: Mode,
    requestId: string,
    extra: Record<string, string> = {},
  ): void {
    res.writeHead(e.http, {
      ...SECURITY_HEADERS,
      'Content-Type': mode.contentType,
      'X-Request-Id': requestId,
      ...extra,
    });
    res.end(`${JSON.stringify({ error: e.status })}${mode.delimiter}`);
  }

  interface Mode {
    contentType: string;
    delimiter: string;
  }

  async function handleStream(req: http.IncomingMessage, res: http.ServerResponse, requestId: string): Promise<void> {
    // grpc-gateway picks the marshaler by exact string match of the Accept header (PROTOCOL.md 2.1).
    const sse = req.headers.accept === 'text/event-stream';
    const mode: Mode = sse
      ? { contentType: 'text/event-stream', delimiter: '\n\n' }
      : { contentType: 'application/json', delimiter: '\n' };
    const text = await readBody(req);
    const parsed = parseBody(text);
    if ('decodeError' in parsed) {
      res.writeHead(400, { ...SECURITY_HEADERS, 'Content-Type': 'application/json', 'X-Request-Id': requestId });
      res.end(JSON.stringify({ code: 3, message: parsed.decodeError }));
      return;
    }
    const body = parsed.request;
    const auth = authenticate(req.headers.authorization, keys);

    if (faults.httpError && (faults.httpErrorCount ?? 1) > 0) {
      const status = faults.httpError;
      if (faults.httpErrorCount !== undefined) faults = { ...faults, httpErrorCount: faults.httpErrorCount - 1 };
      if (status === 429) {
        const retry = String(faults.retryAfterSec ?? 1);
        return writeError(
          res,
          errors.rateLimited(
            `grpc:stream:accept:/ttn.lorawan.v3.Events/Stream:token:${auth.key?.key.split('.')[1] ?? 'anonymous'}`,
            1,
          ),
          mode,
          requestId,
          {
            'X-Rate-Limit-Limit': '1',
            'X-Rate-Limit-Available': '0',
            'X-Rate-Limit-Reset': retry,
            'X-Rate-Limit-Retry': retry,
          },
        );
      }
      return writeError(res, status === 503 ? errors.unavailable() : errors.internal(), mode, requestId);
    }
    if (options.rateLimitPerMinute !== undefined && auth.key) {
      const id = auth.key.key.split('.')[1]!;
      const now = clock();
      const w = rateWindow.get(id);
      const win = !w || now - w.start >= 60_000 ? { start: now, count: 0 } : w;
      win.count++;
      rateWindow.set(id, win);
      const limit = options.rateLimitPerMinute;
      const reset = String(Math.ceil((win.start + 60_000 - now) / 1000));
      if (win.count > limit) {
        return writeError(
          res,
          errors.rateLimited(`grpc:stream:accept:/ttn.lorawan.v3.Events/Stream:token:${id}`, limit),
          mode,
          requestId,
          {
            'X-Rate-Limit-Limit': String(limit),
            'X-Rate-Limit-Available': '0',
            'X-Rate-Limit-Reset': reset,
            'X-Rate-Limit-Retry': reset,
          },
        );
      }
    }
    const ids = parseIdentifiers(body.identifiers);
    if ('error' in ids) return writeError(res, ids.error, mode, requestId);
    if (auth.error) return writeError(res, auth.error, mode, requestId);
    for (const e of ids.entities) {
      const has = auth.key ? rightsOn(auth.key, e.kind, e.id, e.application).size > 0 : false;
      if (!has)
        return writeError(
          res,
          errors.noRights(e.kind, e.kind === 'device' ? (e.application ?? '') : e.id),
          mode,
          requestId,
        );
    }
    const names = expandNames(body.names);
    if ('error' in names) return writeError(res, names.error, mode, requestId);

    const wantsHistory = (typeof body.tail === 'number' && body.tail > 0) || typeof body.after === 'string';
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      'Content-Type': mode.contentType,
      'X-Request-Id': requestId,
    };
    if (wantsHistory && !store.enabled) headers['X-Warning'] = 'Events storage is not enabled';
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    if (gzip) headers['Content-Encoding'] = 'gzip';
    res.writeHead(200, headers);
    res.flushHeaders();
    req.socket.setNoDelay(true);

    const sub = new Subscription(
      res,
      ids.entities,
      names.names.length > 0 ? new Set(names.names) : undefined,
      auth.key,
      mode.delimiter,
      gzip,
      { ...faults },
      random,
      (s) => {
        subs.delete(s);
        stats.openStreams = subs.size;
        stats.sent += s.sent;
        startMax();
      },
      () => stats.dropped++,
      serverBufferSize(typeof body.tail === 'number' ? body.tail : undefined),
    );
    stats.streamsAccepted++;

    const start: Record<string, unknown> = {
      name: 'events.stream.start',
      time: new Date(clock()).toISOString(),
      identifiers: body.identifiers,
    };
    if (names.names.length > 0)
      start.data = { '@type': 'type.googleapis.com/google.protobuf.Value', value: names.names };
    start.correlation_ids = [`rpc:/ttn.lorawan.v3.Events/Stream:${requestId}`];
    start.origin = 'ttn-lw-stack';
    start.unique_id = ulid(clock(), random);
    sub.sendRaw(`{"result":${JSON.stringify(start)}}${mode.delimiter}`);

    if (wantsHistory && store.enabled) {
      const afterMs = typeof body.after === 'string' ? Math.floor(Date.parse(body.after)) : undefined;
      for (const e of ids.entities) {
        let list = (history.get(e.key) ?? []).filter(
          (ev) => afterMs === undefined || Number.isNaN(afterMs) || ev.ms > afterMs,
        );
        if (typeof body.tail === 'number' && body.tail > 0) list = list.slice(-body.tail);
        for (const ev of list)
          if ((!sub.names || sub.names.has(ev.name)) && sub.visible(ev)) sub.sendEvent(fromStore(ev));
      }
    }
    subs.add(sub);
    stats.openStreams = subs.size;
    sub.onRoom = startMax;
    sub.flush();
    startMax();
  }

  function handleAuthInfo(req: http.IncomingMessage, res: http.ServerResponse): void {
    const auth = authenticate(req.headers.authorization, keys);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (auth.error) return json(auth.error.http, auth.error.status);
    if (!auth.key) return json(200, {});
    const k = auth.key;
    const rights = [...new Set(Object.values(k.rights).flatMap((t) => Object.values(t ?? {}).flat()))].sort();
    const owner = k.owner ?? { kind: 'user' as EntityKind, id: 'admin' };
    const entityIds =
      owner.kind === 'application'
        ? { application_ids: { application_id: owner.id } }
        : owner.kind === 'gateway'
          ? { gateway_ids: { gateway_id: owner.id } }
          : owner.kind === 'organization'
            ? { organization_ids: { organization_id: owner.id } }
            : { user_ids: { user_id: owner.id } };
    json(200, {
      api_key: {
        api_key: { id: k.key.split('.')[1], rights, created_at: '2024-10-28T10:00:00Z' },
        entity_ids: entityIds,
      },
      universal_rights: [],
    });
  }

  function handleRelated(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const auth = authenticate(req.headers.authorization, keys);
    if (auth.error) return json(auth.error.http, auth.error.status);
    if (!auth.key) return json(401, errors.unsupportedAuthorization().status);
    if (!store.enabled) {
      const e = errors.storageDisabled();
      return json(e.http, e.status);
    }
    const cid = url.searchParams.get('correlation_id') ?? '';
    const needle = `"${cid}"`;
    const seen = new Set<string>();
    const found: unknown[] = [];
    for (const list of history.values()) {
      for (const ev of list) {
        if (seen.has(ev.uniqueId) || !ev.json.includes(needle)) continue;
        seen.add(ev.uniqueId);
        const full = JSON.parse(fromStore(ev)) as Record<string, unknown>;
        // Events the caller may not see come back stripped to their envelope (grpc.go FindRelated).
        const key = auth.key;
        const canSee =
          ev.rights.length === 0 ||
          ev.rights.some((r) => rightsOn(key, ev.entity.kind, ev.entity.id, ev.entity.application).has(r));
        found.push(
          canSee
            ? full
            : Object.fromEntries(
                ['name', 'time', 'identifiers', 'origin', 'visibility', 'unique_id']
                  .filter((k) => k in full)
                  .map((k) => [k, full[k]]),
              ),
        );
      }
    }
    found.sort((a, b) => String((a as { time: string }).time).localeCompare(String((b as { time: string }).time)));
    json(200, { events: found.slice(0, 100) });
  }

  const server = http.createServer((req, res) => {
    const requestId = (req.headers['x-request-id'] as string | undefined) ?? ulid(clock(), random);
    const url = new URL(req.url ?? '/', 'http://stack');
    if (req.method === 'POST' && url.pathname === '/api/v3/events') {
      handleStream(req, res, requestId).catch(() => res.destroy());
    } else if (req.method === 'GET' && url.pathname === '/api/v3/events/related') {
      handleRelated(req, res, url);
    } else if (req.method === 'GET' && url.pathname === '/api/v3/auth_info') {
      handleAuthInfo(req, res);
    } else {
      res.writeHead(404, { ...SECURITY_HEADERS, 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ code: 5, message: 'Not Found' }));
    }
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    demoKey,
    scenario,
    stats,
    emitFlows(n) {
      const out: StackEvent[] = [];
      for (let i = 0; i < n; i++) out.push(...scenario.nextFlow());
      publish(out);
      return out;
    },
    publish,
    schedule(events) {
      pending.push(...events);
      pending.sort((a, b) => a.ms - b.ms || (a.time < b.time ? -1 : 1));
    },
    setRate(r) {
      rate = r;
      startMax();
      lastTick = clock();
    },
    setFaults(f) {
      faults = { ...f };
    },
    injectFaults(f) {
      for (const s of subs) s.faults = { ...s.faults, ...f };
    },
    killStreams(apiKey) {
      for (const s of [...subs]) if (apiKey === undefined || s.key?.key === apiKey) s.kill();
    },
    setStore(s) {
      store = { ...s, entityCount: s.entityCount ?? store.entityCount };
      if (!s.enabled) history.clear();
    },
    addKey,
    revokeKey(key) {
      const id = key.split('.')[1] ?? '';
      keys.delete(id);
      for (const s of [...subs]) if (s.key?.key === key) s.endWithError(errors.apiKeyNotFound().status);
    },
    async close() {
      clearInterval(timer);
      rate = 0;
      pending = [];
      if (maxLoop) clearImmediate(maxLoop);
      for (const s of [...subs]) s.kill();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function readBody(req: http.IncomingMessage, limit = 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A fresh random key for a stack instance (exported for the CLI and the demo profile). */
export const randomApiKey = (): string => generateApiKey(() => randomBytes(1)[0]! / 256);
