/**
 * `event-desk report FILE [--json]`: device and gateway health of a capture, as a table or as one JSON
 * object (a stable interface, README "report --json": fields are only added, never changed).
 */
import { summarizeEvent } from '../shared/domain/summary.js';
import { messageFacts } from '../shared/domain/message.js';
import { HealthBuilder, type GatewayReading } from '../shared/health/health.js';
import { reportOf } from '../shared/health/report.js';
import { groupIntegrationFailures, isIntegrationFailure } from '../shared/health/integrations.js';
import type { GapWindow } from '../shared/health/frames.js';
import type { TtsEvent } from '../shared/tts/types.js';
import { CommandError, EXIT, parseCommand, type ExitCode } from './args.js';
import { exitCodeFor, type Io } from './context.js';
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
"per" is lost / (uplinks + lost), a fraction; absent values are null.

Exit codes: 0 done, 2 bad arguments or nothing readable in FILE, 1 the file could not be read.

Examples:
  event-desk report capture.ndjson
  event-desk report capture.ndjson --json | jq '.devices[] | select(.per > 0.05) | .device_id'
`;

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;

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
  return facts.receptions.map((r) => {
    const x: GatewayReading = { gatewayId: r.packetBroker?.forwarderGatewayId ?? r.gatewayId };
    if (r.rssi !== undefined) x.rssi = r.rssi;
    if (r.snr !== undefined) x.snr = r.snr;
    return x;
  });
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
  const pad = (v: unknown, n: number, right = false) => {
    const t = v === undefined || v === null ? '' : String(v);
    const cut = t.length > n ? `${t.slice(0, n - 1)}…` : t;
    return right ? cut.padStart(n) : cut.padEnd(n);
  };
  lines.push(`Devices (${report.devices.length})`);
  lines.push(
    `${pad('device', 28)} ${pad('uplinks', 7, true)} ${pad('lost', 5, true)} ${pad('unknown', 7, true)} ${pad('PER', 6, true)} ${pad('RSSI min/med/max', 18, true)} ${pad('SNR min/med/max', 17, true)} ${pad('joins', 5, true)} ${pad('down', 4, true)}  last seen`,
  );
  for (const d of report.devices) {
    const rs = d.rssi.min === null ? '' : `${d.rssi.min}/${d.rssi.median}/${d.rssi.max}`;
    const ns = d.snr.min === null ? '' : `${d.snr.min}/${d.snr.median}/${d.snr.max}`;
    lines.push(
      `${pad(`${d.application_id}/${d.device_id}`, 28)} ${pad(d.uplinks, 7, true)} ${pad(d.lost, 5, true)} ${pad(d.unknown, 7, true)} ${pad(`${(d.per * 100).toFixed(1)}%`, 6, true)} ${pad(rs, 18, true)} ${pad(ns, 17, true)} ${pad(d.joins, 5, true)} ${pad(d.downlinks, 4, true)}  ${d.last_seen}`,
    );
  }
  lines.push('', `Gateways (${report.gateways.length})`);
  lines.push(
    `${pad('gateway', 28)} ${pad('uplinks', 7, true)} ${pad('devices', 7, true)} ${pad('RSSI min/med/max', 18, true)} ${pad('SNR min/med/max', 17, true)} ${pad('conn', 4, true)} ${pad('disc', 4, true)}`,
  );
  for (const g of report.gateways) {
    const rs = g.rssi.min === null ? '' : `${g.rssi.min}/${g.rssi.median}/${g.rssi.max}`;
    const ns = g.snr.min === null ? '' : `${g.snr.min}/${g.snr.median}/${g.snr.max}`;
    lines.push(
      `${pad(g.gateway_id, 28)} ${pad(g.uplinks, 7, true)} ${pad(g.devices, 7, true)} ${pad(rs, 18, true)} ${pad(ns, 17, true)} ${pad(g.connects, 4, true)} ${pad(g.disconnects, 4, true)}`,
    );
  }
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
