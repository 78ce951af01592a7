/**
 * `event-desk export FILE -o OUT`: the app's export (formats, filter, redaction, pseudonyms, bundle
 * manifest), on a file instead of a workspace.
 *
 * A thin adapter, no export code of its own: FILE is imported by the app's importer into a capture
 * index in a temporary folder (a workspace of one imported stream), then the app's ExportService
 * writes OUT, answering its save dialog with `-o`. The temporary copy is removed afterwards.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { CaptureIndex } from '../core/capture/capture-index.js';
import { ScriptedDialogs } from '../core/services/dialogs.js';
import { ExportService } from '../core/exchange/export-service.js';
import { ImportService } from '../core/exchange/import-service.js';
import { NO_REDACTION, type RedactionOptions } from '../shared/export/redact.js';
import type { ExportFormat, JobProgress } from '../shared/export/types.js';
import type { PushSink } from '../shared/ipc/contract.js';
import { compileQuery } from '../shared/query/query.js';
import { err } from '../shared/result.js';
import { CommandError, EXIT, UsageError, parseCommand, type ExitCode } from './args.js';
import { appVersion, exitCodeFor, type Io } from './context.js';

export const EXPORT_HELP = `Usage: event-desk export FILE -o OUT [--format json|ndjson|bundle] [--filter QUERY] [--redact WHAT]

Write the events of FILE (any file the app opens) to OUT as the app's Export does:
  --format json      a JSON array, the TTS Console's export shape (default when OUT ends in .json)
  --format ndjson    one event per line (default otherwise)
  --format bundle    a support bundle: a manifest line (time window, counts, gaps, reconnects,
                     redaction), then the events and the capture's status entries
  --filter QUERY     only events the app's filter query matches, e.g. 'ns.up.* device:dev1',
                     'rssi<-110 OR *.fail', 'dev_eui:70B3D57ED0000001'
  --redact WHAT      all, or a comma list of: ids (device, application, gateway, user IDs, EUIs and
                     DevAddr become pseudonyms, stable within OUT only), ips, payloads, locations,
                     user-agents, key-ids (which API key made a request)
  -o, --output OUT   where to write (written to a temporary file and renamed when complete)

Progress goes to stderr. Exit codes: 0 written, 2 bad arguments or nothing to export, 1 failed.

Examples:
  event-desk export capture.ndjson -o ticket-1234.bundle.ndjson --format bundle --redact all
  event-desk export capture.ndjson -o uplinks.json --filter 'as.up.data.forward device:dev1'
  event-desk export console-export.json -o clean.ndjson --redact ids,ips,locations
`;

const REDACT_NAMES: Record<string, keyof RedactionOptions> = {
  ids: 'pseudonymize',
  ips: 'remoteIps',
  payloads: 'payloads',
  locations: 'locations',
  'user-agents': 'userAgents',
  'key-ids': 'apiKeyIds',
};

/** `all` or a comma list of redaction names, as the app's options. */
export function parseRedact(text: string | undefined): RedactionOptions {
  const out: RedactionOptions = { ...NO_REDACTION };
  if (text === undefined) return out;
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    if (part === 'all') {
      for (const k of Object.values(REDACT_NAMES)) out[k] = true;
      continue;
    }
    const key = REDACT_NAMES[part];
    if (!key)
      throw new UsageError(
        `--redact "${part}" is not known: use all, or a comma list of ${Object.keys(REDACT_NAMES).join(', ')}.`,
      );
    out[key] = true;
  }
  return out;
}

const WORKSPACE = 'cli';

export async function exportCommand(argv: string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseCommand(
    'export',
    argv,
    {
      output: { type: 'string', short: 'o' },
      format: { type: 'string' },
      filter: { type: 'string' },
      redact: { type: 'string' },
    },
    { positionals: { min: 1, max: 1, names: 'the FILE to export (event-desk export capture.ndjson -o out.ndjson)' } },
  );
  if (values.help) {
    io.stdout.write(EXPORT_HELP);
    return EXIT.ok;
  }
  if (!values.output)
    throw new UsageError('-o OUT is required: where to write the export, e.g. -o ticket.bundle.ndjson.');
  const format = (values.format ?? (/\.json$/i.test(values.output) ? 'json' : 'ndjson')) as ExportFormat;
  if (!['json', 'ndjson', 'bundle'].includes(format))
    throw new UsageError(`--format "${values.format}" is not known: use json, ndjson or bundle.`);
  if (values.filter !== undefined) {
    const q = compileQuery(values.filter);
    if (!q.ok)
      throw new UsageError(
        `--filter: ${q.error.message} (at "${values.filter.slice(q.error.start, Math.max(q.error.end, q.error.start + 1))}").`,
      );
  }
  const redaction = parseRedact(values.redact);
  const input = positionals[0]!;
  const output = path.resolve(values.output);
  if (path.resolve(input) === output)
    throw new UsageError('-o OUT must not be FILE itself: the export is read from FILE while OUT is written.');

  const dir = await mkdtemp(path.join(os.tmpdir(), 'event-desk-export-'));
  const index = new CaptureIndex({ dir });
  try {
    let finished: ((p: JobProgress) => void) | undefined;
    const done = new Promise<JobProgress>((resolve) => (finished = resolve));
    const tty = io.stderr.isTTY === true;
    const sink: PushSink = {
      send: (channel: string, payload: unknown) => {
        if (channel !== 'jobs:progress') return;
        const p = payload as JobProgress;
        if (p.kind === 'import' && p.state === 'running' && tty)
          io.stderr.write(
            `\r\x1b[2Kreading ${input}: ${p.done.toLocaleString('en')} events, ${Math.round((100 * p.bytes) / Math.max(1, p.totalBytes ?? p.bytes))}%`,
          );
        if (p.kind !== 'export') return;
        if (p.state === 'running') {
          if (tty)
            io.stderr.write(
              `\r\x1b[2Kexporting: ${p.done.toLocaleString('en')}${p.total ? ` of ${p.total.toLocaleString('en')}` : ''} entries`,
            );
          return;
        }
        finished?.(p);
      },
    } as PushSink;

    const imports = new ImportService({ index, dialogs: new ScriptedDialogs(), sink });
    const read = await imports.importFile(WORKSPACE, input);
    if (tty) io.stderr.write('\r\x1b[2K');
    if (!read.ok)
      throw new CommandError(read.error.message, read.error.code === 'io' ? EXIT.failure : exitCodeFor(read.error));
    const r = read.value;
    const counts = `${r.events.toLocaleString('en')} events and ${r.statusEntries.toLocaleString('en')} status entries`;
    const first = r.skipped[0];
    const skips = r.skippedCount ? `; skipped ${r.skippedCount} (first: line ${first!.line}: ${first!.reason})` : '';
    io.stderr.write(`event-desk export: read ${counts} from ${input} (${r.format})${skips}.\n`);

    const dialogs = new ScriptedDialogs();
    dialogs.saves.push(output);
    const exports = new ExportService({
      index,
      streamsOf: () => imports.list(),
      chainIds: () => err('invalid-input', 'The command line exports files, not chains.'),
      dialogs,
      sink,
      version: appVersion(),
      profile: () => undefined,
      // Its one log line is a failure, which the command prints as the export's own message below.
    });
    const started = await exports.start({
      workspaceId: WORKSPACE,
      workspaceName: path.basename(input),
      scope: values.filter !== undefined ? { kind: 'filter', query: values.filter } : { kind: 'workspace' },
      format,
      redaction,
      displayUtc: true,
    });
    if (!started.ok) throw new CommandError(started.error.message, exitCodeFor(started.error));
    const result = await done;
    if (tty) io.stderr.write('\r\x1b[2K');
    if (result.state !== 'done') throw new CommandError(result.message ?? `The export ${result.state}.`, EXIT.failure);
    io.stderr.write(`event-desk export: ${result.message ?? `wrote ${output}`}\n`);
    return EXIT.ok;
  } finally {
    await index.dispose().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}
