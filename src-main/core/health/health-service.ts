/**
 * The network view over the capture index: the capture overview (event rate, errors, gaps), device and
 * gateway health, integration failures. The computations are the shared pure ones
 * (`shared/health/`); this file only feeds them the index's rows through its public API (segments,
 * their columns and row views, postings by device) and reads the few full events they need (gap
 * windows, per-gateway readings of recent uplinks, gateway status metrics, integration failures).
 */
import type { CaptureIndex } from '../capture/capture-index.js';
import { DEVICE_TERM, type Segment } from '../capture/segment.js';
import { err, ok, type Result } from '../../shared/result.js';
import { HealthBuilder, UPLINK_RANK, type DeviceHealth, type DeviceSeries, type GatewayHealth, type GatewayReading, type GatewaySeries } from '../../shared/health/health.js';
import { isErrorName, overviewOf, type Overview, type OverviewMark } from '../../shared/health/overview.js';
import type { GapWindow } from '../../shared/health/frames.js';
import { groupIntegrationFailures, isIntegrationFailure, type IntegrationFailureGroup } from '../../shared/health/integrations.js';
import { messageFacts } from '../../shared/domain/message.js';
import type { TtsEvent } from '../../shared/tts/types.js';
import { STATUS_KEY, type StatusEntry } from '../capture/capture-file.js';

export interface HealthList {
  devices: DeviceHealth[];
  gateways: GatewayHealth[];
  integrations: IntegrationFailureGroup[];
  gaps: number;
}

/** Full events read per request at most (per-gateway readings, status metrics, failures). */
const MAX_READS = 2000;
const MARK_KINDS: Record<string, OverviewMark['kind']> = { 'event-desk.gap': 'gap', 'event-desk.reconnect': 'reconnect', 'event-desk.retention': 'retention', 'event-desk.stopped': 'stopped', 'event-desk.warning': 'warning' };
const UPLINK_NAMES = new Set<string>(UPLINK_RANK);

export class HealthService {
  constructor(private readonly index: CaptureIndex) {}

  /** Status entries of a workspace (gaps, reconnects, …) with their windows, read from their lines. */
  async #marks(workspaceId: string): Promise<OverviewMark[]> {
    const found: { id: number; kind: OverviewMark['kind']; ms: number; text: string; streamId: string }[] = [];
    for (const seg of this.index.segmentsOf(workspaceId)) {
      for (let row = 0; row < seg.rows; row++) {
        if (!seg.isStatus(row)) continue;
        const kind = MARK_KINDS[seg.name(row)];
        if (kind) found.push({ id: seg.base + row, kind, ms: seg.ms(row), text: seg.summary(row).preview, streamId: seg.owner.streamId });
      }
    }
    const out: OverviewMark[] = [];
    for (const f of found.slice(-MAX_READS)) {
      let from = f.ms;
      let to = f.ms;
      if (f.kind === 'gap') {
        const entry = await this.#status(f.id);
        const a = Date.parse(entry?.from ?? '');
        const b = Date.parse(entry?.to ?? '');
        if (Number.isFinite(a) && Number.isFinite(b)) [from, to] = [a, b];
      }
      out.push({ kind: f.kind, fromMs: from, toMs: to, text: f.text, streamId: f.streamId });
    }
    return out;
  }

  async #status(id: number): Promise<StatusEntry | undefined> {
    const raw = await this.index.raw(id);
    if (raw === undefined) return undefined;
    try {
      return (JSON.parse(raw) as Record<string, StatusEntry>)[STATUS_KEY];
    } catch {
      return undefined;
    }
  }

  async #gaps(workspaceId: string): Promise<GapWindow[]> {
    return (await this.#marks(workspaceId)).filter((m) => m.kind === 'gap' && m.toMs > m.fromMs).map((m) => ({ fromMs: m.fromMs, toMs: m.toMs, ...(m.streamId ? { streamId: m.streamId } : {}) }));
  }

  /** Event rate over the whole capture in `bins` bins, errors per bin, and the status marks. */
  async overview(workspaceId: string, bins: number): Promise<Result<Overview>> {
    const segments = this.index.segmentsOf(workspaceId);
    const errorByName = new Map<string, boolean>();
    const each = (visit: (ms: number, error: boolean) => void) => {
      for (const seg of segments) {
        for (let row = 0; row < seg.rows; row++) {
          if (seg.isStatus(row)) continue;
          const name = seg.name(row);
          let e = errorByName.get(name);
          if (e === undefined) errorByName.set(name, (e = isErrorName(name)));
          visit(seg.ms(row), e);
        }
      }
    };
    return ok(overviewOf(each, await this.#marks(workspaceId), bins));
  }

  #builder(scope: ConstructorParameters<typeof HealthBuilder>[0], gaps: readonly GapWindow[]): HealthBuilder {
    const b = new HealthBuilder(scope);
    for (const g of gaps) b.addGap(g);
    return b;
  }

  /** Every row of the workspace through one row view, oldest segment first. */
  #feed(workspaceId: string, b: HealthBuilder, readings?: Map<number, GatewayReading[]>): void {
    for (const seg of this.index.segmentsOf(workspaceId)) {
      const view = seg.view();
      for (let row = 0; row < seg.rows; row++) {
        if (seg.isStatus(row)) continue;
        view.row = row;
        b.add(view, readings?.get(seg.base + row));
      }
    }
  }

  async #read(ids: number[]): Promise<Map<number, TtsEvent>> {
    const out = new Map<number, TtsEvent>();
    for (const id of ids.slice(-MAX_READS)) {
      const r = await this.index.event(id);
      if (r.ok) out.set(id, r.value);
    }
    return out;
  }

  /** Devices and gateways of the workspace, with integration failures grouped. */
  async list(workspaceId: string): Promise<Result<HealthList>> {
    const gaps = await this.#gaps(workspaceId);
    const b = this.#builder({}, gaps);
    this.#feed(workspaceId, b);
    const failures: number[] = [];
    for (const seg of this.index.segmentsOf(workspaceId)) for (let row = 0; row < seg.rows; row++) if (!seg.isStatus(row) && isIntegrationFailure(seg.name(row))) failures.push(seg.base + row);
    const events = await this.#read(failures);
    return ok({ devices: b.devices(), gateways: b.gateways(), integrations: groupIntegrationFailures(events.values()), gaps: gaps.length });
  }

  /** One device's health and series. Per-gateway readings come from the full events of its recent uplinks. */
  async device(workspaceId: string, deviceKey: string): Promise<Result<{ health: DeviceHealth; series: DeviceSeries }>> {
    const gaps = await this.#gaps(workspaceId);
    // The device's uplinks that more than one gateway heard: their events hold each gateway's reading.
    const multi: number[] = [];
    for (const seg of this.index.segmentsOf(workspaceId)) {
      const rows: number[] = [];
      seg.withTerm(DEVICE_TERM + deviceKey, (row) => void rows.push(row));
      for (const row of rows.reverse()) {
        if (!UPLINK_NAMES.has(seg.name(row))) continue;
        const s = seg.summary(row);
        if ((s.gateways ?? 0) > 1) multi.push(s.id);
      }
    }
    const readings = new Map<number, GatewayReading[]>();
    for (const [id, event] of await this.#read(multi)) {
      const facts = messageFacts(event);
      if (facts?.receptions.length) readings.set(id, facts.receptions.map((r) => ({ gatewayId: r.packetBroker?.forwarderGatewayId ?? r.gatewayId, ...(r.rssi !== undefined ? { rssi: r.rssi } : {}), ...(r.snr !== undefined ? { snr: r.snr } : {}) })));
    }
    const b = this.#builder({ deviceKey }, gaps);
    this.#feed(workspaceId, b, readings.size ? readings : undefined);
    const got = b.device(deviceKey);
    return got ? ok(got) : err('not-found', `No events of device ${deviceKey} in this workspace's capture.`);
  }

  /** One gateway's health and series, with the metrics of its latest status messages. */
  async gateway(workspaceId: string, gatewayId: string): Promise<Result<{ health: GatewayHealth; series: GatewaySeries }>> {
    const gaps = await this.#gaps(workspaceId);
    const b = this.#builder({ gatewayId }, gaps);
    this.#feed(workspaceId, b);
    const status: { id: number; ms: number }[] = [];
    for (const seg of this.index.segmentsOf(workspaceId) as Segment[]) {
      for (let row = 0; row < seg.rows; row++) {
        if (seg.name(row) !== 'gs.status.receive') continue;
        const s = seg.summary(row);
        if (s.entity === gatewayId) status.push({ id: s.id, ms: s.ms });
      }
    }
    const latest = status.slice(-20);
    const events = await this.#read(latest.map((x) => x.id));
    for (const x of latest) {
      const m = (events.get(x.id)?.data as { metrics?: Record<string, unknown> } | undefined)?.metrics;
      if (!m || typeof m !== 'object') continue;
      const metrics: Record<string, number> = {};
      for (const [k, v] of Object.entries(m).slice(0, 50)) if (typeof v === 'number' && Number.isFinite(v)) metrics[k] = v;
      b.addStatusMetrics(gatewayId, x.ms, metrics);
    }
    const got = b.gateway(gatewayId);
    return got ? ok(got) : err('not-found', `No events of gateway ${gatewayId} in this workspace's capture.`);
  }
}
