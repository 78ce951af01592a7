/**
 * Imports: a file (picked in main's open dialog) or the bytes of a file dropped on the window, read as
 * Event Desk NDJSON or bundle, a JSON array (ours or the TTS Console's export), raw stream output
 * (`{"result":…}`), or `ttn-lw-cli events` output. Valid events go into a read-only capture; whatever
 * cannot be read is reported by line and skipped. A file that yields nothing (binary, empty, not events)
 * leaves nothing behind: its capture is removed and the reason goes to the UI and the log (#16).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { PushSink } from '../../shared/ipc/contract.js';
import type { ImportResult, JobProgress } from '../../shared/export/types.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { TtsEvent } from '../../shared/tts/types.js';
import type { StreamInfo } from '../../shared/domain/stream.js';
import type { StatusEntry } from '../capture/capture-file.js';
import type { CaptureIndex, CatalogEntry } from '../capture/capture-index.js';
import type { Dialogs } from '../services/dialogs.js';
import { ImportSession, isObj, READS } from './import-session.js';
import { fileChunks } from '../storage/file-chunks.js';

/** One limit for a file opened and a file dropped: imports stream, so this bounds disk, not memory. */
export const MAX_IMPORT_BYTES = 4 * 1024 ** 3;
/** The profile id of streams that came from a file. */
export const IMPORTED_PROFILE = 'imported';

interface Target {
  info: StreamInfo;
  append: (raw: string | Uint8Array, event: TtsEvent) => void;
  status: (entry: StatusEntry) => void;
  /** Resolves when the capture's disk has caught up (an import waits for it between chunks). */
  ready: () => Promise<void> | undefined;
  finish: () => Promise<void>;
}

/** What an import needs of the capture index (the command line reads files with a collector that has only this). */
export type ImportIndex = Pick<
  CaptureIndex,
  'reopen' | 'discard' | 'newStreamId' | 'open' | 'appendEvent' | 'appendStatus' | 'ready' | 'written'
>;
export class ImportService {
  readonly #drops = new Map<string, { session: ImportSession; target: Target; name: string; total: number }>();
  readonly #infos = new Map<string, StreamInfo>();
  #next = 1;
  /** File imports being read, and those the user asked to stop (checked between chunks). */
  readonly #running = new Set<string>();
  readonly #cancelled = new Set<string>();

  constructor(
    private readonly deps: { index: ImportIndex; dialogs: Dialogs; sink: PushSink; log?: (m: string) => void },
  ) {}

  /**
   * After a restart: reopen the captures of imported workspaces that are still open (`keep`), read-only
   * as before, so a workspace opened from a file survives a reload or restart like any other (#16).
   */
  async resume(entries: readonly CatalogEntry[], keep: (workspaceId: string) => boolean): Promise<void> {
    for (const entry of entries) {
      if (entry.kind !== 'import' || !keep(entry.workspaceId)) continue;
      const reopened = await this.deps.index.reopen(entry);
      if (!reopened.ok) {
        this.deps.log?.(`An imported capture could not be reopened: ${reopened.error.message}`);
        continue;
      }
      const meta = isObj(entry.meta) ? entry.meta : {};
      const source = typeof meta.source === 'string' ? meta.source : 'a file';
      this.#infos.set(entry.streamId, {
        streamId: entry.streamId,
        spec: { workspaceId: entry.workspaceId, profileId: IMPORTED_PROFILE, entities: [], names: [] },
        state: { kind: 'stopped', reason: `Imported from ${source}` },
        source,
      });
    }
  }

  /** An import that ends in an error and holds no entries leaves nothing behind: no capture, no stream. */
  async #failed<T>(streamId: string, kept: boolean, error: Result<T>): Promise<Result<T>> {
    if (!error.ok) this.deps.log?.(`import failed: ${error.error.message}`);
    if (!kept) {
      this.#infos.delete(streamId);
      await this.deps.index.discard(streamId);
    }
    return error;
  }

  /** Imported captures (read-only streams), for the stream list. */
  list(): StreamInfo[] {
    return [...this.#infos.values()];
  }

  /**
   * A capture for events read from a file: it behaves like a stream that has ended (same list,
   * detail, filter, chains, export and retention), fed by the importer instead of a server.
   */
  async #open(workspaceId: string, source: string): Promise<Result<Target>> {
    const { index } = this.deps;
    const streamId = index.newStreamId();
    const opened = await index.open(streamId, workspaceId, 'import', { source });
    if (!opened.ok) return err('io', `The import could not be stored: ${opened.error.message}`);
    const info: StreamInfo = {
      streamId,
      spec: { workspaceId, profileId: IMPORTED_PROFILE, entities: [], names: [] },
      state: { kind: 'stopped', reason: `Imported from ${source}` },
      source,
    };
    this.#infos.set(streamId, info);
    this.deps.sink.send('streams:state', { streamId, workspaceId, profileId: IMPORTED_PROFILE, state: info.state });
    return ok({
      info,
      append: (raw, event) => void index.appendEvent(streamId, raw, event),
      status: (entry) => void index.appendStatus(streamId, entry),
      ready: () => index.ready(streamId),
      finish: () => index.written(),
    });
  }

  #progress(jobId: string, p: Omit<JobProgress, 'jobId' | 'kind'>): void {
    this.deps.sink.send('jobs:progress', { jobId, kind: 'import', ...p });
  }

  async #result(stream: StreamInfo, source: string, s: ImportSession): Promise<Result<ImportResult>> {
    const { streamId } = stream;
    if (s.refused) return this.#failed(streamId, false, err('invalid-input', `${source} is ${s.refused}. ${READS}`));
    if (s.events === 0 && s.statusEntries === 0) {
      const first = s.skipped[0];
      return this.#failed(
        streamId,
        false,
        err(
          'invalid-input',
          `No events could be read from ${source}${first ? `: line ${first.line}: ${first.reason}` : ' (the file is empty)'}. ${READS}`,
        ),
      );
    }
    return ok({
      streamId,
      source,
      format: s.format,
      stream,
      events: s.events,
      statusEntries: s.statusEntries,
      skipped: s.skipped,
      skippedCount: s.skippedCount,
    });
  }

  /** Ask for a file and import it into a new read-only stream of `workspaceId`. */
  async openFile(workspaceId: string): Promise<Result<ImportResult | null>> {
    const file = await this.deps.dialogs.open({
      title: 'Open a capture, export or support bundle',
      filters: [
        { name: 'Events (JSON, NDJSON, bundles)', extensions: ['json', 'ndjson', 'jsonl', 'txt', 'log'] },
        { name: 'All files', extensions: ['*'] },
      ],
    });
    if (!file) return ok(null);
    return this.importFile(workspaceId, file);
  }

  async importFile(workspaceId: string, file: string): Promise<Result<ImportResult>> {
    let size: number;
    const source = path.basename(file);
    try {
      const stat = await fs.stat(file);
      // A folder (a capture's data folder, an unpacked archive) has nothing to read as events.
      if (stat.isDirectory())
        return err('invalid-input', `${source} is a folder, not a file: open one of the files in it.`);
      size = stat.size;
    } catch (e) {
      return err(
        'io',
        (e as NodeJS.ErrnoException).code === 'ENOENT'
          ? `There is no file ${file}: check the name and the folder.`
          : `The file could not be opened: ${(e as Error).message}.`,
      );
    }
    if (size > MAX_IMPORT_BYTES)
      return err(
        'invalid-input',
        `${source} is larger than ${MAX_IMPORT_BYTES / 1024 ** 3} GB, more than Event Desk imports.`,
      );
    const target = await this.#open(workspaceId, source);
    if (!target.ok) return target;
    const session = new ImportSession(target.value);
    const jobId = `import-${this.#next++}`;
    let last = 0;
    this.#running.add(jobId);
    try {
      // Each chunk is read into again once the next is asked for: the session copies what it keeps.
      for await (const chunk of fileChunks(file)) {
        if (this.#cancelled.has(jobId)) break;
        session.feedBytes(chunk);
        if (session.refused) break; // nothing of a binary file is read
        // Bounded memory: wait while the capture's disk (or its next segment) is behind instead of queueing the file.
        await target.value.ready();
        if (Date.now() - last > 200) {
          last = Date.now();
          this.#progress(jobId, {
            state: 'running',
            done: session.events,
            bytes: session.bytes,
            totalBytes: size,
            path: source,
          });
          await new Promise((r) => setImmediate(r)); // let batches go out while a big file is read
        }
      }
      if (this.#cancelled.has(jobId)) return await this.#stopped(jobId, target.value, session, source, size);
      session.end();
      await target.value.finish();
    } catch (e) {
      this.#progress(jobId, {
        state: 'failed',
        done: session.events,
        bytes: session.bytes,
        totalBytes: size,
        message: `Reading ${source} failed: ${(e as Error).message}`,
      });
      const kept = session.events + session.statusEntries > 0;
      return this.#failed(
        target.value.info.streamId,
        kept,
        err(
          'io',
          `Reading ${source} failed after ${session.events} events: ${(e as Error).message}.${kept ? ' What was read is kept.' : ''}`,
        ),
      );
    } finally {
      this.#running.delete(jobId);
      this.#cancelled.delete(jobId);
    }
    const result = await this.#result(target.value.info, source, session);
    this.#progress(jobId, {
      state: result.ok ? 'done' : 'failed',
      done: session.events,
      bytes: session.bytes,
      totalBytes: size,
      path: source,
      ...(result.ok ? {} : { message: result.error.message }),
    });
    return result;
  }

  /** A file dropped on the window arrives as text chunks (the renderer has no path to give, by design). */
  async begin(workspaceId: string, name: string, totalBytes: number): Promise<Result<string>> {
    if (totalBytes > MAX_IMPORT_BYTES)
      return err(
        'invalid-input',
        `The dropped file is larger than ${MAX_IMPORT_BYTES / 1024 ** 3} GB, more than Event Desk imports.`,
      );
    const source = name.replace(/[\\/]/g, '_').slice(0, 200) || 'dropped file';
    const target = await this.#open(workspaceId, source);
    if (!target.ok) return target;
    const id = `drop-${this.#next++}`;
    this.#drops.set(id, {
      session: new ImportSession(target.value),
      target: target.value,
      name: source,
      total: totalBytes,
    });
    return ok(id);
  }

  /**
   * Stop opening a file: a file import stops before its next chunk, a dropped file at once. What was
   * read is removed (no capture, no stream), and the window is told on `jobs:progress` ('cancelled').
   */
  async cancel(jobId: string): Promise<Result<void>> {
    if (this.#running.has(jobId)) {
      this.#cancelled.add(jobId);
      return ok(undefined);
    }
    const d = this.#drops.get(jobId);
    if (!d) return err('not-found', 'That file is no longer being opened.');
    this.#drops.delete(jobId);
    this.#cancelled.add(jobId);
    await this.#stopped(jobId, d.target, d.session, d.name, d.total);
    return ok(undefined);
  }

  async #stopped(
    jobId: string,
    target: Target,
    session: ImportSession,
    source: string,
    totalBytes: number,
  ): Promise<Result<never>> {
    await target.finish();
    this.#progress(jobId, { state: 'cancelled', done: session.events, bytes: session.bytes, totalBytes, path: source });
    this.deps.log?.(`opening ${source} was cancelled after ${session.events} events; nothing was kept`);
    this.#infos.delete(target.info.streamId);
    await this.deps.index.discard(target.info.streamId);
    return err('cancelled', `Opening ${source} was cancelled; nothing was kept.`);
  }

  async chunk(id: string, text: string): Promise<Result<void>> {
    const d = this.#drops.get(id);
    if (!d && this.#cancelled.delete(id)) return err('cancelled', 'Opening the file was cancelled; nothing was kept.');
    if (!d) return err('not-found', 'That import has already ended.');
    d.session.feed(text);
    // Not text: end the import now (the window stops sending) and remove its capture.
    if (d.session.refused) {
      this.#drops.delete(id);
      const r = await this.#result(d.target.info, d.name, d.session);
      if (r.ok) return ok(undefined);
      this.#progress(id, {
        state: 'failed',
        done: 0,
        bytes: d.session.bytes,
        totalBytes: d.total,
        path: d.name,
        message: r.error.message,
      });
      return r;
    }
    await d.target.ready();
    this.#progress(id, {
      state: 'running',
      done: d.session.events,
      bytes: d.session.bytes,
      totalBytes: d.total,
      path: d.name,
    });
    return ok(undefined);
  }

  async end(id: string): Promise<Result<ImportResult>> {
    const d = this.#drops.get(id);
    if (!d && this.#cancelled.delete(id)) return err('cancelled', 'Opening the file was cancelled; nothing was kept.');
    if (!d) return err('not-found', 'That import has already ended.');
    this.#drops.delete(id);
    d.session.end();
    await d.target.finish();
    const result = await this.#result(d.target.info, d.name, d.session);
    this.#progress(id, {
      state: result.ok ? 'done' : 'failed',
      done: d.session.events,
      bytes: d.session.bytes,
      totalBytes: d.total,
      path: d.name,
      ...(result.ok ? {} : { message: result.error.message }),
    });
    return result;
  }
}
