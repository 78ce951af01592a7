/**
 * `event-desk subscribe`: `ttn-lw-cli events subscribe`, but lossless. The app's stream sessions
 * (reconnect, resume with `after`, dedupe by `unique_id`, gaps recorded) and its crash-safe capture
 * file, with events on stdout exactly as received.
 */
import { promises as fs } from 'node:fs';
import type { EntityRef, StreamEventsRequest, TtsEvent } from '../shared/tts/types.js';
import { entityIdProblem, toIdentifiers } from '../shared/tts/types.js';
import type { StreamState } from '../shared/domain/stream.js';
import type { AppError } from '../shared/result.js';
import { redactSecrets } from '../shared/redact.js';
import { CaptureFile, STATUS_KEY, type StatusEntry } from '../core/capture/capture-file.js';
import { ClickHouseSink, type SinkState } from '../core/clickhouse/sink.js';
import { describeTarget, parseClickHouseUrl, type ClickHouseTarget } from '../core/clickhouse/target.js';
import { runStream } from '../core/stream/stream-client.js';
import { StreamSession, type SessionStats } from '../core/stream/stream-session.js';
import type { BackoffOptions } from '../core/stream/backoff.js';
import {
  CommandError,
  EXIT,
  UsageError,
  parseAfter,
  parseCommand,
  parseCount,
  parseDuration,
  splitList,
  type ExitCode,
} from './args.js';
import { exitCodeFor, findProfile, openProfiles, type Io } from './context.js';

export const SUBSCRIBE_HELP = `Usage: event-desk subscribe ENTITIES KEY [options]

Subscribe to a Things Stack's events (POST /api/v3/events) and print them as they come: one event
per line (NDJSON), exactly as the server sent it. Unlike ttn-lw-cli it does not exit on a network
error: it reconnects, resumes where it stopped (after the last event, duplicates dropped), and says
on stderr, and in the --output capture, when a window could not be recovered (a gap).

Entities (each repeatable, or comma-separated, as in ttn-lw-cli):
  --application-id ID      --gateway-id ID       --organization-id ID
  --device-id ID           (needs --application-id; combined with every application, as in
                            ttn-lw-cli: the applications themselves are then not subscribed)
  --user-id ID             --client-id ID

Server and key (never the key itself as an argument: it would show in ps):
  --profile NAME           a profile of the Event Desk app (key from the OS keychain)
  --server URL             the stack's base URL, with one of:
    --api-key-env VAR        the key is in environment variable VAR
    --api-key-file FILE      the key is in FILE
    --ca FILE                PEM CA certificate(s) of a private deployment
  --data-dir DIR           the app's data folder (default: EVENT_DESK_DATA, else the app's own)

What to ask for:
  --names a,b,/regex/      event names, exact or /regex/ (the server checks them)
  --tail N                 also the last N events of each entity (needs the server's events store)
  --after TIME             also history after TIME: RFC 3339, or a duration ago (10m, 2h)

Output and when to stop:
  --output FILE, -o FILE   also write the capture file the app writes (appended to if it exists;
                           status entries such as gaps and reconnects included)
  --format ndjson|pretty   ndjson (default), or indented JSON like ttn-lw-cli
  --clickhouse URL         also record to ClickHouse: http://[USER@]HOST:8123[/DATABASE] (database
                           event_desk by default; tables created on first use). Needs --output: the
                           capture is the spool, so nothing is lost while ClickHouse is down or slow.
                           The password, if any, from CLICKHOUSE_PASSWORD.
  --count N                stop after N events
  --duration D             stop after D (30s, 10m, 1h30m)
  Ctrl-C / SIGTERM         stop cleanly: everything received is written, then a closing status entry

On stderr: reconnects and gaps as they happen, a one-line live status when it is a terminal
(events/s, total, reconnects, gaps), and a summary at the end.

Exit codes: 0 done, 2 bad arguments, 3 the server refused the key or its rights, 4 could not connect
(the first connection; once connected it reconnects for ever), 1 anything else.

Examples:
  event-desk subscribe --application-id app1 --profile "TTN EU1"
  TTS_API_KEY=NNSXS.… event-desk subscribe --server https://eu1.cloud.thethings.network \\
      --api-key-env TTS_API_KEY --application-id app1 --device-id dev1,dev2 -o app1.ndjson
  event-desk subscribe --gateway-id gtw1 --names gs.up.receive,/^gs\\.status/ --profile prod --count 10
  event-desk subscribe --application-id app1 --profile prod --after 1h --duration 10m --format pretty
`;

export type KeySource =
  | { kind: 'profile'; name: string }
  | { kind: 'server'; url: string; key: { env: string } | { file: string }; caFile?: string };

export interface SubscribeOptions {
  entities: EntityRef[];
  request: StreamEventsRequest;
  source: KeySource;
  dataDir?: string;
  output?: string;
  format: 'ndjson' | 'pretty';
  count?: number;
  durationMs?: number;
  clickhouse?: ClickHouseTarget;
}

const ENTITY_FLAGS = [
  ['application-id', 'application'],
  ['gateway-id', 'gateway'],
  ['organization-id', 'organization'],
  ['user-id', 'user'],
  ['client-id', 'client'],
] as const;

const OPTIONS = {
  'application-id': { type: 'string', multiple: true },
  'device-id': { type: 'string', multiple: true },
  'gateway-id': { type: 'string', multiple: true },
  'organization-id': { type: 'string', multiple: true },
  'user-id': { type: 'string', multiple: true },
  'client-id': { type: 'string', multiple: true },
  names: { type: 'string', multiple: true },
  tail: { type: 'string' },
  after: { type: 'string' },
  profile: { type: 'string' },
  server: { type: 'string' },
  'api-key-env': { type: 'string' },
  'api-key-file': { type: 'string' },
  ca: { type: 'string' },
  'data-dir': { type: 'string' },
  output: { type: 'string', short: 'o' },
  format: { type: 'string' },
  count: { type: 'string' },
  duration: { type: 'string' },
  clickhouse: { type: 'string' },
} as const;

/** Parse and check the command line; pure, so every rule is unit-tested. `null` means `--help`. */
export function parseSubscribeArgs(argv: string[], now: number): SubscribeOptions | null {
  const { values } = parseCommand('subscribe', argv, OPTIONS);
  if (values.help) return null;
  const entities: EntityRef[] = [];
  const check = (flag: string, kind: EntityRef['kind'], id: string) => {
    const problem = entityIdProblem(kind, id);
    if (problem) throw new UsageError(`--${flag}: ${problem}`);
  };
  const apps = splitList(values['application-id']);
  const devices = splitList(values['device-id']);
  if (devices.length > 0) {
    if (apps.length === 0)
      throw new UsageError(
        '--device-id needs --application-id: a device ID is unique only within its application, e.g. --application-id app1 --device-id dev1.',
      );
    for (const app of apps) {
      check('application-id', 'application', app);
      for (const dev of devices) {
        check('device-id', 'device', dev);
        entities.push({ kind: 'device', id: dev, application: app });
      }
    }
  }
  for (const [flag, kind] of ENTITY_FLAGS) {
    if (flag === 'application-id' && devices.length > 0) continue;
    for (const id of splitList(values[flag])) {
      check(flag, kind, id);
      entities.push({ kind, id });
    }
  }
  if (entities.length === 0)
    throw new UsageError(
      'Name at least one entity: --application-id, --device-id (with --application-id), --gateway-id, --organization-id, --user-id or --client-id.',
    );

  const request: StreamEventsRequest = { identifiers: entities.map(toIdentifiers) };
  const names = splitList(values.names);
  if (names.length) request.names = names;
  if (values.tail !== undefined) {
    const tail = parseCount('--tail', values.tail, true);
    if (tail > 0) request.tail = tail;
  }
  if (values.after !== undefined) request.after = parseAfter(values.after, now);

  let source: KeySource;
  const keyFlags = (['api-key-env', 'api-key-file'] as const).filter((f) => values[f] !== undefined);
  if (values.profile !== undefined && values.server !== undefined)
    throw new UsageError('Give either --profile NAME or --server URL, not both.');
  if (values.profile !== undefined) {
    if (keyFlags.length)
      throw new UsageError(
        `--${keyFlags[0]} goes with --server; a --profile keeps its key in the OS keychain (set it with: event-desk profiles set-key NAME).`,
      );
    if (values.ca !== undefined)
      throw new UsageError('--ca goes with --server; a --profile carries its own CA certificate.');
    source = { kind: 'profile', name: values.profile };
  } else if (values.server !== undefined) {
    if (!/^https?:\/\/[^/\s]+/i.test(values.server))
      throw new UsageError(
        `--server "${values.server}" is not a URL: use the stack's base URL, e.g. --server https://eu1.cloud.thethings.network.`,
      );
    if (keyFlags.length !== 1)
      throw new UsageError(
        keyFlags.length
          ? 'Give only one of --api-key-env and --api-key-file.'
          : '--server needs a key: --api-key-env VAR (the key is in that environment variable) or --api-key-file FILE. Never the key itself: it would show in ps.',
      );
    const key =
      values['api-key-env'] !== undefined ? { env: values['api-key-env'] } : { file: values['api-key-file']! };
    source = {
      kind: 'server',
      url: values.server.replace(/\/+$/, ''),
      key,
      ...(values.ca !== undefined ? { caFile: values.ca } : {}),
    };
  } else
    throw new UsageError(
      'Say which server: --profile NAME (an Event Desk profile), or --server URL with --api-key-env VAR or --api-key-file FILE.',
    );

  const format = values.format ?? 'ndjson';
  if (format !== 'ndjson' && format !== 'pretty')
    throw new UsageError(
      `--format "${format}" is not known: use --format ndjson (one event per line) or --format pretty (indented, like ttn-lw-cli).`,
    );

  const out: SubscribeOptions = { entities, request, source, format };
  if (values['data-dir'] !== undefined) out.dataDir = values['data-dir'];
  if (values.output !== undefined) out.output = values.output;
  if (values.count !== undefined) out.count = parseCount('--count', values.count);
  if (values.duration !== undefined) out.durationMs = parseDuration('--duration', values.duration);
  if (values.clickhouse !== undefined) {
    if (values.output === undefined)
      throw new UsageError(
        '--clickhouse sends what the capture file holds: add --output FILE (it is the spool while ClickHouse is away).',
      );
    try {
      out.clickhouse = parseClickHouseUrl(values.clickhouse);
    } catch (e) {
      throw new UsageError(`--clickhouse: ${(e as Error).message}`);
    }
  }
  return out;
}

/** Where to connect and with which key, for `--server` or `--profile`. */
async function endpoint(
  opts: SubscribeOptions,
  io: Io,
): Promise<{ urls: string[]; apiKey: string; ca?: string; dispose: () => Promise<void> }> {
  const source = opts.source;
  if (source.kind === 'server') {
    let apiKey: string;
    if ('env' in source.key) {
      const v = io.env[source.key.env];
      if (!v || !v.trim())
        throw new CommandError(
          `--api-key-env ${source.key.env}: that environment variable is not set or empty. Export the key in it first (e.g. read -rs ${source.key.env}; export ${source.key.env}).`,
          EXIT.usage,
        );
      apiKey = v.trim();
    } else {
      try {
        apiKey = (await fs.readFile(source.key.file, 'utf8')).trim();
      } catch (e) {
        throw new CommandError(
          `--api-key-file ${source.key.file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}.`,
          EXIT.usage,
        );
      }
      if (!apiKey)
        throw new CommandError(`--api-key-file ${source.key.file} is empty: put the API key in it.`, EXIT.usage);
    }
    let ca: string | undefined;
    if (source.caFile !== undefined) {
      try {
        ca = await fs.readFile(source.caFile, 'utf8');
      } catch (e) {
        throw new CommandError(`--ca ${source.caFile}: ${(e as Error).message}.`, EXIT.usage);
      }
    }
    return { urls: [source.url], apiKey, ...(ca ? { ca } : {}), dispose: async () => {} };
  }
  const profiles = await openProfiles(io, opts.dataDir);
  try {
    const p = findProfile(profiles.service.store.list(), source.name);
    const r = await profiles.service.resolve(p.id);
    if (!r.ok) {
      const hint = r.error.code === 'auth' ? ` Set it with: event-desk profiles set-key "${p.name}"` : '';
      throw new CommandError(`${r.error.message}${hint}`, exitCodeFor(r.error));
    }
    return { ...r.value, dispose: () => profiles.dispose() };
  } catch (e) {
    await profiles.dispose();
    throw e;
  }
}

/** Batches stdout writes (one syscall per ~64 KB, not per event) and notices a closed pipe. */
class Out {
  #parts: string[] = [];
  #bytes = 0;
  #scheduled = false;
  closed = false;

  constructor(
    private readonly stream: Io['stdout'],
    private readonly onClosed: () => void,
  ) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') {
        this.closed = true;
        this.onClosed();
      }
    });
  }

  write(text: string): void {
    if (this.closed) return;
    this.#parts.push(text);
    this.#bytes += text.length;
    if (this.#bytes >= 64 * 1024) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.#scheduled = false;
    if (this.#parts.length === 0 || this.closed) return;
    const text = this.#parts.join('');
    this.#parts = [];
    this.#bytes = 0;
    this.stream.write(text);
  }

  /** Resolves once everything written so far has left the process. */
  drain(): Promise<void> {
    this.flush();
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.stream.write('', () => resolve()));
  }
}

const plural = (n: number, word: string) => `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;

/** Run the subscription until it is stopped; resolves to the exit code. */
export async function runSubscribe(
  opts: SubscribeOptions,
  io: Io,
  tuning: { backoff?: BackoffOptions } = {},
): Promise<ExitCode> {
  const ep = await endpoint(opts, io);
  const tty = io.stderr.isTTY === true;
  let liveShown = false;
  const clearLive = () => {
    if (liveShown) io.stderr.write('\r\x1b[2K');
    liveShown = false;
  };
  const say = (text: string) => {
    clearLive();
    io.stderr.write(`event-desk: ${redactSecrets(text, [ep.apiKey])}\n`);
  };

  let capture: CaptureFile | undefined;
  let diskError: Error | undefined;
  if (opts.output) {
    try {
      const opened = await CaptureFile.open(opts.output, {
        onError: (e) =>
          fail(
            EXIT.failure,
            `Writing ${opts.output} failed (${e.message}); stopped so nothing goes unrecorded.`,
            (diskError = e),
          ),
      });
      capture = opened.file;
      if (opened.report.tornBytes > 0)
        say(
          `${opts.output}: cut off a torn last line (${opened.report.tornBytes} bytes) left by a crash; appending after it.`,
        );
      else if (opened.report.lines > 0)
        say(`${opts.output} already holds ${plural(opened.report.lines, 'line')}; appending.`);
    } catch (e) {
      await ep.dispose();
      throw new CommandError(`--output ${opts.output}: ${(e as Error).message}.`, EXIT.usage);
    }
  }

  let sink: ClickHouseSink | undefined;
  if (capture && opts.clickhouse) {
    const target: ClickHouseTarget = {
      ...opts.clickhouse,
      ...(io.env.CLICKHOUSE_PASSWORD ? { password: io.env.CLICKHOUSE_PASSWORD } : {}),
    };
    const where = describeTarget(target);
    let down = false;
    sink = await ClickHouseSink.start({
      target,
      capturePath: capture.path,
      origin: {
        server: ep.urls.join(','),
        stream: opts.entities
          .map((e) => (e.kind === 'device' ? `device:${e.application}/${e.id}` : `${e.kind}:${e.id}`))
          .join(','),
      },
      onState: (s: SinkState) => {
        if (s.kind === 'retrying' && !down) {
          down = true;
          say(`ClickHouse ${where}: ${s.error}; keeping everything in ${opts.output} and retrying.`);
        } else if (s.kind === 'caught-up' && down) {
          down = false;
          say(`ClickHouse ${where}: caught up.`);
        }
      },
    });
    say(`Recording to ClickHouse ${where}.`);
  }

  let events = 0;
  let exitCode: ExitCode = EXIT.ok;
  let stopReason: string | undefined;
  let failed = false;
  const sessions: StreamSession[] = [];
  const everOpened: boolean[] = ep.urls.map(() => false);
  let startsSeen = 0;

  const stopAll = (reason: string) => {
    stopReason ??= reason;
    for (const s of sessions) s.stop(reason);
  };
  function fail(code: ExitCode, message: string, _cause?: unknown): void {
    if (failed) return;
    failed = true;
    exitCode = code;
    say(message);
    stopAll(message);
  }

  const out = new Out(io.stdout, () => stopAll('stdout was closed.'));
  const status = (entry: StatusEntry) => {
    capture?.append(JSON.stringify({ [STATUS_KEY]: entry }));
    if (entry.kind === 'stream-start') {
      // One line for the first start; later ones follow a reconnect line that already says so.
      if (startsSeen++ < ep.urls.length) say(entry.message);
      return;
    }
    if (entry.kind === 'stopped') return; // said by fail() with the exit code
    say(`${entry.kind}: ${entry.message}`);
  };

  const onState = (i: number, state: StreamState) => {
    if (state.kind === 'open') everOpened[i] = true;
    if (state.kind === 'retrying' && !everOpened[i] && state.lastError.code === 'network')
      fail(EXIT.connect, `Could not connect to ${ep.urls[i]}: ${state.lastError.message}`);
    if (state.kind === 'stopped' && state.error)
      fail(
        everOpened[i] || state.error.code !== 'network' ? exitCodeFor(state.error) : EXIT.connect,
        describeStop(state.error, ep.urls[i]!, opts.source),
      );
  };

  // Back-pressure: when the capture's disk falls behind, reading from the server waits for it (the
  // app's rule: the file is the source of truth, so nothing runs ahead of it).
  let unflushed = 0;
  const ready = () => {
    if (!capture || unflushed < 4 * 1024 * 1024) return undefined;
    unflushed = 0;
    return capture.flush();
  };
  const onEvent = (raw: string, event: TtsEvent) => {
    if (opts.count !== undefined && events >= opts.count) return;
    events++;
    if (capture) {
      capture.append(raw);
      unflushed += raw.length;
    }
    out.write(opts.format === 'pretty' ? `${JSON.stringify(event, null, 2)}\n` : `${raw}\n`);
    if (opts.count !== undefined && events >= opts.count) stopAll(`Stopped after --count ${opts.count} events.`);
  };

  ep.urls.forEach((baseUrl, i) => {
    sessions.push(
      new StreamSession({
        request: opts.request,
        ...(tuning.backoff ? { backoff: tuning.backoff } : {}),
        connect: (req, signal, handlers) =>
          runStream({ baseUrl, apiKey: ep.apiKey, request: req, signal, ...(ep.ca ? { ca: ep.ca } : {}), ...handlers }),
        listener: { onEvent, onStatus: status, onState: (s) => onState(i, s), ready },
      }),
    );
  });

  // Live status: rewritten in place once a second, only on a terminal.
  const started = io.now();
  let lastEvents = 0;
  let lastTick = started;
  const live = tty
    ? setInterval(() => {
        const now = io.now();
        const rate = ((events - lastEvents) * 1000) / Math.max(1, now - lastTick);
        lastEvents = events;
        lastTick = now;
        const t = totals(sessions);
        const state = sessions.map((s) => s.state.kind).join('/');
        const lag = sink?.lag;
        const line = `${Math.round(rate).toLocaleString('en')} events/s · ${events.toLocaleString('en')} total · ${plural(t.reconnects, 'reconnect')} · ${plural(t.gaps, 'gap')} · ${state}${lag ? ` · ClickHouse ${lag.events ? `${plural(lag.events, 'line')} (${Math.round(lag.seconds)} s) behind` : 'up to date'}` : ''}`;
        io.stderr.write(`\r\x1b[2K${line.slice(0, Math.max(20, (io.stderr.columns || 100) - 1))}`);
        liveShown = true;
      }, 1000)
    : undefined;
  live?.unref();

  const removeSignal = io.onSignal((signal) => {
    if (stopReason) {
      // A second Ctrl-C: the user means it.
      void capture?.flush();
      process.exit(130);
    }
    stopAll(`Stopped by ${signal}${signal === 'SIGINT' ? ' (Ctrl-C)' : ''}.`);
  });
  const timer =
    opts.durationMs !== undefined
      ? setTimeout(() => stopAll(`Stopped after --duration ${formatDuration(opts.durationMs!)}.`), opts.durationMs)
      : undefined;

  try {
    await Promise.all(sessions.map((s) => s.start()));
  } finally {
    if (timer) clearTimeout(timer);
    if (live) clearInterval(live);
    removeSignal();
    clearLive();
  }
  const t = totals(sessions);
  if (capture) {
    if (!failed && !diskError)
      capture.append(
        JSON.stringify({
          [STATUS_KEY]: {
            kind: 'stopped',
            time: new Date(io.now()).toISOString(),
            message: `${stopReason ?? 'Stopped.'} ${plural(events, 'event')} received, ${plural(t.reconnects, 'reconnect')}, ${plural(t.gaps, 'gap')}.`,
          } satisfies StatusEntry,
        }),
      );
    await capture.close().catch((e: Error) => {
      diskError ??= e;
    });
    if (diskError && exitCode === EXIT.ok) exitCode = EXIT.failure;
  }
  if (sink) {
    // Give ClickHouse a moment to take the rest; what it does not take stays in the capture for next time.
    const done = await sink.drain(CLICKHOUSE_DRAIN_MS);
    const lag = sink.lag;
    await sink.close();
    if (!done)
      say(
        `ClickHouse ${describeTarget(sink.target)} is ${plural(lag.events, 'line')} behind; they are in ${opts.output}, and the next run with the same --output and --clickhouse sends them.`,
      );
  }
  await out.drain();
  await ep.dispose();
  if (!failed && stopReason) say(stopReason);
  say(
    `${plural(events, 'event')}${t.duplicates ? ` (${plural(t.duplicates, 'duplicate')} dropped)` : ''}, ${plural(t.reconnects, 'reconnect')}, ${plural(t.gaps, 'gap')}${t.malformed ? `, ${plural(t.malformed, 'malformed object')} skipped` : ''}${opts.output ? `; capture: ${opts.output}` : ''}.`,
  );
  return exitCode;
}

/** How long a stopping subscribe waits for ClickHouse to take what is left in the capture. */
const CLICKHOUSE_DRAIN_MS = 10_000;

function totals(sessions: readonly StreamSession[]): SessionStats {
  const t: SessionStats = { events: 0, bytes: 0, duplicates: 0, gaps: 0, reconnects: 0, malformed: 0 };
  for (const s of sessions) for (const k of Object.keys(t) as (keyof SessionStats)[]) t[k] += s.stats[k];
  return t;
}

/** The app's words for why a stream stopped, with the command-line fix where the app's says "profile". */
function describeStop(error: AppError, url: string, source: KeySource): string {
  const fix =
    source.kind === 'server' ? ' (--api-key-env or --api-key-file)' : ` (event-desk profiles set-key "${source.name}")`;
  const message = error.message.replace(/ in the profile\b/g, fix);
  const detail = error.detail && !error.message.includes(error.detail) ? ` (server: ${error.detail})` : '';
  const where = error.code === 'network' ? ` (${url})` : '';
  return `${message}${where}${detail}`;
}

function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
