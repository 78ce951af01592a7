/**
 * Exports: the whole workspace, the current filter, a selection or one chain, as a JSON array (the TTS
 * Console's shape), NDJSON, or a support bundle (a manifest line, then the events and status entries).
 *
 * Main asks where to save (the renderer never passes a path), streams the capture files through the
 * redactor into a temp file next to the target, and renames it when complete: a cancelled or failed
 * export leaves nothing half-written. Memory stays bounded whatever the capture size.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { EventSummary } from '../../shared/domain/summary.js';
import type { PushSink } from '../../shared/ipc/contract.js';
import { compileQuery, type QueryContext } from '../../shared/query/query.js';
import {
  anyRedaction,
  emptyCounts,
  redactValue,
  scrubber,
  scrubStrings,
  type IdKind,
  type Pseudonym,
  type RedactionOptions,
} from '../../shared/export/redact.js';
import { TOO_DEEP_TEXT, tryStringify } from '../../shared/json/bounded.js';
import { redactSecrets } from '../../shared/redact.js';
import { BUNDLE_KEY, type ExportPreview, type ExportRequest, type JobProgress } from '../../shared/export/types.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { CaptureIndex } from '../capture/capture-index.js';
import { ByteSink, lineRedactor } from './redact-line.js';
import { storedLines } from './stored-lines.js';
import type { Dialogs } from '../services/dialogs.js';
import type { Profile } from '../../shared/domain/profile.js';
import type { StreamInfo } from '../../shared/domain/stream.js';

export interface ExportDeps {
  index: CaptureIndex;
  /** The streams (live and imported) of a workspace, for the bundle's manifest. */
  streamsOf: (workspaceId: string) => StreamInfo[];
  /** Ids of the captured events in an event's chain. */
  chainIds: (eventId: number) => Result<number[]>;
  dialogs: Dialogs;
  sink: PushSink;
  version: string;
  profile: (id: string) => Profile | undefined;
  /** Which server and profile delivered each stream, for a filter's `server:` and `profile:` terms. */
  queryContext?: QueryContext;
  clock?: () => number;
  log?: (m: string) => void;
}

/** Pseudonyms keyed by a secret made per export: stable within one file, unlinkable across files. */
export function makePseudonymizer(secret: Buffer): { pseudonym: Pseudonym; originals: Map<string, string> } {
  const originals = new Map<string, string>();
  // An HMAC per field of every event would dominate a large export: remember each one.
  const memo = new Map<string, string>();
  const pseudonym: Pseudonym = (kind: IdKind, value: string) => {
    const key = `${kind}\0${value.toLowerCase()}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const h = createHmac('sha256', secret).update(key).digest('hex');
    const out =
      kind === 'eui'
        ? h.slice(0, 16).toUpperCase()
        : kind === 'dev_addr'
          ? h.slice(0, 8).toUpperCase()
          : `${kind === 'application' ? 'app' : kind}-${h.slice(0, 10)}`;
    originals.set(value, out);
    memo.set(key, out);
    return out;
  };
  return { pseudonym, originals };
}

interface Job {
  cancelled: boolean;
}

const FORMAT_EXT = { json: 'json', ndjson: 'ndjson', bundle: 'bundle.ndjson' } as const;

export class ExportService {
  readonly #jobs = new Map<string, Job>();
  #nextJob = 1;

  constructor(private readonly deps: ExportDeps) {}

  /** Which entries of the workspace the scope takes (status entries only go into bundles). */
  #selection(
    req: ExportRequest,
  ): Result<{ workspaceId: string; want: (s: EventSummary) => boolean; count: number; events: number }> {
    if (this.deps.index.retained(req.workspaceId) === 0)
      return err('not-found', 'This workspace has no captured events to export.');
    const withStatus = req.format === 'bundle';
    let want: (s: EventSummary) => boolean;
    switch (req.scope.kind) {
      case 'workspace':
        want = (s) => s.kind === 'event' || withStatus;
        break;
      case 'filter': {
        const q = compileQuery(req.scope.query, this.deps.queryContext);
        if (!q.ok) return err('invalid-input', `The filter is not valid: ${q.error.message}`);
        want = (s) => (s.kind === 'event' && q.test(s)) || (withStatus && s.kind === 'status');
        break;
      }
      case 'selection': {
        const ids = new Set(req.scope.ids);
        want = (s) => ids.has(s.id);
        break;
      }
      case 'chain': {
        const chain = this.deps.chainIds(req.scope.eventId);
        if (!chain.ok) return chain;
        const ids = new Set(chain.value);
        want = (s) => ids.has(s.id);
        break;
      }
    }
    let count = 0;
    let events = 0;
    this.deps.index.scan(
      req.workspaceId,
      (s) => {
        count++;
        if (s.kind === 'event') events++;
      },
      want,
    );
    if (events === 0) return err('invalid-input', 'No event in this workspace matches what you chose to export.');
    return ok({ workspaceId: req.workspaceId, want, count, events });
  }

  /** Entries of the workspace's captures merged in event-time order, read sequentially from each file. */
  #merged(
    workspaceId: string,
    want: (s: EventSummary) => boolean,
  ): AsyncGenerator<{ summary: EventSummary; raw: string }> {
    return this.deps.index.entries(workspaceId, want);
  }

  #transform(
    redaction: RedactionOptions,
    pseudonym: Pseudonym,
    originals: Map<string, string>,
    counts = emptyCounts(),
  ): (raw: string) => string {
    if (!anyRedaction(redaction)) return (raw) => raw;
    const scrub = redaction.pseudonymize ? scrubber(originals) : undefined;
    return (raw) => JSON.stringify(redactValue(JSON.parse(raw), redaction, pseudonym, counts, scrub));
  }

  /** Pseudonyms for the identifiers the index already knows, so free text is scrubbed from the first line on. */
  #seedPseudonyms(workspaceId: string, want: (s: EventSummary) => boolean, pseudonym: Pseudonym): void {
    this.deps.index.scan(
      workspaceId,
      (s) => {
        if (s.entityKind === 'device' && s.entity) pseudonym('device', s.entity);
        if (s.entityKind === 'gateway' && s.entity) pseudonym('gateway', s.entity);
        if (s.entityKind === 'application' && s.entity) pseudonym('application', s.entity);
        if (s.application) pseudonym('application', s.application);
        if (s.devEui) pseudonym('eui', s.devEui);
        if (s.devAddr) pseudonym('dev_addr', s.devAddr);
        for (const g of s.gatewayIds ?? []) pseudonym('gateway', g);
      },
      want,
    );
  }

  async preview(req: ExportRequest): Promise<Result<ExportPreview>> {
    const sel = this.#selection(req);
    if (!sel.ok) return sel;
    const { pseudonym, originals } = makePseudonymizer(randomBytes(32));
    if (req.redaction.pseudonymize) this.#seedPseudonyms(sel.value.workspaceId, sel.value.want, pseudonym);
    const counts = emptyCounts();
    const transform = this.#transform(req.redaction, pseudonym, originals, counts);
    let sampled = 0;
    let best: { before: string; after: string; changed: number } | undefined;
    for await (const { summary, raw } of this.#merged(
      sel.value.workspaceId,
      (s) => s.kind === 'event' && sel.value.want(s),
    )) {
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      const after = transform(raw);
      const changed = Object.values(counts).reduce((a, b) => a + b, 0) - total;
      // Show the event redaction changes most: that is what the user needs to judge.
      if (!best || changed > best.changed) best = { before: pretty(raw), after: pretty(after), changed };
      void summary;
      if (++sampled >= 2000) break;
    }
    return ok({
      events: sel.value.events,
      affected: counts,
      sampled,
      ...(best ? { before: best.before, after: best.after } : {}),
    });
  }

  async start(req: ExportRequest): Promise<Result<{ jobId: string; path: string } | null>> {
    const sel = this.#selection(req);
    if (!sel.ok) return sel;
    const stamp = new Date(this.deps.clock?.() ?? Date.now()).toISOString().replace(/[:.]/g, '-').slice(0, 19);
    const name = `${req.workspaceName.replace(/[^\w.-]+/g, '-').slice(0, 40) || 'event-desk'}_${req.scope.kind}_${stamp}.${FORMAT_EXT[req.format]}`;
    const file = await this.deps.dialogs.save({
      title: req.format === 'bundle' ? 'Save support bundle' : 'Export events',
      defaultName: name,
      filters: [
        { name: req.format === 'json' ? 'JSON' : 'NDJSON', extensions: [req.format === 'json' ? 'json' : 'ndjson'] },
      ],
    });
    if (!file) return ok(null);
    const jobId = `export-${this.#nextJob++}`;
    const job: Job = { cancelled: false };
    this.#jobs.set(jobId, job);
    void this.#run(jobId, job, req, file, sel.value).finally(() => this.#jobs.delete(jobId));
    return ok({ jobId, path: file });
  }

  cancel(jobId: string): Result<void> {
    const job = this.#jobs.get(jobId);
    if (!job) return err('not-found', 'That export has already finished.');
    job.cancelled = true;
    return ok(undefined);
  }

  #manifest(req: ExportRequest, want: (s: EventSummary) => boolean, pseudonym: Pseudonym): Record<string, unknown> {
    // A stream restarted with the same request (e.g. after its key was fixed) is one stream to the reader.
    const streams = uniqueRequests(this.deps.streamsOf(req.workspaceId)).map((info) => ({ info }));
    let from: string | undefined;
    let to: string | undefined;
    let fromMs = Infinity;
    let toMs = -Infinity;
    let events = 0;
    let status = 0;
    const gaps: { time: string; message: string }[] = [];
    const reconnects: { time: string; message: string }[] = [];
    this.deps.index.scan(
      req.workspaceId,
      (s) => {
        if (s.kind === 'event') {
          events++;
          // Compared by ms first: building the time text of every row would dominate a large manifest.
          if (!from || s.ms <= fromMs)
            [from, fromMs] = s.ms < fromMs || s.time < from! ? [s.time, s.ms] : [from, fromMs];
          if (!to || s.ms >= toMs) [to, toMs] = s.ms > toMs || s.time > to! ? [s.time, s.ms] : [to, toMs];
        } else {
          status++;
          if (s.name === 'event-desk.gap') gaps.push({ time: s.time, message: s.preview });
          if (s.name === 'event-desk.reconnect') reconnects.push({ time: s.time, message: s.preview });
        }
      },
      want,
    );
    const ids = (kind: string, id: string) =>
      req.redaction.pseudonymize ? pseudonym(kind === 'application' ? 'application' : (kind as IdKind), id) : id;
    // Pseudonyms hide who the customer is: server names and URLs name them as plainly as device IDs.
    const hide = req.redaction.pseudonymize;
    const servers = new Map<string, { name: string }>();
    for (const { info } of streams) {
      const p = this.deps.profile(info.spec.profileId);
      if (!p || servers.has(p.id)) continue;
      servers.set(
        p.id,
        hide
          ? { name: `server ${servers.size + 1}` }
          : ({
              name: p.name,
              baseUrl: p.isDemo ? 'built-in demo stack' : p.baseUrl,
              ...(p.components ? { components: p.components } : {}),
            } as { name: string }),
      );
    }
    const serverName = (info: StreamInfo) =>
      servers.get(info.spec.profileId)?.name ?? (hide ? 'file' : (info.source ?? info.spec.profileId));
    return {
      app: { name: 'Event Desk', version: this.deps.version },
      createdAt: new Date(this.deps.clock?.() ?? Date.now()).toISOString(),
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      displayedTimesIn: req.displayUtc ? 'UTC' : 'local time',
      workspace: hide ? '[redacted]' : req.workspaceName,
      scope:
        req.scope.kind === 'filter'
          ? {
              kind: 'filter',
              query: req.redaction.pseudonymize
                ? '[filter omitted: it may name redacted identifiers]'
                : req.scope.query,
            }
          : { kind: req.scope.kind },
      servers: [...servers.values()],
      streams: streams.map(({ info }) => ({
        server: serverName(info),
        entities: info.spec.entities.map((e) => ({
          kind: e.kind,
          id: ids(e.kind, e.id),
          ...(e.application ? { application: ids('application', e.application) } : {}),
        })),
        names: info.spec.names,
        ...(info.spec.tail ? { tail: info.spec.tail } : {}),
        ...(info.spec.after ? { after: info.spec.after } : {}),
        state: info.state.kind,
      })),
      captureWindow: { from: from ?? null, to: to ?? null },
      counts: { events, statusEntries: status, gaps: gaps.length, reconnects: reconnects.length },
      gaps,
      reconnects,
      redaction: {
        ...req.redaction,
        ...(req.redaction.pseudonymize
          ? { note: 'Identifiers are replaced by pseudonyms that are stable within this bundle only.' }
          : {}),
      },
    };
  }

  /**
   * A status entry as exported: the app's own words, but they quote servers (errors), so secrets are
   * scrubbed, even from captures written before they were scrubbed at the source; with pseudonyms, the
   * identifiers they name are replaced too.
   */
  #statusLine(raw: string, req: ExportRequest, originals: Map<string, string>): string {
    return redactSecrets(req.redaction.pseudonymize ? JSON.stringify(scrubStrings(JSON.parse(raw), originals)) : raw);
  }

  async #run(
    jobId: string,
    job: Job,
    req: ExportRequest,
    file: string,
    sel: { workspaceId: string; want: (s: EventSummary) => boolean; count: number },
  ): Promise<void> {
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.part-${process.pid}`);
    const progress = (p: Omit<JobProgress, 'jobId' | 'kind'>) =>
      this.deps.sink.send('jobs:progress', { jobId, kind: 'export', ...p });
    const out = createWriteStream(tmp, { mode: 0o600 });
    let failed: Error | undefined;
    out.on('error', (e) => (failed = e));
    const write = async (text: string | Buffer) => {
      if (failed) throw failed;
      if (!out.write(text))
        await new Promise<void>((resolve, reject) => {
          const onError = (e: Error) => reject(e);
          out.once('drain', () => {
            out.off('error', onError);
            resolve();
          });
          out.once('error', onError);
        });
    };
    const { pseudonym, originals } = makePseudonymizer(randomBytes(32));
    if (req.redaction.pseudonymize) this.#seedPseudonyms(sel.workspaceId, sel.want, pseudonym);
    const transform = this.#transform(req.redaction, pseudonym, originals);
    let done = 0;
    let bytes = 0;
    let lastPush = 0;
    try {
      // The manifest quotes status entries (reconnect reasons, gaps) that may hold what a server said: scrub secrets (#13).
      if (req.format === 'bundle')
        await write(
          redactSecrets(
            JSON.stringify({ [BUNDLE_KEY]: { version: 1, manifest: this.#manifest(req, sel.want, pseudonym) } }),
          ) + '\n',
        );
      if (req.format === 'json') await write('[\n');
      // Events go out as stored, or through the byte-level redactor: no object per event. Writes of about 1 MB.
      const redactLine = anyRedaction(req.redaction)
        ? lineRedactor(req.redaction, pseudonym, emptyCounts(), req.redaction.pseudonymize ? originals : undefined)
        : undefined;
      const separator = Buffer.from(req.format === 'json' ? ',\n' : '\n');
      const pending = new ByteSink(2 * 1024 * 1024);
      let first = true;
      for await (const run of storedLines(this.deps.index, sel.workspaceId, sel.want)) {
        if (job.cancelled) break;
        for (let i = 0; i < run.lines.length; i++) {
          const line = run.lines[i]!;
          if (run.status[i] && req.format !== 'bundle') continue;
          if (req.format === 'json' && !first) pending.put(separator, 0, separator.length);
          first = false;
          if (run.status[i] || (redactLine && !redactLine(line, pending))) {
            const text = run.status[i]
              ? this.#statusLine(line.toString('utf8'), req, originals)
              : transform(line.toString('utf8'));
            const piece = Buffer.from(text);
            pending.put(piece, 0, piece.length);
          } else if (!redactLine) pending.put(line, 0, line.length);
          if (req.format !== 'json') pending.put(separator, 0, separator.length);
          done++;
        }
        if (pending.length >= 1024 * 1024) {
          bytes += pending.length;
          await write(pending.take());
          const now = Date.now();
          if (now - lastPush > 200) {
            lastPush = now;
            progress({ state: 'running', done, total: sel.count, bytes });
          }
        }
      }
      bytes += pending.length;
      if (pending.length) await write(pending.take());
      if (req.format === 'json' && !job.cancelled) await write('\n]\n');
      await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
      if (failed) throw failed;
      if (job.cancelled) {
        await fs.unlink(tmp).catch(() => undefined);
        progress({
          state: 'cancelled',
          done,
          total: sel.count,
          bytes,
          message: 'Export cancelled; no file was written.',
        });
        return;
      }
      await fs.rename(tmp, file);
      progress({
        state: 'done',
        done,
        total: sel.count,
        bytes,
        path: file,
        message: `Exported ${done.toLocaleString('en')} entries to ${file}.`,
      });
    } catch (e) {
      out.destroy();
      await fs.unlink(tmp).catch(() => undefined);
      const message =
        (e as NodeJS.ErrnoException).code === 'ENOSPC'
          ? 'The disk is full: the export was not saved. Free some space and export again; the capture is untouched.'
          : `The export failed: ${(e as Error).message}. The capture is untouched.`;
      this.deps.log?.(`export ${jobId} failed: ${(e as Error).message}`);
      progress({ state: 'failed', done, total: sel.count, bytes, message });
    }
  }
}

/** An event's text indented for the preview; one nested too deep to walk says so instead of throwing. */
const pretty = (raw: string): string => tryStringify(JSON.parse(raw), 2) ?? `(${TOO_DEEP_TEXT}: ${raw.slice(0, 200)}…)`;

/** The last stream of each distinct request (profile, entities, names, tail, after), in first-seen order. */
function uniqueRequests(list: StreamInfo[]): StreamInfo[] {
  const byKey = new Map<string, StreamInfo>();
  for (const s of list) {
    const { workspaceId: _w, ...request } = s.spec;
    byKey.set(JSON.stringify([s.source ?? '', request]), s);
  }
  return [...byKey.values()];
}
