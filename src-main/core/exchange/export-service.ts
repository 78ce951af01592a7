/**
 * Exports: the whole workspace, the current filter, a selection or one chain, as a JSON array (the TTS
 * Console's shape), NDJSON, or a support bundle (a manifest line, then the events and status entries).
 *
 * Main asks where to save (the renderer never passes a path), streams the capture files through the
 * redactor into a temp file next to the target, and renames it when complete: a cancelled or failed
 * export leaves nothing half-written. Memory stays bounded whatever the capture size.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { EventSummary } from '../../shared/domain/summary.js';
import { before } from '../../shared/domain/merge.js';
import type { PushSink } from '../../shared/ipc/contract.js';
import { compileQuery, type QueryContext } from '../../shared/query/query.js';
import {
  anyRedaction,
  emptyCounts,
  redactValue,
  scrubber,
  type Pseudonym,
  type RedactionOptions,
} from '../../shared/export/redact.js';
import { TOO_DEEP_TEXT, tryStringify } from '../../shared/json/bounded.js';
import { redactSecrets } from '../../shared/redact.js';
import { BUNDLE_KEY, type ExportPreview, type ExportRequest, type JobProgress } from '../../shared/export/types.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { CaptureIndex } from '../capture/capture-index.js';
import { lineRedactor } from './redact-line.js';
import { storedLines } from './stored-lines.js';
import { ExportFile, writeLines } from './export-writer.js';
import { captureTally, makePseudonymizer, manifestOf, seedPseudonyms, statusLine } from './export-manifest.js';
import { NOTHING_MATCHES, type ExportSelection, type ExportSource } from './export-source.js';
import type { Dialogs } from '../services/dialogs.js';
import type { Profile } from '../../shared/domain/profile.js';
import type { StreamInfo } from '../../shared/domain/stream.js';

export { makePseudonymizer } from './export-manifest.js';

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
  /** Workspaces read from elsewhere (ClickHouse windows), exported the same way; asked late (made after this). */
  sources?: () => ExportSource | undefined;
}

interface Job {
  cancelled: boolean;
}

const NOTHING_SINCE_CLEAR =
  'Nothing came since Clear view. Untick "Only since Clear view" to export the whole capture.';

const FORMAT_EXT = { json: 'json', ndjson: 'ndjson', bundle: 'bundle.ndjson' } as const;

export class ExportService {
  readonly #jobs = new Map<string, Job>();
  #nextJob = 1;

  constructor(private readonly deps: ExportDeps) {}

  /** Which entries of the workspace the scope takes, from the capture index or the source that owns it. */
  async #select(req: ExportRequest): Promise<Result<ExportSelection>> {
    const other = this.deps.sources?.();
    return other?.owns(req.workspaceId) ? other.select(req) : this.#selection(req);
  }

  /** A capture's selection (status entries only go into bundles). */
  #selection(req: ExportRequest): Result<ExportSelection> {
    const { index } = this.deps;
    const workspaceId = req.workspaceId;
    if (index.retained(workspaceId) === 0) return err('not-found', 'This workspace has no captured events to export.');
    const withStatus = req.format === 'bundle';
    let scoped: (s: EventSummary) => boolean;
    switch (req.scope.kind) {
      case 'workspace':
        scoped = (s) => s.kind === 'event' || withStatus;
        break;
      case 'filter': {
        const q = compileQuery(req.scope.query, this.deps.queryContext);
        if (!q.ok) return err('invalid-input', `The filter is not valid: ${q.error.message}`);
        scoped = (s) => (s.kind === 'event' && q.test(s)) || (withStatus && s.kind === 'status');
        break;
      }
      case 'selection': {
        const ids = new Set(req.scope.ids);
        scoped = (s) => ids.has(s.id);
        break;
      }
      case 'chain': {
        const chain = this.deps.chainIds(req.scope.eventId);
        if (!chain.ok) return chain;
        const ids = new Set(chain.value);
        scoped = (s) => ids.has(s.id);
        break;
      }
    }
    // After *Clear view*: what the list shows, the entries after its edge (the rest stays in the capture).
    const after = req.scope.kind === 'workspace' || req.scope.kind === 'filter' ? req.scope.after : undefined;
    const want = after ? (s: EventSummary) => before(after, s) && scoped(s) : scoped;

    // A file of events only (of a whole workspace or a filter of it; a chain or a selection is a few events, read as
    // such) leaves the capture's gaps out: the same pass notes them, to say so if they fall among what is written.
    const noteGaps = !withStatus && (req.scope.kind === 'workspace' || req.scope.kind === 'filter');
    const gapTimes: number[] = [];
    let count = 0;
    let events = 0;
    let fromMs = Infinity;
    let toMs = -Infinity;
    index.scan(
      workspaceId,
      (s) => {
        // `want` takes no status entry here, so one that comes is a gap to note, not one to write.
        if (noteGaps && s.kind === 'status') return void gapTimes.push(s.ms);
        count++;
        if (s.kind !== 'event') return;
        events++;
        if (s.ms < fromMs) fromMs = s.ms;
        if (s.ms > toMs) toMs = s.ms;
      },
      noteGaps ? (s) => want(s) || (s.kind === 'status' && s.name === 'event-desk.gap') : want,
    );
    if (events === 0) return err('invalid-input', after ? NOTHING_SINCE_CLEAR : NOTHING_MATCHES);
    // The gaps among the events written, not last week's before an hour's export.
    const gapsLeftOut = gapTimes.filter((ms) => ms >= fromMs && ms <= toMs).length;
    return ok({
      count,
      events,
      gapsLeftOut,
      lines: (transient) => storedLines(index, workspaceId, want, transient),
      samples: async function* () {
        for await (const { raw } of index.entries(workspaceId, (s) => s.kind === 'event' && want(s))) yield raw;
      },
      seed: async (pseudonym) => seedPseudonyms(index, workspaceId, want, pseudonym),
      tally: async () => captureTally(index, workspaceId, want),
    });
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

  async preview(req: ExportRequest): Promise<Result<ExportPreview>> {
    const sel = await this.#select(req);
    if (!sel.ok) return sel;
    const { pseudonym, originals } = makePseudonymizer(randomBytes(32));
    if (req.redaction.pseudonymize) await sel.value.seed(pseudonym);
    const counts = emptyCounts();
    const transform = this.#transform(req.redaction, pseudonym, originals, counts);
    let sampled = 0;
    let best: { before: string; after: string; changed: number } | undefined;
    for await (const raw of sel.value.samples()) {
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      const after = transform(raw);
      const changed = Object.values(counts).reduce((a, b) => a + b, 0) - total;
      // Show the event redaction changes most: that is what the user needs to judge.
      if (!best || changed > best.changed) best = { before: pretty(raw), after: pretty(after), changed };
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
    const sel = await this.#select(req);
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

  async #run(jobId: string, job: Job, req: ExportRequest, file: string, sel: ExportSelection): Promise<void> {
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.part-${process.pid}`);
    const progress = (p: Omit<JobProgress, 'jobId' | 'kind'>) =>
      this.deps.sink.send('jobs:progress', { jobId, kind: 'export', ...p });
    let out: ExportFile | undefined;
    let done = 0;
    const bytes = () => out?.bytes ?? 0;
    try {
      out = await ExportFile.create(tmp);
      const { pseudonym, originals } = makePseudonymizer(randomBytes(32));
      if (req.redaction.pseudonymize) await sel.seed(pseudonym);
      const transform = this.#transform(req.redaction, pseudonym, originals);
      // The manifest quotes status entries (reconnect reasons, gaps) that may hold what a server said: scrub secrets (#13).
      if (req.format === 'bundle') {
        const head = {
          [BUNDLE_KEY]: { version: 1, manifest: manifestOf(this.deps, req, pseudonym, await sel.tally()) },
        };
        await out.write([Buffer.from(`${redactSecrets(JSON.stringify(head))}\n`)]);
      }
      if (req.format === 'json') await out.write([Buffer.from('[\n')]);
      // Events go out as stored, or through the byte-level redactor: no object per event.
      const redactLine = anyRedaction(req.redaction)
        ? lineRedactor(req.redaction, pseudonym, emptyCounts(), req.redaction.pseudonymize ? originals : undefined)
        : undefined;
      let lastPush = 0;
      done = await writeLines((transient) => sel.lines(transient), out, {
        format: req.format,
        redactLine,
        slowLine: (line, status) =>
          status ? statusLine(line.toString('utf8'), req, originals) : transform(line.toString('utf8')),
        cancelled: () => job.cancelled,
        progress: (n) => {
          done = n;
          const now = Date.now();
          if (now - lastPush <= 200) return;
          lastPush = now;
          progress({ state: 'running', done: n, total: sel.count, bytes: bytes() });
        },
      });
      if (req.format === 'json' && !job.cancelled) await out.write([Buffer.from('\n]\n')]);
      await out.close();
      if (job.cancelled) {
        await fs.unlink(tmp).catch(() => undefined);
        progress({
          state: 'cancelled',
          done,
          total: sel.count,
          bytes: bytes(),
          message: 'Export cancelled; no file was written.',
        });
        return;
      }
      await fs.rename(tmp, file);
      progress({
        state: 'done',
        done,
        total: sel.count,
        bytes: bytes(),
        path: file,
        message: `Exported ${done.toLocaleString('en')} entries to ${file}.${leftOut(req, sel)}`,
      });
    } catch (e) {
      await out?.abort();
      await fs.unlink(tmp).catch(() => undefined);
      const source = sel.readsFrom ?? 'the capture';
      const failure = e as NodeJS.ErrnoException;
      // Only a failure on the file being written is about the folder (not one reading the capture meanwhile).
      const code = failure.path === tmp || failure.path === file ? failure.code : undefined;
      const folder = path.dirname(file);
      // In words that say what to do, naming the place the user chose (not the temporary file beside it).
      const message =
        code === 'ENOSPC'
          ? `The disk is full: the export was not saved. Free some space and export again; ${source} is untouched.`
          : code === 'ENOENT'
            ? `The folder ${folder} does not exist: the export was not saved. Choose an existing folder; ${source} is untouched.`
            : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
              ? `Event Desk may not write in ${folder}: the export was not saved. Choose a folder you can write to; ${source} is untouched.`
              : `The export failed: ${(e as Error).message}. ${source[0]!.toUpperCase()}${source.slice(1)} is untouched.`;
      this.deps.log?.(`export ${jobId} failed: ${(e as Error).message}`);
      progress({ state: 'failed', done, total: sel.count, bytes: bytes(), message });
    }
  }
}

/** An event's text indented for the preview; one nested too deep to walk says so instead of throwing. */
const pretty = (raw: string): string => tryStringify(JSON.parse(raw), 2) ?? `(${TOO_DEEP_TEXT}: ${raw.slice(0, 200)}…)`;

/**
 * What a file of events only leaves out that matters later: the capture's gaps. Without them a report or a
 * chain read from the file counts frames the capture missed as lost on the radio.
 */
function leftOut(req: ExportRequest, sel: ExportSelection): string {
  const gaps = sel.gapsLeftOut ?? 0;
  if (gaps === 0) return '';
  const what =
    gaps === 1 ? 'The gap the capture recorded is' : `The ${gaps.toLocaleString('en')} gaps the capture recorded are`;
  return (
    ` ${what} not in it (${req.format === 'json' ? 'a JSON' : 'an NDJSON'} export holds events only), so frames the ` +
    'capture missed will read as lost: export a support bundle to keep them.'
  );
}
