/**
 * When to tell the user, through the OS, about a workspace they are not looking at: a stream there
 * stopped (not by them), or recorded a gap. At most one notification per workspace and kind a minute.
 */
import type { PushChannel, PushChannels, PushSink } from '../../shared/ipc/contract.js';
import type { WindowContext } from '../../shared/domain/shell.js';

export interface ShellNotification {
  title: string;
  body: string;
  workspaceId: string;
}

const QUIET_MS = 60_000;
const BY_USER = 'Stopped by you.';

export class NotificationTriggers {
  context: WindowContext = { workspaces: [], notify: true, theme: 'system', detailPane: true, canReopen: false };
  /** The window has the focus: then the user sees the tab badge and needs no OS notification. */
  windowFocused = false;
  readonly #last = new Map<string, number>();
  readonly #stopped = new Set<string>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** The notification a push on its way to the window calls for, if any. */
  check<C extends PushChannel>(channel: C, payload: PushChannels[C]): ShellNotification | undefined {
    if (channel === 'streams:state') {
      const c = payload as PushChannels['streams:state'];
      const wasStopped = this.#stopped.has(c.streamId);
      if (c.state.kind === 'stopped') this.#stopped.add(c.streamId);
      else this.#stopped.delete(c.streamId);
      if (c.state.kind !== 'stopped' || wasStopped || c.state.reason === BY_USER) return undefined;
      return this.#maybe(c.workspaceId, 'stop', (name) => ({
        title: `A stream stopped in “${name}”`,
        body: c.state.kind === 'stopped' ? (c.state.error?.message ?? c.state.reason) : '',
      }));
    }
    if (channel === 'events:batch') {
      const b = payload as PushChannels['events:batch'];
      const gap = b.summaries.find((s) => s.name === 'event-desk.gap');
      if (!gap) return undefined;
      return this.#maybe(b.workspaceId, 'gap', (name) => ({
        title: `Events may be missing in “${name}”`,
        body: gap.preview,
      }));
    }
    return undefined;
  }

  #maybe(
    workspaceId: string,
    kind: string,
    make: (name: string) => { title: string; body: string },
  ): ShellNotification | undefined {
    const ctx = this.context;
    if (!ctx.notify) return undefined;
    if (workspaceId === ctx.activeWorkspaceId && this.windowFocused) return undefined;
    const name = ctx.workspaces.find((w) => w.id === workspaceId)?.name;
    if (name === undefined) return undefined;
    const key = `${workspaceId}\0${kind}`;
    const now = this.clock();
    if (now - (this.#last.get(key) ?? -Infinity) < QUIET_MS) return undefined;
    this.#last.set(key, now);
    return { ...make(name), workspaceId };
  }
}

/** A push sink that also raises the OS notifications the pushes call for (desktop app). */
export function withNotifications(
  sink: PushSink,
  triggers: NotificationTriggers,
  show: (n: ShellNotification) => void,
): PushSink {
  return {
    send<C extends PushChannel>(channel: C, payload: PushChannels[C]): void {
      sink.send(channel, payload);
      const n = triggers.check(channel, payload);
      if (n) show(n);
    },
  };
}
