/**
 * The built-in stack: a local Things Stack events endpoint (PROTOCOL.md, Appendix B).
 *
 * Used by the Demo stack profile, the tests and the benchmarks. Listens on loopback only.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { seededRandom, ulid } from '../../shared/ids.js';
import { authenticate, authInfo, rightsOn, type StackKey } from './auth.js';
import { errors, type StackError } from './errors.js';
import { Admission } from './admission.js';
import { FleetClock } from './fleet-clock.js';
import { StackHistory, type StoreOptions } from './history.js';
import { expandNames, parseBody, parseIdentifiers } from './request.js';
import { Scenario, type ScenarioOptions, type StackEvent } from './scenario.js';
import { serverBufferSize, Subscription, type Faults } from './subscription.js';
import { namesDefinedIn } from './realism.js';
import { FILTERABLE_NAMES } from '../../shared/tts/catalog.js';

export { serverBufferSize, type Faults } from './subscription.js';
export type { StoreOptions } from './history.js';

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
  // An older release's events API knows only the names that release defined (a filter naming a newer one is refused).
  const release = options.scenario?.release;
  const definedNames = release ? namesDefinedIn(release, FILTERABLE_NAMES) : FILTERABLE_NAMES;
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
  const history = new StackHistory(options.store, clock);
  const subs = new Set<Subscription>();
  const stats: StackStats = { published: 0, sent: 0, dropped: 0, streamsAccepted: 0, openStreams: 0 };
  const admission = new Admission(clock, options.rateLimitPerMinute);

  function publish(events: StackEvent[]): void {
    for (const ev of events) {
      stats.published++;
      history.record(ev);
      for (const s of subs) if (s.matches(ev)) s.sendEvent(ev.json);
    }
    for (const s of subs) s.flush();
  }

  const fleet = new FleetClock(scenario, clock, options.rate ?? 0, publish, () => {
    // Only while every subscriber's channel has room for a burst, so a client that asked for the full
    // buffer loses nothing at full speed (one with an 8-event buffer still does, as on TTS).
    if (subs.size === 0) return false;
    for (const s of subs) if (s.queued > s.capacity / 2 && s.capacity >= 1024) return false;
    return true;
  });
  const startMax = () => fleet.wake();

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

    // The rate limit counts keys that authenticate; the fault's 429 names the key id the request carried.
    const keyId = auth.key?.key.split('.')[1];
    const admitted = admission.check(faults, keyId);
    faults = admitted.faults;
    if (admitted.refusal) return writeError(res, admitted.refusal.error, mode, requestId, admitted.refusal.headers);
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
    const names = expandNames(body.names, definedNames);
    if ('error' in names) return writeError(res, names.error, mode, requestId);

    const wantsHistory = (typeof body.tail === 'number' && body.tail > 0) || typeof body.after === 'string';
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      'Content-Type': mode.contentType,
      'X-Request-Id': requestId,
    };
    if (wantsHistory && !history.enabled) headers['X-Warning'] = 'Events storage is not enabled';
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

    if (wantsHistory && history.enabled) {
      const afterMs = typeof body.after === 'string' ? Math.floor(Date.parse(body.after)) : undefined;
      const tail = typeof body.tail === 'number' ? body.tail : undefined;
      for (const e of ids.entities)
        for (const ev of history.replay(e.key, afterMs, tail))
          if ((!sub.names || sub.names.has(ev.name)) && sub.visible(ev)) sub.sendEvent(history.stored(ev));
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
    json(200, authInfo(auth.key));
  }

  function handleRelated(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const auth = authenticate(req.headers.authorization, keys);
    if (auth.error) return json(auth.error.http, auth.error.status);
    if (!auth.key) return json(401, errors.unsupportedAuthorization().status);
    if (!history.enabled) {
      const e = errors.storageDisabled();
      return json(e.http, e.status);
    }
    const cid = url.searchParams.get('correlation_id') ?? '';
    const found: unknown[] = [];
    for (const ev of history.related(cid)) {
      const full = JSON.parse(history.stored(ev)) as Record<string, unknown>;
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
      fleet.schedule(events);
    },
    setRate(r) {
      fleet.setRate(r);
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
      history.configure(s);
    },
    addKey,
    revokeKey(key) {
      const id = key.split('.')[1] ?? '';
      keys.delete(id);
      for (const s of [...subs]) if (s.key?.key === key) s.endWithError(errors.apiKeyNotFound().status);
    },
    async close() {
      fleet.close();
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
