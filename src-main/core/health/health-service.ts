/**
 * The network view over the capture index: the capture overview (event rate, errors, gaps), device and
 * gateway health, integration failures. The computations are the shared pure ones
 * (`shared/health/`); this file only feeds them the index's rows through its public API (segments,
 * their columns and row views, postings by device) and reads the few full events they need (gap
 * windows, through `status-marks.ts`; per-gateway readings of recent uplinks, gateway status metrics,
 * integration failures).
 */
import type { CaptureIndex } from '../capture/capture-index.js';
import type { Segment } from '../capture/segment.js';
import { err, ok, type Result } from '../../shared/result.js';
import {
  HealthBuilder,
  UPLINK_RANK,
  type DeviceHealth,
  type DeviceSeries,
  type GatewayHealth,
  type GatewayReading,
  type GatewaySeries,
} from '../../shared/health/health.js';
import { overviewOf, type Overview } from '../../shared/health/overview.js';
import { RateCounts } from './rate-counts.js';
import { StatusMarks } from './status-marks.js';
import type { GapWindow } from '../../shared/health/frames.js';
import {
  groupIntegrationFailures,
  isIntegrationFailure,
  type IntegrationFailureGroup,
} from '../../shared/health/integrations.js';
import { messageFacts } from '../../shared/domain/message.js';
import { gatewayReadings } from '../../shared/domain/reception.js';
import type { TtsEvent } from '../../shared/tts/types.js';
import type { EventSummary } from '../../shared/domain/summary.js';

export interface HealthList {
  devices: DeviceHealth[];
  gateways: GatewayHealth[];
  integrations: IntegrationFailureGroup[];
  gaps: number;
  /** Present while the lists are still being built over a big capture: rows read so far of all. */
  building?: { read: number; total: number };
}

/** How long one list call reads rows before it answers with its progress (the first call over a big capture). */
const LIST_BUDGET_MS = 1000;
/** How long a gateway panel lets the list catch up before it reads the gateway's own rows instead. */
const PANEL_BUDGET_MS = 150;

/** Full events read per request at most (per-gateway readings, status metrics, failures). */
const MAX_READS = 2000;
const UPLINK_NAMES = new Set<string>(UPLINK_RANK);

/** Rows of a segment linked to a device or a gateway (the index's postings), oldest first. */
function linkedRows(seg: Segment, kind: 'device' | 'gateway', key: string): number[] {
  const rows: number[] = [];
  const push = (row: number) => void rows.push(row);
  if (kind === 'device') seg.withDevice(key, push);
  else seg.withGateway(key, push);
  return rows.reverse();
}

/** Full events read for one device panel's per-gateway readings: its newest multi-gateway uplinks. */
const MAX_READINGS = 500;

export class HealthService {
  /** The capture's status entries as overview marks and gap windows. */
  readonly #marks: StatusMarks;

  constructor(private readonly index: CaptureIndex) {
    this.#marks = new StatusMarks(index);
  }

  /**
   * DevAddr and DevEUI bindings a segment's device events show (one per address and device, with when
   * it was first seen), kept up to date as the segment grows: a gateway panel names the devices it
   * heard without reading every event of the capture again.
   */
  readonly #learned = new WeakMap<Segment, { done: number; seen: Map<string, EventSummary> }>();
  #bindings(seg: Segment): Iterable<EventSummary> {
    let c = this.#learned.get(seg);
    if (!c) this.#learned.set(seg, (c = { done: 0, seen: new Map() }));
    const view = seg.view();
    for (let row = c.done; row < seg.rows; row++) {
      view.row = row;
      if (view.kind !== 'event' || view.entityKind !== 'device') continue;
      const addr = view.devAddr;
      const eui = view.devEui;
      if (addr === undefined && eui === undefined) continue;
      const key = `${view.application ?? ''}/${view.entity}|${addr ?? ''}|${eui ?? ''}`;
      if (!c.seen.has(key)) c.seen.set(key, seg.summary(row));
    }
    c.done = seg.rows;
    return c.seen.values();
  }

  /** Events and errors per second of each segment, for the overview. */
  readonly #rates = new RateCounts();

  /** Event rate over the whole capture in `bins` bins, errors per bin, and the status marks. */
  async overview(workspaceId: string, bins: number): Promise<Result<Overview>> {
    const each = this.#rates.over(this.index.segmentsOf(workspaceId));
    return ok(overviewOf(each, await this.#marks.marks(workspaceId), bins));
  }

  #builder(scope: ConstructorParameters<typeof HealthBuilder>[0], gaps: readonly GapWindow[]): HealthBuilder {
    const b = new HealthBuilder(scope);
    for (const g of gaps) b.addGap(g);
    return b;
  }

  async #read(ids: number[]): Promise<Map<number, TtsEvent>> {
    const out = new Map<number, TtsEvent>();
    for (const id of ids.slice(-MAX_READS)) {
      const r = await this.index.event(id);
      if (r.ok) out.set(id, r.value);
    }
    return out;
  }

  /**
   * The whole-capture lists come from one builder per workspace that keeps per-device and per-gateway
   * aggregates and is fed only the rows appended since the last call (rows never change), each tagged
   * with its segment: when retention removes a segment, its entries are dropped from the aggregates
   * (`retain`) instead of reading the capture again. A call answers in about `LIST_BUDGET_MS`: the first
   * one over a big capture (after a reopen) reads for that long and answers with its progress, and the
   * window asks again until it is done.
   */
  readonly #lists = new Map<
    string,
    {
      builder: HealthBuilder;
      done: Map<Segment, number>;
      failures: { seg: Segment; id: number }[];
      failureEvents: Map<number, TtsEvent>;
    }
  >();
  readonly #epochs = new WeakMap<Segment, number>();
  #nextEpoch = 1;

  #epochOf(seg: Segment): number {
    let e = this.#epochs.get(seg);
    if (e === undefined) this.#epochs.set(seg, (e = this.#nextEpoch++));
    return e;
  }

  /** The workspaces whose whole-capture lists are kept. */
  workspaces(): string[] {
    return [...this.#lists.keys()];
  }

  /** Forget a workspace's lists (closed). */
  forget(workspaceId: string): void {
    this.#lists.delete(workspaceId);
  }

  /**
   * Feed the workspace's list builder the rows appended since the last call, for about `budgetMs`
   * (after reading something). Returns its state, whether it is done, and the rows read of all.
   */
  async #feed(workspaceId: string, budgetMs: number) {
    const started = performance.now();
    const gaps = await this.#marks.gaps(workspaceId);
    const segments = this.index.segmentsOf(workspaceId);
    let state = this.#lists.get(workspaceId);
    if (!state)
      this.#lists.set(
        workspaceId,
        (state = { builder: new HealthBuilder(), done: new Map(), failures: [], failureEvents: new Map() }),
      );
    const b = state.builder;
    const gone = [...state.done.keys()].filter((seg) => !segments.includes(seg));
    if (gone.length) {
      const dropped = new Set(gone.map((seg) => this.#epochOf(seg)));
      b.retain((epoch) => !dropped.has(epoch));
      for (const seg of gone) state.done.delete(seg);
      state.failures = state.failures.filter((f) => !gone.includes(f.seg));
    }
    b.setGaps(gaps);
    const total = segments.reduce((a, seg) => a + seg.rows, 0);
    let finished = true;
    let readSome = false;
    outer: for (const seg of segments) {
      const view = seg.view();
      b.epoch = this.#epochOf(seg);
      let row = state.done.get(seg) ?? 0;
      while (row < seg.rows) {
        // Past the budget after reading something: answer with the progress (the window asks again).
        if (readSome && performance.now() - started > budgetMs) {
          finished = false;
          break outer;
        }
        const end = Math.min(seg.rows, row + 20_000);
        for (; row < end; row++) {
          if (seg.isStatus(row)) continue;
          view.row = row;
          b.add(view);
          if (isIntegrationFailure(view.name)) state.failures.push({ seg, id: seg.base + row });
        }
        state.done.set(seg, row);
        readSome = true;
      }
    }
    const read = [...state.done.values()].reduce((a, x) => a + x, 0);
    return { state, gaps, finished, read, total };
  }

  async list(workspaceId: string, budgetMs = LIST_BUDGET_MS): Promise<Result<HealthList>> {
    const { state, gaps, finished, read, total } = await this.#feed(workspaceId, budgetMs);
    const b = state.builder;
    // Failure events are read once each (the newest MAX_READS), not again at every refresh.
    const wanted = state.failures.slice(-MAX_READS).map((f) => f.id);
    const missing = wanted.filter((id) => !state.failureEvents.has(id));
    for (const [id, e] of await this.#read(missing)) state.failureEvents.set(id, e);
    const keep = new Set(wanted);
    for (const id of state.failureEvents.keys()) if (!keep.has(id)) state.failureEvents.delete(id);
    return ok({
      devices: b.devices(true),
      gateways: b.gateways(true),
      integrations: groupIntegrationFailures(state.failureEvents.values()),
      gaps: gaps.length,
      ...(finished ? {} : { building: { read, total } }),
    });
  }

  /**
   * One device's health and series, from its rows alone (the index's device postings). Per-gateway
   * readings come from the full events of its newest multi-gateway uplinks; an uplink one gateway
   * heard carries that gateway's reading in its summary.
   */
  async device(
    workspaceId: string,
    deviceKey: string,
  ): Promise<Result<{ health: DeviceHealth; series: DeviceSeries }>> {
    const gaps = await this.#marks.gaps(workspaceId);
    const parts = this.index
      .segmentsOf(workspaceId)
      .map((seg) => ({ seg, rows: linkedRows(seg, 'device', deviceKey) }));
    const multi: number[] = [];
    for (const { seg, rows } of parts) {
      const view = seg.view();
      for (const row of rows) {
        if (!UPLINK_NAMES.has(seg.name(row))) continue;
        view.row = row;
        if ((view.gateways ?? 0) > 1) multi.push(view.id);
      }
    }
    const readings = new Map<number, GatewayReading[]>();
    const wanted = multi.sort((a, b) => a - b).slice(-MAX_READINGS);
    // Reads in parallel, 64 at a time: one by one, the file round trips dominate the panel.
    for (let i = 0; i < wanted.length; i += 64) {
      const chunk = wanted.slice(i, i + 64);
      const events = await Promise.all(chunk.map((id) => this.index.event(id)));
      events.forEach((r, k) => {
        const facts = r.ok ? messageFacts(r.value) : undefined;
        if (facts?.receptions.length) readings.set(chunk[k]!, gatewayReadings(facts.receptions));
      });
    }
    const b = this.#builder({ deviceKey }, gaps);
    for (const { seg, rows } of parts) {
      const view = seg.view();
      for (const row of rows) {
        view.row = row;
        b.add(view, readings.get(view.id));
      }
    }
    const got = b.device(deviceKey);
    return got ? ok(got) : err('not-found', `No events of device ${deviceKey} in this workspace's capture.`);
  }

  /**
   * One gateway's health and series, from its rows (the index's gateway postings: its own events and
   * device events naming it), with DevAddr bindings learned from every device event of the capture
   * and the metrics of its latest status messages.
   */
  async gateway(
    workspaceId: string,
    gatewayId: string,
  ): Promise<Result<{ health: GatewayHealth; series: GatewaySeries }>> {
    // Once the whole-capture list is built, it holds every gateway's aggregates and every DevAddr binding:
    // the panel catches it up with the newest rows and reads the gateway from it instead of its rows.
    const listed = this.#lists.has(workspaceId) ? await this.#feed(workspaceId, PANEL_BUDGET_MS) : undefined;
    if (listed?.finished) return this.#gatewayFrom(listed.state.builder, workspaceId, gatewayId);
    const gaps = await this.#marks.gaps(workspaceId);
    const b = this.#builder({ gatewayId }, gaps);
    for (const seg of this.index.segmentsOf(workspaceId)) for (const binding of this.#bindings(seg)) b.learn(binding);
    const status: { id: number; ms: number }[] = [];
    for (const seg of this.index.segmentsOf(workspaceId)) {
      const view = seg.view();
      for (const row of linkedRows(seg, 'gateway', gatewayId)) {
        view.row = row;
        b.add(view);
        if (view.kind === 'event' && view.entityKind === 'gateway' && view.name === 'gs.status.receive')
          status.push({ id: view.id, ms: view.ms });
      }
    }
    return this.#withStatus(b, gatewayId, status);
  }

  /** A gateway from the whole-capture list's builder, with the metrics of its latest status messages. */
  async #gatewayFrom(b: HealthBuilder, workspaceId: string, gatewayId: string) {
    const status: { id: number; ms: number }[] = [];
    for (const seg of this.index.segmentsOf(workspaceId)) {
      const view = seg.view();
      seg.withGateway(gatewayId, (row) => {
        view.row = row;
        if (view.kind === 'event' && view.entityKind === 'gateway' && view.name === 'gs.status.receive')
          status.push({ id: view.id, ms: view.ms });
      });
    }
    return this.#withStatus(b, gatewayId, status);
  }

  async #withStatus(
    b: HealthBuilder,
    gatewayId: string,
    status: { id: number; ms: number }[],
  ): Promise<Result<{ health: GatewayHealth; series: GatewaySeries }>> {
    const latest = status.sort((x, y) => x.ms - y.ms).slice(-20);
    const events = await this.#read(latest.map((x) => x.id));
    for (const x of latest) {
      const m = (events.get(x.id)?.data as { metrics?: Record<string, unknown> } | undefined)?.metrics;
      if (!m || typeof m !== 'object') continue;
      const metrics: Record<string, number> = {};
      for (const [k, v] of Object.entries(m).slice(0, 50))
        if (typeof v === 'number' && Number.isFinite(v)) metrics[k] = v;
      b.addStatusMetrics(gatewayId, x.ms, metrics);
    }
    const got = b.gateway(gatewayId);
    return got ? ok(got) : err('not-found', `No events of gateway ${gatewayId} in this workspace's capture.`);
  }
}
