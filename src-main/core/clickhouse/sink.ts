/**
 * The ClickHouse sink: the local capture file is the spool. The sink reads the file from its last
 * confirmed offset, inserts what it read in batches (events to `events`, status entries to `status`), and
 * only then moves the offset on, saved beside the capture (`<capture>.clickhouse.json`). So when
 * ClickHouse is down or slow nothing is lost: the stream goes on writing the file, and the sink catches up
 * from where it stopped, with its lag (events, bytes, seconds behind) for anyone to show. A crash between
 * an insert and saving the offset sends that batch again, which the replacing merge tree collapses.
 */
import { promises as fs } from 'node:fs';
import type { ClickHouseClient } from '@clickhouse/client';
import { buildBatch, newBatchBuffers, type BatchBuffers, type BuiltBatch, type InsertFormat } from './insert.js';
import type { Origin } from './rows.js';
import { applyRetention, DEFAULT_RETENTION_DAYS, ensureSchema } from './schema.js';
import { describeTarget, openClient, type ClickHouseTarget } from './target.js';
import { Nap } from './nap.js';

export interface SinkLag {
  /** Lines (events and status entries) in the capture that are not yet confirmed in ClickHouse. */
  events: number;
  bytes: number;
  /** How long the oldest unconfirmed line has been waiting in the capture. */
  seconds: number;
}

export type SinkState =
  | { kind: 'starting' }
  | { kind: 'sending' }
  | { kind: 'caught-up' }
  | { kind: 'retrying'; error: string; attempt: number }
  | { kind: 'closed' };

export interface SinkOptions {
  target: ClickHouseTarget;
  capturePath: string;
  origin: Origin;
  /** Where the confirmed offset lives; default `<capture>.clickhouse.json`. */
  offsetPath?: string;
  /**
   * Bytes of capture per insert (default 16 MiB, ~12,000 events). Each insert is a part ClickHouse writes
   * (~70 files) and later merges again; 4 MiB batches cost ClickHouse 40-47 µs of CPU per event here, 16 MiB
   * 33-35 (bench 10a, README). Memory: up to `inFlight` + 1 batches of about 2.3× this while catching up.
   */
  batchBytes?: number;
  pollMs?: number;
  retentionDays?: number;
  /** Create the tables when missing (default true; a cluster's Distributed tables already exist). */
  createSchema?: boolean;
  /** Drop day partitions past the retention, hourly (default true; a recorder with many sinks does it once). */
  dropOldPartitions?: boolean;
  /** How rows travel: `binary` (RowBinary, default: the cheapest to build and to parse), `tsv` or `json`. */
  format?: InsertFormat;
  /** Batches sent at once (default 2): the next is read and built while ClickHouse writes the others. */
  inFlight?: number;
  /** A client shared with other sinks (the recorder's); the sink then leaves closing it to its owner. */
  client?: ClickHouseClient;
  backoff?: { initialMs: number; maxMs: number };
  now?: () => number;
  onState?: (state: SinkState) => void;
  /** Called after every confirmed batch. */
  onProgress?: (p: { events: number; statuses: number; offset: number }) => void;
}

interface OffsetFile {
  /** Confirmed offset per target (`url/database`): pointing a capture at another server starts from 0. */
  offsets: Record<string, number>;
}

const NL = 0x0a;

interface Batch {
  built: BuiltBatch;
  bufs: BatchBuffers;
  /** Bytes of complete lines read. */
  consumed: number;
}

export class ClickHouseSink {
  readonly client: ClickHouseClient;
  #opts: Required<
    Pick<
      SinkOptions,
      | 'batchBytes'
      | 'pollMs'
      | 'retentionDays'
      | 'createSchema'
      | 'dropOldPartitions'
      | 'backoff'
      | 'now'
      | 'format'
      | 'inFlight'
    >
  > &
    SinkOptions;
  #offsetPath: string;
  #targetKey: string;
  #confirmed = 0;
  /** How far the lag counter has scanned, and what it counted beyond the confirmed offset. */
  #scanned = 0;
  #linesBehind = 0;
  /** (end offset, when it was first seen) of unconfirmed stretches, oldest first. */
  #seen: { end: number; at: number }[] = [];
  #state: SinkState = { kind: 'starting' };
  readonly #nap = new Nap();
  #closed = false;
  #loop: Promise<void> | undefined;
  #sent = { events: 0, statuses: 0 };
  #lastRetention = 0;
  /** Buffers of batches no longer in flight, for the next ones. */
  #spare: BatchBuffers[] = [];

  private constructor(opts: SinkOptions) {
    this.#opts = {
      batchBytes: 16 * 1024 * 1024,
      pollMs: 200,
      retentionDays: DEFAULT_RETENTION_DAYS,
      createSchema: true,
      dropOldPartitions: true,
      backoff: { initialMs: 250, maxMs: 5000 },
      now: Date.now,
      format: 'binary',
      inFlight: 2,
      ...opts,
    };
    this.#offsetPath = opts.offsetPath ?? `${opts.capturePath}.clickhouse.json`;
    this.#targetKey = describeTarget(opts.target);
    this.client = opts.client ?? openClient(opts.target);
  }

  /** Start sending; does not wait for ClickHouse (a server that is down now is caught up with later). */
  static async start(opts: SinkOptions): Promise<ClickHouseSink> {
    const sink = new ClickHouseSink(opts);
    sink.#confirmed = await sink.#readOffset();
    sink.#scanned = sink.#confirmed;
    sink.#loop = sink.#run();
    return sink;
  }

  get target(): ClickHouseTarget {
    return this.#opts.target;
  }

  get state(): SinkState {
    return this.#state;
  }

  get confirmedOffset(): number {
    return this.#confirmed;
  }

  /** Rows confirmed by this sink since it started. */
  get sent(): { events: number; statuses: number } {
    return { ...this.#sent };
  }

  get lag(): SinkLag {
    const first = this.#seen.find((s) => s.end > this.#confirmed);
    return {
      events: this.#linesBehind,
      bytes: Math.max(0, this.#scanned - this.#confirmed),
      seconds: first && this.#scanned > this.#confirmed ? Math.max(0, (this.#opts.now() - first.at) / 1000) : 0,
    };
  }

  /** The capture grew: look now rather than at the next poll. */
  notify(): void {
    this.#nap.wake();
  }

  /** Wait until everything in the capture file is confirmed, at most `timeoutMs`; true when it is. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = this.#opts.now() + timeoutMs;
    for (;;) {
      const size = await this.#size();
      if (this.#confirmed >= size) return true;
      if (this.#opts.now() >= deadline || this.#closed) return false;
      this.notify();
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.notify();
    await this.#loop;
    if (!this.#opts.client) await this.client.close();
    this.#setState({ kind: 'closed' });
  }

  #setState(s: SinkState): void {
    this.#state = s;
    this.#opts.onState?.(s);
  }

  async #readOffset(): Promise<number> {
    try {
      const f = JSON.parse(await fs.readFile(this.#offsetPath, 'utf8')) as OffsetFile;
      const n = f.offsets?.[this.#targetKey];
      return typeof n === 'number' && n >= 0 ? n : 0;
    } catch {
      return 0;
    }
  }

  async #saveOffset(): Promise<void> {
    let f: OffsetFile = { offsets: {} };
    try {
      f = JSON.parse(await fs.readFile(this.#offsetPath, 'utf8')) as OffsetFile;
      f.offsets ??= {};
    } catch {
      /* first save */
    }
    f.offsets[this.#targetKey] = this.#confirmed;
    const tmp = `${this.#offsetPath}.tmp`;
    await fs.writeFile(tmp, `${JSON.stringify(f)}\n`, { mode: 0o600 });
    await fs.rename(tmp, this.#offsetPath);
  }

  async #size(): Promise<number> {
    try {
      return (await fs.stat(this.#opts.capturePath)).size;
    } catch {
      return 0;
    }
  }

  async #sleep(ms: number): Promise<void> {
    if (!this.#closed) await this.#nap.sleep(ms);
  }

  /** Count the complete lines that arrived since the last scan (the lag in events). */
  async #scan(handle: fs.FileHandle, size: number): Promise<void> {
    if (size < this.#scanned) {
      // The capture was cut shorter (a torn last line removed on reopen): what was past it is gone.
      this.#scanned = Math.min(this.#confirmed, size);
      this.#confirmed = Math.min(this.#confirmed, size);
      this.#linesBehind = 0;
    }
    if (size <= this.#scanned) return;
    const buf = Buffer.allocUnsafe(1024 * 1024);
    let pos = this.#scanned;
    let lastLineEnd = this.#scanned;
    while (pos < size) {
      const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, size - pos), pos);
      if (bytesRead === 0) break;
      for (let i = buf.indexOf(NL, 0); i >= 0 && i < bytesRead; i = buf.indexOf(NL, i + 1)) {
        this.#linesBehind++;
        lastLineEnd = pos + i + 1;
      }
      pos += bytesRead;
    }
    if (lastLineEnd > this.#scanned) {
      this.#scanned = lastLineEnd;
      this.#seen.push({ end: lastLineEnd, at: this.#opts.now() });
    }
  }

  async #run(): Promise<void> {
    let attempt = 0;
    let schemaReady = false;
    while (!this.#closed) {
      let sentSomething: boolean;
      try {
        if (!schemaReady) {
          if (this.#opts.createSchema) await ensureSchema(this.client, this.#opts.target.database);
          schemaReady = true;
        }
        if (this.#opts.dropOldPartitions && this.#opts.now() - this.#lastRetention > 3_600_000) {
          await applyRetention(this.client, this.#opts.target.database, this.#opts.retentionDays, this.#opts.now());
          this.#lastRetention = this.#opts.now();
        }
        sentSomething = await this.#sendOneBatch();
        attempt = 0;
        if (!sentSomething && this.#confirmed >= this.#scanned) this.#setStateOnce('caught-up');
      } catch (e) {
        attempt++;
        this.#setState({
          kind: 'retrying',
          error: `${describeTarget(this.#opts.target)}: ${(e as Error).message}`,
          attempt,
        });
        const { initialMs, maxMs } = this.#opts.backoff;
        await this.#sleep(Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 10)));
        continue;
      }
      if (!sentSomething) await this.#sleep(this.#opts.pollMs);
    }
  }

  #setStateOnce(kind: 'caught-up' | 'sending'): void {
    if (this.#state.kind !== kind) this.#setState({ kind });
  }

  /**
   * Read, insert and confirm batches up to what the file held when this call looked; false when there was
   * nothing to send. Up to `inFlight` inserts run at once while the next batch is read and built
   * (ClickHouse writes on its own cores); offsets are confirmed strictly in file order, each only after
   * ClickHouse answered for it and for every batch before it.
   */
  async #sendOneBatch(): Promise<boolean> {
    const size = await this.#size();
    if (size <= this.#confirmed && size >= this.#scanned) return false;
    const handle = await fs.open(this.#opts.capturePath, 'r');
    let sent = false;
    const flying: { batch: Batch; answer: Promise<Error | undefined> }[] = [];
    try {
      await this.#scan(handle, size);
      if (this.#confirmed >= this.#scanned) return false;
      const end = this.#scanned;
      let from = this.#confirmed;
      const db = this.#opts.target.database;
      for (;;) {
        while (flying.length < this.#opts.inFlight && from < end && !this.#closed) {
          const batch = await this.#readBatch(handle, from, end);
          if (!batch) break;
          from += batch.consumed;
          this.#setStateOnce('sending');
          // Settled into a value at once: a later batch failing while an earlier one is awaited is not unhandled.
          const answer = batch.built.send(this.client, db).then(
            () => undefined,
            (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
          );
          flying.push({ batch, answer });
        }
        const head = flying.shift();
        if (!head) break;
        const failed = await head.answer;
        if (failed) throw failed;
        const cur = head.batch;
        // Counted with the offset, before the save's await: `drain` ends on the offset, and a caller reading
        // `sent` right after must see these rows (it once read 0 after a one-batch drain).
        this.#confirmed += cur.consumed;
        this.#sent.events += cur.built.eventCount;
        this.#sent.statuses += cur.built.statusCount;
        this.#linesBehind = Math.max(0, this.#linesBehind - cur.built.lines);
        while (this.#seen.length && this.#seen[0]!.end <= this.#confirmed) this.#seen.shift();
        this.#spare.push(cur.bufs);
        await this.#saveOffset();
        this.#opts.onProgress?.({
          events: cur.built.eventCount,
          statuses: cur.built.statusCount,
          offset: this.#confirmed,
        });
        sent = true;
      }
    } finally {
      // After a failure the batches still in flight are waited for (their rows may land; the offset stays
      // before them, so they are sent again and collapse) before the file is closed and a retry starts.
      await Promise.all(flying.map((f) => f.answer));
      for (const f of flying) this.#spare.push(f.batch.bufs);
      await handle.close();
    }
    return sent;
  }

  /** Complete lines from `from`, up to about `batchBytes` (a longer single line is read whole), with their rows. */
  async #readBatch(handle: fs.FileHandle, from: number, end: number): Promise<Batch | undefined> {
    const bufs = this.#spare.pop() ?? newBatchBuffers(this.#opts.batchBytes);
    let want = Math.min(bufs.read.length, end - from);
    let n = (await handle.read(bufs.read, 0, want, from)).bytesRead;
    let lastNl = bufs.read.subarray(0, n).lastIndexOf(NL);
    while (lastNl < 0 && from + n < end) {
      // One line longer than a batch: read on to its end (this batch's buffer grows for good).
      want = Math.min(want * 2, end - from);
      bufs.read = Buffer.allocUnsafe(want);
      n = (await handle.read(bufs.read, 0, want, from)).bytesRead;
      lastNl = bufs.read.subarray(0, n).lastIndexOf(NL);
    }
    if (lastNl < 0) {
      this.#spare.push(bufs);
      return undefined;
    }
    const built = buildBatch(bufs.read.subarray(0, lastNl + 1), this.#opts.origin, this.#opts.format, bufs);
    return { built, bufs, consumed: lastNl + 1 };
  }
}
