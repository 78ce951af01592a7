/**
 * `event-desk inspect FILE [--json]`: what a capture, bundle or export holds, entry by entry, with the
 * app's summaries, correlation chains and findings. `--json` is a stable interface (README, "inspect
 * --json"): change it only additively.
 */
import { summarizeEvent, type EventSummary } from '../shared/domain/summary.js';
import { analyzeChain, collectChain, deviceKey, isJoinEventOf, type ChainSource } from '../shared/correlation/chain.js';
import type { StatusEntry } from '../core/capture/capture-file.js';
import { CommandError, EXIT, parseCommand, type ExitCode } from './args.js';
import { exitCodeFor, type Io } from './context.js';
import { readEntries } from './read-file.js';
import { cell, type CellKind } from './table-cell.js';

export const INSPECT_HELP = `Usage: event-desk inspect FILE [--json]

List what FILE holds: any file the app opens (Event Desk captures and support bundles, TTS Console
exports, ttn-lw-cli events output, NDJSON, raw stream output with {"result":…} wrappers).

Without --json: a table of entries (events and the app's status entries such as gaps), the
correlation chains that have findings (a step missing, a drop or a failure), and totals.

With --json: one JSON object per line, in file order (a stable interface for scripts):
  {"kind":"event","index":0,"unique_id":…,"name":…,"time":…,"entity":"device:dev1",
   "application_id":…,"device_id":…,"dev_eui":…,"dev_addr":…,"gateway_ids":[…],
   "direction":"up"|"down"|"join"|null,"f_port":…,"f_cnt":…,"rssi":…,"snr":…,"gateways":…,
   "chain":[index of every event in its correlation chain, itself included],"findings":[text…],
   "notes":[text…] (not faults: e.g. a chain with only the gateway server's events)}
  {"kind":"gap"|"reconnect"|"stream-start"|"stopped"|"warning"|"retention","index":…,"time":…,"message":…}
  {"kind":"totals",…}   last: counts, chains, and the lines skipped with the reason
"index" is the entry's position among the entries of the file (0-based); absent values are null.

Exit codes: 0 read, 2 bad arguments or nothing readable in FILE, 1 the file could not be read.

Examples:
  event-desk inspect capture.ndjson
  event-desk inspect support.bundle.ndjson --json | jq 'select(.kind=="gap")'
  event-desk inspect console-export.json --json | jq -c 'select(.findings|length>0) | [.index,.name,.findings]'
`;

type Entry =
  | { kind: 'event'; summary: EventSummary; uniqueId: string | undefined }
  | { kind: 'status'; entry: StatusEntry; index: number };

/** Chains over the file's events, answered from two maps (correlation ID → events, device → join events). */
class FileChainSource implements ChainSource {
  readonly #byId: (EventSummary | undefined)[] = [];
  readonly #byCorr = new Map<string, EventSummary[]>();
  readonly #joins = new Map<string, EventSummary[]>();

  add(s: EventSummary): void {
    this.#byId[s.id] = s;
    for (const c of s.correlationIds) (this.#byCorr.get(c) ?? this.#byCorr.set(c, []).get(c)!).push(s);
    const key = deviceKey(s);
    if (key && (s.name.startsWith('js.join.') || s.name.startsWith('ns.up.join.')))
      (this.#joins.get(key) ?? this.#joins.set(key, []).get(key)!).push(s);
  }

  get(id: number): EventSummary | undefined {
    return this.#byId[id];
  }

  withCorrelationId(corrId: string, limit: number): readonly EventSummary[] {
    const list = this.#byCorr.get(corrId) ?? [];
    return list.length > limit ? list.slice(0, limit) : list;
  }

  joinEvents(key: string, fromMs: number, toMs: number): Iterable<EventSummary> {
    return (this.#joins.get(key) ?? []).filter((s) => isJoinEventOf(s, key, fromMs, toMs));
  }
}

const nul = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

export async function inspectCommand(argv: string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseCommand(
    'inspect',
    argv,
    { json: { type: 'boolean' } },
    { positionals: { min: 1, max: 1, names: 'the FILE to inspect (event-desk inspect capture.ndjson)' } },
  );
  if (values.help) {
    io.stdout.write(INSPECT_HELP);
    return EXIT.ok;
  }
  const file = positionals[0]!;
  const entries: Entry[] = [];
  const source = new FileChainSource();
  const read = await readEntries(file, (e) => {
    const index = entries.length;
    if (e.kind === 'status') entries.push({ kind: 'status', entry: e.entry, index });
    else {
      const summary = summarizeEvent(e.event, index, 'file');
      source.add(summary);
      entries.push({
        kind: 'event',
        summary,
        uniqueId: typeof e.event.unique_id === 'string' ? e.event.unique_id : undefined,
      });
    }
  });
  if (!read.ok)
    throw new CommandError(read.error.message, read.error.code === 'io' ? EXIT.failure : exitCodeFor(read.error));

  // Chains: one walk per event (a chain seen from each member is the same set, but a walk is cheap
  // against its maps and this keeps "itself included" exact when a file holds an event twice).
  const chains = new Map<string, { members: number[]; kind: string; findings: string[]; notes: string[] }>();
  const chainOf: { members: number[]; findings: string[]; notes: string[] }[] = [];
  for (const e of entries) {
    if (e.kind !== 'event') continue;
    const { events, truncated, unlinked } = collectChain(e.summary.id, source);
    const members = events.map((x) => x.id);
    const key = members.join(',');
    let c = chains.get(key);
    if (!c) {
      const chain = analyzeChain(events, truncated, unlinked);
      // Notes are not faults: `findings` (a stable interface) keeps errors and warnings, `notes` the rest.
      const faults = chain.findings.filter((f) => f.severity !== 'note');
      const notes = chain.findings.filter((f) => f.severity === 'note');
      c = { members, kind: chain.kind, findings: faults.map((f) => f.text), notes: notes.map((f) => f.text) };
      chains.set(key, c);
    }
    chainOf[e.summary.id] = c;
  }

  const statusCounts: Record<string, number> = {};
  let events = 0;
  const write = makeWriter(io);
  if (!values.json) write(tableHeader());
  for (const e of entries) {
    if (e.kind === 'status') {
      statusCounts[e.entry.kind] = (statusCounts[e.entry.kind] ?? 0) + 1;
      const { kind, time, message, ...rest } = e.entry;
      write(
        values.json ? JSON.stringify({ kind, index: e.index, time, message, ...rest }) : tableStatus(e.index, e.entry),
      );
      continue;
    }
    events++;
    const s = e.summary;
    const c = chainOf[s.id]!;
    if (values.json) write(JSON.stringify(eventLine(s, e.uniqueId, c)));
    else write(tableEvent(s, c));
  }
  const withFindings = [...chains.values()].filter((c) => c.findings.length > 0);
  const totals = {
    kind: 'totals',
    file,
    format: read.value.format,
    entries: entries.length,
    events,
    status_entries: entries.length - events,
    status: statusCounts,
    chains: chains.size,
    chains_with_findings: withFindings.length,
    skipped_count: read.value.skippedCount,
    skipped: read.value.skipped,
  };
  if (values.json) write(JSON.stringify(totals));
  else {
    if (withFindings.length) {
      write('');
      write('Chains with findings:');
      for (const c of withFindings) {
        write(
          `  ${c.kind} chain of ${c.members.length} (entries ${c.members.slice(0, 12).join(', ')}${c.members.length > 12 ? ', …' : ''}):`,
        );
        for (const f of c.findings) write(`    ! ${f}`);
      }
    }
    write('');
    const status = Object.entries(statusCounts)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
    const counts = `${entries.length} entries: ${events} events${status ? `, ${status}` : ''}`;
    const chainCounts = `${chains.size} chains, ${withFindings.length} with findings`;
    write(`${file}: ${read.value.format}; ${counts}; ${chainCounts}; ${read.value.skippedCount} skipped.`);
    for (const s of read.value.skipped) write(`  skipped line ${s.line}: ${s.reason}`);
    if (read.value.skippedCount > read.value.skipped.length)
      write(`  … and ${read.value.skippedCount - read.value.skipped.length} more skipped.`);
  }
  await write.end();
  return EXIT.ok;
}

/** The `--json` line of one event: every key always present, absent values null. */
function eventLine(
  s: EventSummary,
  uniqueId: string | undefined,
  c: { members: number[]; findings: string[]; notes: string[] },
) {
  return {
    kind: 'event',
    index: s.id,
    unique_id: nul(uniqueId),
    name: s.name,
    time: s.time,
    entity: s.entityKind ? `${s.entityKind}:${s.entity}` : null,
    application_id: s.entityKind === 'application' ? s.entity : nul(s.application),
    device_id: s.entityKind === 'device' ? s.entity : null,
    dev_eui: nul(s.devEui),
    dev_addr: nul(s.devAddr),
    gateway_ids: s.gatewayIds ?? [],
    direction: nul(s.direction),
    f_port: nul(s.fPort),
    f_cnt: nul(s.fCnt),
    rssi: nul(s.rssi),
    snr: nul(s.snr),
    gateways: nul(s.gateways),
    chain: c.members,
    findings: c.findings,
    notes: c.notes,
  };
}

/** The table's columns before the chain: header, width, and what it holds. */
const COLUMNS: readonly (readonly [header: string, width: number, kind: CellKind])[] = [
  ['#', 6, 'number'],
  ['time', 24, 'text'],
  ['name', 30, 'text'],
  ['entity', 24, 'id'],
  ['dir', 4, 'text'],
  ['fcnt', 6, 'number'],
  ['rssi', 5, 'number'],
  ['snr', 5, 'number'],
  ['gw', 3, 'number'],
];
const row = (cells: readonly (string | number | undefined)[], chain: string) =>
  `${COLUMNS.map(([, width, kind], i) => cell(cells[i], width, kind)).join('  ')}  ${chain}`;

function tableHeader(): string {
  return row(
    COLUMNS.map(([header]) => header),
    'chain',
  );
}

function tableEvent(s: EventSummary, c: { members: number[]; findings: string[] }): string {
  const chain =
    c.members.length > 1
      ? `${c.members.length} events${c.findings.length ? ` · ${c.findings.length} finding${c.findings.length === 1 ? '' : 's'}` : ''}`
      : c.findings.length
        ? `! ${c.findings.length}`
        : '';
  const time = s.time.replace(/(\.\d{3})\d*Z$/, '$1Z');
  return row([s.id, time, s.name, s.entity, s.direction, s.fCnt, s.rssi, s.snr, s.gateways], chain);
}

function tableStatus(index: number, e: StatusEntry): string {
  return `${cell(index, 6, 'number')}  ${cell(e.time, 24)}  ── ${e.kind}: ${e.message}`;
}

/** Line output in large writes; resolves `end` once written (stdout may be a pipe). */
function makeWriter(io: Io): ((line: string) => void) & { end: () => Promise<void> } {
  let parts: string[] = [];
  let size = 0;
  const flush = () => {
    if (parts.length) io.stdout.write(parts.join(''));
    parts = [];
    size = 0;
  };
  const write = (line: string) => {
    parts.push(line, '\n');
    size += line.length + 1;
    if (size > 256 * 1024) flush();
  };
  return Object.assign(write, {
    end: () => {
      flush();
      return new Promise<void>((resolve) => io.stdout.write('', () => resolve()));
    },
  });
}
