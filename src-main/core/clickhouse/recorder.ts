/**
 * "Also record to ClickHouse" for one workspace: follows the segment files of the workspace's stream
 * captures and sends each through a ClickHouseSink (the capture file is the spool, see sink.ts).
 *
 * It learns the segments from the captures' catalog files (`CaptureIndex.catalog()`), never from the
 * index's internals, and only reads files the index has already written: recording can be slow, away or
 * failing without slowing or losing the local capture. Each segment's confirmed offset is saved beside
 * it, so recording resumes where it stopped after a restart or an outage. A segment retention removes
 * before it was sent is counted as `lost`, and said.
 */
import path from 'node:path';
import { promises as fs } from 'node:fs';
import type { ClickHouseClient } from '@clickhouse/client';
import type { CatalogEntry } from '../capture/capture-index.js';
import type { StreamMeta, StreamSpec } from '../../shared/domain/stream.js';
import type { RecordingPhase } from '../../shared/domain/recording.js';
import type { Origin } from './rows.js';
import { applyRetention, DEFAULT_RETENTION_DAYS, ensureSchema } from './schema.js';
import { ClickHouseSink, type SinkState } from './sink.js';
import { describeTarget, openClient, type ClickHouseTarget } from './target.js';
import { Nap } from './nap.js';

export interface RecorderOptions {
  workspaceId: string;
  target: ClickHouseTarget;
  /** The folder the segment files are in (the index's `dir`). */
  captureDir: string;
  /** The captures' catalogs (`index.catalog()`). */
  catalog: () => Promise<CatalogEntry[]>;
  /** Server and stream label stored with each row. */
  originOf: (meta: StreamMeta) => Origin;
  /** How often the catalog is read for new or removed segments. */
  pollMs?: number;
  sinkPollMs?: number;
  backoff?: { initialMs: number; maxMs: number };
  createSchema?: boolean;
  retentionDays?: number;
  now?: () => number;
  /** Something a view shows changed (phase, error, lost); lag is read when wanted. */
  onChange?: () => void;
}

export interface RecorderStatus {
  phase: Exclude<RecordingPhase, 'off'>;
  lag: { events: number; seconds: number };
  sent: number;
  lost: number;
  /** The newest failure, in ClickHouse's or the file system's words. */
  lastError?: { message: string; at: number };
}

interface Followed {
  sink: ClickHouseSink;
  streamId: string;
}

export class WorkspaceRecorder {
  readonly client: ClickHouseClient;
  #o: RecorderOptions & Required<Pick<RecorderOptions, 'pollMs' | 'now'>>;
  #sinks = new Map<string, Followed>();
  #closed = false;
  #loop: Promise<void> | undefined;
  readonly #nap = new Nap();
  #schemaReady = false;
  #refreshed = false;
  #refreshing: Promise<void> = Promise.resolve();
  #schemaError: string | undefined;
  #lastRetention = 0;
  #sentBefore = 0;
  #lost = 0;
  #lastError: { message: string; at: number } | undefined;

  constructor(opts: RecorderOptions) {
    this.#o = { pollMs: 1000, now: Date.now, ...opts };
    this.client = openClient(opts.target);
  }

  start(): this {
    this.#loop ??= this.#run();
    return this;
  }

  status(): RecorderStatus {
    let events = 0;
    let seconds = 0;
    let sent = this.#sentBefore;
    let retrying: SinkState | undefined;
    // Until every sink has looked at its file once, "no lag" only means "not counted yet".
    let starting = !this.#schemaReady || !this.#refreshed;
    for (const { sink } of this.#sinks.values()) {
      const lag = sink.lag;
      events += lag.events;
      seconds = Math.max(seconds, lag.seconds);
      sent += sink.sent.events + sink.sent.statuses;
      if (sink.state.kind === 'retrying') retrying = sink.state;
      if (sink.state.kind === 'starting') starting = true;
    }
    const phase: RecorderStatus['phase'] =
      (!this.#schemaReady && this.#schemaError) || retrying
        ? 'retrying'
        : starting
          ? 'starting'
          : events > 0
            ? 'sending'
            : 'caught-up';
    return {
      phase,
      lag: { events, seconds },
      sent,
      lost: this.#lost,
      ...(this.#lastError ? { lastError: { ...this.#lastError } } : {}),
    };
  }

  /** Wait until every followed segment is confirmed, at most `timeoutMs`; true when it is. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = this.#o.now() + timeoutMs;
    while (!this.#schemaReady && this.#o.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    await this.#refresh().catch(() => undefined);
    for (const { sink } of this.#sinks.values())
      if (!(await sink.drain(Math.max(0, deadline - this.#o.now())))) return false;
    return this.#schemaReady;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#nap.wake();
    await this.#loop;
    await Promise.all([...this.#sinks.values()].map((f) => f.sink.close()));
    this.#sinks.clear();
    await this.client.close();
  }

  #error(message: string): void {
    this.#lastError = { message, at: this.#o.now() };
    this.#o.onChange?.();
  }

  async #sleep(ms: number): Promise<void> {
    if (!this.#closed) await this.#nap.sleep(ms);
  }

  async #run(): Promise<void> {
    const { initialMs, maxMs } = this.#o.backoff ?? { initialMs: 250, maxMs: 5000 };
    let attempt = 0;
    while (!this.#closed) {
      if (!this.#schemaReady) {
        try {
          if (this.#o.createSchema !== false) await ensureSchema(this.client, this.#o.target.database);
          this.#schemaReady = true;
          this.#schemaError = undefined;
          attempt = 0;
          this.#o.onChange?.();
        } catch (e) {
          attempt++;
          this.#schemaError = (e as Error).message;
          this.#error(`${describeTarget(this.#o.target)}: ${this.#schemaError}`);
          await this.#sleep(Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 10)));
          continue;
        }
      }
      try {
        await this.#refresh();
        if (this.#o.createSchema !== false && this.#o.now() - this.#lastRetention > 3_600_000) {
          this.#lastRetention = this.#o.now();
          await applyRetention(
            this.client,
            this.#o.target.database,
            this.#o.retentionDays ?? DEFAULT_RETENTION_DAYS,
            this.#o.now(),
          );
        }
      } catch (e) {
        this.#error(`${describeTarget(this.#o.target)}: ${(e as Error).message}`);
      }
      await this.#sleep(this.#o.pollMs);
    }
  }

  /** One refresh at a time: the loop and `drain` both ask, and two would start two sinks for one file. */
  #refresh(): Promise<void> {
    const run = this.#refreshing.then(() => this.#refreshOnce());
    this.#refreshing = run.catch(() => undefined);
    return run;
  }

  /** Follow new segments of the workspace's streams; let go of segments retention removed. */
  async #refreshOnce(): Promise<void> {
    if (!this.#schemaReady || this.#closed) return;
    const wanted = new Map<string, { streamId: string; origin: Origin }>();
    for (const c of await this.#o.catalog()) {
      if (c.kind !== 'stream' || c.workspaceId !== this.#o.workspaceId) continue;
      const origin = this.#o.originOf(c.meta as StreamMeta);
      for (const name of c.segments)
        wanted.set(path.join(this.#o.captureDir, path.basename(name)), { streamId: c.streamId, origin });
    }
    for (const [file, followed] of this.#sinks) {
      if (wanted.has(file)) continue;
      this.#sinks.delete(file);
      const behind = followed.sink.lag.events;
      this.#sentBefore += followed.sink.sent.events + followed.sink.sent.statuses;
      await followed.sink.close();
      await fs.unlink(`${file}.clickhouse.json`).catch(() => undefined);
      if (behind > 0) {
        this.#lost += behind;
        this.#error(
          `Retention removed ${behind.toLocaleString('en')} lines of ${followed.streamId} before they reached ClickHouse.`,
        );
      }
    }
    for (const [file, { streamId, origin }] of wanted) {
      if (this.#sinks.has(file) || this.#closed) continue;
      const sink = await ClickHouseSink.start({
        target: this.#o.target,
        client: this.client,
        capturePath: file,
        origin,
        createSchema: false,
        dropOldPartitions: false,
        ...(this.#o.sinkPollMs ? { pollMs: this.#o.sinkPollMs } : {}),
        ...(this.#o.backoff ? { backoff: this.#o.backoff } : {}),
        now: this.#o.now,
        onState: (s) => {
          if (s.kind === 'retrying') this.#error(s.error);
          else this.#o.onChange?.();
        },
      });
      this.#sinks.set(file, { sink, streamId });
    }
    this.#refreshed = true;
  }
}

/** How a stream is named in the `stream` column: its entities, as `event-desk subscribe` names them. */
export function streamLabel(spec: StreamSpec): string {
  return (spec.entities ?? [])
    .map((e) => (e.kind === 'device' ? `device:${e.application}/${e.id}` : `${e.kind}:${e.id}`))
    .join(',');
}
