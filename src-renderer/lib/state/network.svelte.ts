/**
 * The network view of one workspace: which view the list area shows (events, messages, devices,
 * gateways), the capture overview from main, device and gateway health from main, the colour
 * thresholds, and the time window selected on the overview (kept as `time>=… time<…` terms of the
 * workspace's filter, so the list, paging and export all honour it).
 */
import type { RendererApi, InvokeResult } from '../../../src-main/shared/ipc/contract';
import type { Overview } from '../../../src-main/shared/health/overview';
import type { Thresholds } from '../../../src-main/shared/health/thresholds';
import { thresholds } from './thresholds.svelte';
import type { Workspace } from './workspace.svelte';

export type NetworkMode = 'events' | 'messages' | 'devices' | 'gateways';

type HealthList = InvokeResult<'health:list'>;
type DevicePanelData = InvokeResult<'health:device'>;
type GatewayPanelData = InvokeResult<'health:gateway'>;

/** The filter terms a window selection writes (and replaces). */
const WINDOW_TERMS = /\s*\btime(>=|<)\S+/g;

/** The filter without its time window terms (and without the parentheses `withWindow` put around it). */
export function withoutWindow(filter: string): string {
  const rest = filter.replace(WINDOW_TERMS, '').trim();
  if (rest === filter.trim()) return rest;
  const inner = /^\((.*)\)$/s.exec(rest)?.[1];
  return inner !== undefined && balanced(inner) ? inner.trim() : rest;
}

const balanced = (s: string): boolean => {
  let depth = 0;
  for (const c of s) {
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
};

/** The filter with a time window (replacing any earlier one); a filter with OR is put in parentheses first. */
export function withWindow(filter: string, fromMs: number, toMs: number): string {
  const bare = withoutWindow(filter);
  const rest = /\bOR\b/i.test(bare) ? `(${bare})` : bare;
  const iso = (ms: number) => new Date(ms).toISOString(); // eslint-disable-line svelte/prefer-svelte-reactivity -- formatted once, never mutated
  const terms = `time>=${iso(fromMs)} time<${iso(toMs)}`;
  return rest ? `${rest} ${terms}` : terms;
}

/** The window a filter holds, if it has both terms. */
export function windowOf(filter: string): { fromMs: number; toMs: number } | undefined {
  const from = /\btime>=(\S+)/.exec(filter)?.[1];
  const to = /\btime<(\S+)/.exec(filter)?.[1];
  const a = from ? Date.parse(from) : NaN;
  const b = to ? Date.parse(to) : NaN;
  return Number.isFinite(a) && Number.isFinite(b) ? { fromMs: a, toMs: b } : undefined;
}

export class NetworkView {
  mode = $state<NetworkMode>('events');
  overview = $state.raw<Overview | undefined>(undefined);
  health = $state.raw<HealthList | undefined>(undefined);
  healthError = $state<string | undefined>(undefined);
  /** How long main took for the last list: automatic refreshes back off so a big capture is not recomputed back to back. */
  healthMs = 0;
  device = $state.raw<DevicePanelData | undefined>(undefined);
  deviceKey = $state<string | undefined>(undefined);
  gateway = $state.raw<GatewayPanelData | undefined>(undefined);
  gatewayId = $state<string | undefined>(undefined);
  panelError = $state<string | undefined>(undefined);
  /** The colour thresholds, from main's settings (shared with the Settings page and the event list). */
  get thresholds(): Thresholds {
    return thresholds.value;
  }
  #overviewBusy = false;

  constructor(
    private readonly api: RendererApi,
    readonly workspace: Workspace,
  ) {}

  /**
   * The server events the workspace's capture holds: the overview's count (the number its header shows), or
   * what the view has seen until main has answered. The close dialog and the cleared bar say this number.
   */
  get captured(): number {
    const seen = this.workspace.eventCount + (this.workspace.cleared?.events ?? 0);
    return Math.max(this.overview?.total ?? 0, seen);
  }

  /** The capture's events *Clear view* hides: all but those that came into the view since. */
  get hiddenByClear(): number {
    return this.workspace.cleared ? Math.max(0, this.captured - this.workspace.eventCount) : 0;
  }

  /** The window selected on the overview, read from the filter (so editing the filter moves it). */
  get window(): { fromMs: number; toMs: number } | undefined {
    return windowOf(this.workspace.filterText);
  }

  async refreshOverview(bins = 600): Promise<void> {
    if (this.#overviewBusy) return;
    this.#overviewBusy = true;
    try {
      const r = await this.api.getOverview(this.workspace.id, bins);
      if (r.ok) this.overview = r.value;
    } finally {
      this.#overviewBusy = false;
    }
  }

  #healthBusy = false;

  /** Devices and gateways from main; a refresh still running is not asked again (big captures take a while). */
  async refreshHealth(): Promise<void> {
    if (this.#healthBusy) return;
    this.#healthBusy = true;
    const started = performance.now();
    const r = await this.api.getHealthList(this.workspace.id).finally(() => (this.#healthBusy = false));
    this.healthMs = performance.now() - started;
    if (r.ok) {
      this.health = r.value;
      this.healthError = undefined;
    } else this.healthError = r.error.message;
  }

  /** Keep the device and gateway lists fresh while a view shows them: every 5 s, or 20× the last call. Returns the stop. */
  followHealth(): () => void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const tick = async () => {
      await this.refreshHealth();
      // While main is still building the lists over a big capture it answers with its progress: ask again soon.
      const next = this.health?.building ? 100 : Math.max(5000, this.healthMs * 20);
      if (!stopped) timer = setTimeout(() => void tick(), next);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  async openDevice(key: string): Promise<void> {
    this.mode = 'devices';
    this.deviceKey = key;
    this.gatewayId = undefined;
    const r = await this.api.getDeviceHealth(this.workspace.id, key);
    if (this.deviceKey !== key) return;
    this.device = r.ok ? r.value : undefined;
    this.panelError = r.ok ? undefined : r.error.message;
  }

  async openGateway(id: string): Promise<void> {
    this.mode = 'gateways';
    this.gatewayId = id;
    this.deviceKey = undefined;
    const r = await this.api.getGatewayHealth(this.workspace.id, id);
    if (this.gatewayId !== id) return;
    this.gateway = r.ok ? r.value : undefined;
    this.panelError = r.ok ? undefined : r.error.message;
  }

  /** An event the event list should bring into view once it shows (a jump from the messages view or the overview). */
  reveal = $state<number | undefined>(undefined);

  /**
   * Jump to an event: the event list, that row selected and scrolled into view (the list stops following
   * the live edge so it stays there).
   */
  jumpTo(id: number, select: (id: number) => Promise<void> | void): void {
    this.mode = 'events';
    this.closePanel();
    this.reveal = id;
    void select(id);
  }

  /** The device or gateway of an event, as its health panel knows it (`application/device`, or the gateway ID). */
  openHealthOf(e: { entityKind: string; entity: string; application?: string }): void {
    if (e.entityKind === 'device') void this.openDevice(`${e.application ?? ''}/${e.entity}`);
    else if (e.entityKind === 'gateway') void this.openGateway(e.entity);
  }

  closePanel(): void {
    this.deviceKey = undefined;
    this.gatewayId = undefined;
    this.device = undefined;
    this.gateway = undefined;
  }

  /** Filter the list to a time window (a drag on the overview). */
  selectWindow(fromMs: number, toMs: number): void {
    this.workspace.setFilter(withWindow(this.workspace.filterText, Math.min(fromMs, toMs), Math.max(fromMs, toMs)));
  }

  clearWindow(): void {
    this.workspace.setFilter(withoutWindow(this.workspace.filterText));
  }

  /** Main's settings own the thresholds (one value for the Settings page and every view). */
  setThresholds(t: Thresholds): void {
    void thresholds.set(t);
  }
}

const views = new WeakMap<Workspace, NetworkView>();

/** The network view of a workspace (one per workspace, made on first use). */
export function networkOf(api: RendererApi, workspace: Workspace): NetworkView {
  let v = views.get(workspace);
  if (!v) views.set(workspace, (v = new NetworkView(api, workspace)));
  return v;
}
