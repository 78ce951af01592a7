/**
 * `event-desk subscribe`: `ttn-lw-cli events subscribe`, but lossless. The app's stream sessions
 * (reconnect, resume with `after`, dedupe by `unique_id`, gaps recorded) and its crash-safe capture
 * file, with events on stdout exactly as received.
 */
import type { TtsEvent } from '../shared/tts/types.js';
import type { StreamState } from '../shared/domain/stream.js';
import type { AppError } from '../shared/result.js';
import { redactSecrets } from '../shared/redact.js';
import { CaptureFile, STATUS_KEY, type StatusEntry } from '../core/capture/capture-file.js';
import { ClickHouseSink, type SinkState } from '../core/clickhouse/sink.js';
import { describeTarget, type ClickHouseTarget } from '../core/clickhouse/target.js';
import { runStream } from '../core/stream/stream-client.js';
import { StreamSession, type SessionStats } from '../core/stream/stream-session.js';
import type { BackoffOptions } from '../core/stream/backoff.js';
import { CommandError, EXIT, type ExitCode } from './args.js';
import { exitCodeFor, type Io } from './context.js';
import type { KeySource, SubscribeOptions } from './subscribe-args.js';
import { endpoint } from './subscribe-endpoint.js';
import { Out } from './stdout-batch.js';

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
  const onEvent = (raw: string, event: TtsEvent, bytes?: Uint8Array) => {
    if (opts.count !== undefined && events >= opts.count) return;
    events++;
    if (capture) {
      capture.append(bytes ?? raw);
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
        const parts = [
          `${Math.round(rate).toLocaleString('en')} events/s`,
          `${events.toLocaleString('en')} total`,
          plural(t.reconnects, 'reconnect'),
          plural(t.gaps, 'gap'),
          state,
        ];
        if (lag)
          parts.push(
            `ClickHouse ${lag.events ? `${plural(lag.events, 'line')} (${Math.round(lag.seconds)} s) behind` : 'up to date'}`,
          );
        const line = parts.join(' · ');
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
        `ClickHouse ${describeTarget(sink.target)} is ${plural(lag.events, 'line')} behind; they are in ${opts.output}, ` +
          'and the next run with the same --output and --clickhouse sends them.',
      );
  }
  await out.drain();
  await ep.dispose();
  if (!failed && stopReason) say(stopReason);
  const counted = `${plural(events, 'event')}${t.duplicates ? ` (${plural(t.duplicates, 'duplicate')} dropped)` : ''}`;
  const summary = [counted, plural(t.reconnects, 'reconnect'), plural(t.gaps, 'gap')];
  if (t.malformed) summary.push(`${plural(t.malformed, 'malformed object')} skipped`);
  say(`${summary.join(', ')}${opts.output ? `; capture: ${opts.output}` : ''}.`);
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
