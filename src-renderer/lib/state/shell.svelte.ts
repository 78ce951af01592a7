/**
 * What the window around the workspaces does: closing a workspace with a confirmation and an undo,
 * reopening closed ones, and the notice that says what just happened. Kept beside AppState (which
 * owns the workspaces) so neither grows into a hub.
 */
import { getContext, setContext } from 'svelte';
import type { SavedWorkspace } from '../../../src-main/shared/domain/workspace';
import type { AppState } from './app-state.svelte';
import { networkOf } from './network.svelte';

/** How many closed workspaces can be reopened (most recent first). */
const CLOSED_KEPT = 10;

export interface Notice {
  text: string;
  /** Offer "Reopen" for the workspace closed last. */
  undo?: boolean;
}

export class ShellState {
  /** The workspace whose close waits for the user's confirmation. */
  closing = $state<string | undefined>(undefined);
  /** Closed live workspaces, most recent last. */
  closed = $state.raw<SavedWorkspace[]>([]);
  notice = $state.raw<Notice | undefined>(undefined);
  settingsOpen = $state(false);
  /** Background workspaces where something needs a look (a stream stopped, a gap): a badge on the tab. */
  attention = $state.raw<Record<string, 'stopped' | 'gap'>>({});
  #noticeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly app: AppState) {}

  /** What closing would lose, in words; undefined when there is nothing to lose. */
  closeCost(id: string): string | undefined {
    const w = this.app.workspaces.find((x) => x.id === id);
    if (!w || w.readOnly) return undefined;
    const live = this.app.streamsOf(id).filter((s) => s.state.kind !== 'stopped').length;
    // The capture's count, as the overview's header says it: the view's own count leaves out what Clear view hid
    // and what is older than the view, and said "668 events" under a header of 1,131.
    const captured = networkOf(this.app.api, w).captured;
    if (live === 0 && captured === 0) return undefined;
    const streams = live ? `${live} stream${live === 1 ? '' : 's'} stop` : 'no stream is running';
    const kept =
      captured === 1 ? 'the event captured stays' : `the ${captured.toLocaleString('en')} events captured stay`;
    return `${streams}; ${kept} on disk.`;
  }

  /** The × on a tab, Ctrl+W: asks first when streams run or events were captured. */
  requestClose = (id: string): void => {
    if (this.closeCost(id)) this.closing = id;
    else void this.close(id);
  };

  close = async (id: string): Promise<void> => {
    this.closing = undefined;
    const w = this.app.workspaces.find((x) => x.id === id);
    if (!w) return;
    const name = w.name;
    if (!w.readOnly) this.closed = [...this.closed.filter((x) => x.id !== id), w.toSaved()].slice(-CLOSED_KEPT);
    // The last tab is replaced by a fresh one whose name differs, so a reopened tab never has a twin.
    if (this.app.workspaces.length === 1) {
      this.newWorkspace();
      this.app.activate(this.app.workspaces.at(-1)!.id);
    }
    await this.app.closeWorkspace(id);
    this.say(
      w.readOnly
        ? { text: `Closed “${name}”. Open the file again to see it.` }
        : { text: `Closed “${name}”.`, undo: true },
    );
  };

  /** Ctrl+Shift+T: the last closed workspace comes back with its filters, streams and what main still holds. */
  reopenClosed = async (): Promise<void> => {
    const saved = this.closed.at(-1);
    if (!saved) return;
    this.closed = this.closed.slice(0, -1);
    this.notice = undefined;
    const w = this.app.workspace({ ...saved, streams: [] });
    this.app.workspaces = [...this.app.workspaces, w];
    this.app.activate(w.id);
    for (const spec of saved.streams) await this.app.addStream(spec);
    await this.app.loadOlder(w, 20_000);
  };

  /** A new workspace whose name no open tab has ("Workspace 3" twice was possible after a close). */
  newWorkspace = (): void => {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, never rendered
    const names = new Set(this.app.workspaces.map((w) => w.name));
    let n = 1;
    while (names.has(`Workspace ${n}`)) n++;
    this.app.addWorkspace(`Workspace ${n}`);
  };

  /** Listens to main for what happens in workspaces the user is not looking at; returns the unsubscribe. */
  wire(): () => void {
    const flag = (workspaceId: string, why: 'stopped' | 'gap') => {
      if (workspaceId === this.app.activeId || this.attention[workspaceId] === 'stopped') return;
      this.attention = { ...this.attention, [workspaceId]: why };
    };
    const offState = this.app.api.onStreamState((c) => {
      if (c.state.kind === 'stopped' && c.state.reason !== 'Stopped by you.') flag(c.workspaceId, 'stopped');
    });
    const offBatch = this.app.api.onEventBatch((b) => {
      if (b.summaries.some((s) => s.name === 'event-desk.gap')) flag(b.workspaceId, 'gap');
    });
    return () => {
      offState();
      offBatch();
    };
  }

  /** The user looked at the workspace: its badge goes. */
  seen(workspaceId: string | undefined): void {
    if (!workspaceId || !this.attention[workspaceId]) return;
    const { [workspaceId]: _seen, ...rest } = this.attention;
    this.attention = rest;
  }

  say(notice: Notice): void {
    clearTimeout(this.#noticeTimer);
    this.notice = notice;
    this.#noticeTimer = setTimeout(() => (this.notice = undefined), 12_000);
  }
}

const KEY = Symbol('shell-state');
export const setShellState = (s: ShellState): ShellState => setContext(KEY, s);
export const getShellState = (): ShellState => getContext<ShellState>(KEY);
