/**
 * `event-desk report FILE [--json]`: device and gateway health of a capture, as a table or as one JSON
 * object (a stable interface, README "report --json": fields are only added, never changed).
 */
import { summarizeEvent } from '../shared/domain/summary.js';
import { messageFacts } from '../shared/domain/message.js';
import { gatewayReadings } from '../shared/domain/reception.js';
import { HealthBuilder, type GatewayReading } from '../shared/health/health.js';
import { reportOf, type ReportSpread } from '../shared/health/report.js';
import { groupIntegrationFailures, isIntegrationFailure } from '../shared/health/integrations.js';
import { perText, type GapWindow } from '../shared/health/frames.js';
import type { TtsEvent } from '../shared/tts/types.js';
import { CommandError, EXIT, parseCommand, type ExitCode } from './args.js';
import { exitCodeFor, type Io } from './context.js';
import { cell, type CellKind } from './table-cell.js';
import { readEntries } from './read-file.js';

export const REPORT_HELP = `Usage: event-desk report FILE [--json]

Device and gateway health of what FILE holds (any file the app opens): per device the frames
received, frames lost on the radio and frames the capture cannot judge (missing while the capture
had a gap), packet error rate, RSSI and SNR, gateways, joins, downlinks and when it was last seen;
per gateway its uplinks, devices heard, RSSI and SNR, connects and disconnects.

Frame counters: a join restarts the count, a retransmission of one FCnt is not a new frame, the
16-bit counter's roll-over is followed, and frames missing inside a recorded capture gap are
"unknown", never "lost".

With --json: one JSON object (a stable interface for scripts; fields are only ever added):
  {"devices":[{"device_id","application_id","dev_eui","uplinks","f_cnt_first","f_cnt_last",
     "lost","unknown","per","rssi":{"min","median","max"},"snr":{…},"gateways":[…],
     "joins","downlinks","last_seen", …}],
   "gateways":[{"gateway_id","uplinks","devices","rssi":{…},"snr":{…},"connects","disconnects", …}],
   "integration_failures":[{"integration","target","status","count","body",…}],
   "gaps":[{"from","to"}]}
"per" is lost / (uplinks + lost), a fraction (0 for a device with no uplinks; the table says "—");
absent values are null.

Exit codes: 0 done, 2 bad arguments or nothing readable in FILE, 1 the file could not be read.

Examples:
  event-desk report capture.ndjson
  event-desk report capture.ndjson --json | jq '.devices[] | select(.per > 0.05) | .device_id'
`;

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;

/** A column of the text report: header, width, and what it holds. */
type Column = readonly [header: string, width: number, kind: CellKind];
/** The widest an ID column grows to fit its IDs; a longer ID loses its start (see `cell`). */
const MAX_ID_WIDTH = 48;
const DEVICE_COLUMNS: readonly Column[] = [
  ['device', 28, 'id'],
  ['uplinks', 7, 'number'],
  ['lost', 5, 'number'],
  ['unknown', 7, 'number'],
  ['PER', 6, 'number'],
  ['RSSI min/med/max', 18, 'number'],
  ['SNR min/med/max', 17, 'number'],
  ['joins', 5, 'number'],
  ['down', 4, 'number'],
];
const GATEWAY_COLUMNS: readonly Column[] = [
  ['gateway', 28, 'id'],
  ['uplinks', 7, 'number'],
  ['devices', 7, 'number'],
  ['RSSI min/med/max', 18, 'number'],
  ['SNR min/med/max', 17, 'number'],
  ['conn', 4, 'number'],
  ['disc', 4, 'number'],
];

const row = (columns: readonly Column[], cells: readonly unknown[]) =>
  columns.map(([, width, kind], i) => cell(cells[i], width, kind)).join(' ');
/**
 * The columns as wide as their widest cell: the first (the IDs) up to `MAX_ID_WIDTH`, past which an ID loses
 * its start; the numbers whole always (an SNR spread such as -17.25/-14.25/-10.75 passes the header's width).
 */
const fitted = (columns: readonly Column[], rows: readonly (readonly unknown[])[]): Column[] =>
  columns.map(([header, width, kind], i) => {
    // A loop, not Math.max(...): a capture of a large network names more devices than a call takes arguments.
    let widest = width;
    for (const r of rows) widest = Math.max(widest, String(r[i] ?? '').length);
    return [header, i === 0 ? Math.min(MAX_ID_WIDTH, widest) : widest, kind];
  });
const spread = (s: ReportSpread) => (s.min === null ? '' : `${s.min}/${s.median}/${s.max}`);

/** The numeric metrics of a gateway status message (`rxin`, `rxok`, `txin`, `txok`, `ackr`, …). */
export function statusMetrics(event: TtsEvent): Record<string, number> | undefined {
  const m = obj(obj(event.data)?.metrics);
  if (!m) return undefined;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(m).slice(0, 50)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}

/** Per-gateway readings of an event's uplink, when it names more than one gateway. */
export function readingsOf(event: TtsEvent): GatewayReading[] | undefined {
  const facts = messageFacts(event);
  if (!facts || facts.receptions.length === 0) return undefined;
  return gatewayReadings(facts.receptions);
}

export async function reportCommand(argv: string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseCommand(
    'report',
    argv,
    { json: { type: 'boolean' } },
    { positionals: { min: 1, max: 1, names: 'the FILE to report on (event-desk report capture.ndjson)' } },
  );
  if (values.help) {
    io.stdout.write(REPORT_HELP);
    return EXIT.ok;
  }
  const file = positionals[0]!;
  const health = new HealthBuilder();
  const gaps: GapWindow[] = [];
  const failures: TtsEvent[] = [];
  let index = 0;
  const read = await readEntries(file, (e) => {
    const i = index++;
    if (e.kind === 'status') {
      const from = Date.parse(e.entry.from ?? '');
      const to = Date.parse(e.entry.to ?? '');
      if (e.entry.kind === 'gap' && Number.isFinite(from) && Number.isFinite(to)) gaps.push({ fromMs: from, toMs: to });
      return;
    }
    const summary = summarizeEvent(e.event, i, 'file');
    health.add(summary, summary.gateways !== undefined && summary.gateways > 1 ? readingsOf(e.event) : undefined);
    if (summary.name === 'gs.status.receive' && summary.entityKind === 'gateway') {
      const m = statusMetrics(e.event);
      if (m) health.addStatusMetrics(summary.entity, summary.ms, m);
    }
    if (isIntegrationFailure(summary.name) && failures.length < 10_000) failures.push(e.event);
  });
  if (!read.ok)
    throw new CommandError(read.error.message, read.error.code === 'io' ? EXIT.failure : exitCodeFor(read.error));
  for (const g of gaps) health.addGap(g);
  const devices = health.devices();
  const gateways = health.gateways();
  const report = reportOf(devices, gateways);
  const integrations = groupIntegrationFailures(failures);
  if (values.json) {
    const out = {
      ...report,
      integration_failures: integrations.map((g) => ({
        integration: g.integration,
        target: g.target,
        status: g.status,
        count: g.count,
        first_time: g.firstTime,
        last_time: g.lastTime,
        message: g.message,
        body: g.body ?? null,
        applications: g.applications,
      })),
      gaps: gaps.map((g) => ({ from: new Date(g.fromMs).toISOString(), to: new Date(g.toMs).toISOString() })),
    };
    io.stdout.write(`${JSON.stringify(out)}\n`);
    return EXIT.ok;
  }
  const lines: string[] = [];
  lines.push(`Devices (${report.devices.length})`);
  const deviceCells = report.devices.map((d) => [
    `${d.application_id}/${d.device_id}`,
    d.uplinks,
    d.lost,
    d.unknown,
    perText(d, d.uplinks),
    spread(d.rssi),
    spread(d.snr),
    d.joins,
    d.downlinks,
  ]);
  const deviceColumns = fitted(DEVICE_COLUMNS, deviceCells);
  lines.push(
    `${row(
      deviceColumns,
      deviceColumns.map(([header]) => header),
    )}  last seen`,
  );
  deviceCells.forEach((cells, i) => lines.push(`${row(deviceColumns, cells)}  ${report.devices[i]!.last_seen}`));
  lines.push('', `Gateways (${report.gateways.length})`);
  const gatewayCells = report.gateways.map((g) => [
    g.gateway_id,
    g.uplinks,
    g.devices,
    spread(g.rssi),
    spread(g.snr),
    g.connects,
    g.disconnects,
  ]);
  const gatewayColumns = fitted(GATEWAY_COLUMNS, gatewayCells);
  lines.push(
    row(
      gatewayColumns,
      gatewayColumns.map(([header]) => header),
    ),
  );
  for (const cells of gatewayCells) lines.push(row(gatewayColumns, cells));
  if (integrations.length) {
    lines.push('', 'Integration failures');
    for (const g of integrations)
      lines.push(
        `  ${g.integration} ${g.target} → ${g.status}: ${g.count}× (last ${g.lastTime})${g.body ? `  body: ${g.body.slice(0, 200)}` : ''}`,
      );
  }
  if (gaps.length)
    lines.push(
      '',
      `${gaps.length} capture gap${gaps.length === 1 ? '' : 's'}: frames missing inside them are counted as unknown, not lost.`,
    );
  io.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}
