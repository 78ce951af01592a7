/**
 * What the application menu (and the OS) asks the window to do: one place that maps a ShellCommand to
 * the same actions the toolbar, tabs and keyboard use.
 */
import type { ShellCommand } from '../../../src-main/shared/domain/shell';
import type { ShellState } from './shell.svelte';
import { prefs } from './prefs.svelte';

export function runShellCommand(shell: ShellState, c: ShellCommand): void {
  const app = shell.app;
  const w = app.active;
  switch (c.kind) {
    case 'new-workspace':
      return shell.newWorkspace();
    case 'open':
      return void app.openFile();
    case 'export':
      if (w && w.eventCount > 0) app.panel = 'export';
      return;
    case 'close-workspace':
      if (w) shell.requestClose(w.id);
      return;
    case 'reopen-closed':
      return void shell.reopenClosed();
    case 'settings':
      shell.settingsOpen = true;
      return;
    case 'shortcuts':
      app.panel = 'shortcuts';
      return;
    case 'focus-filter':
      return document.getElementById('filter-input')?.focus();
    case 'theme':
      return prefs.set({ theme: c.theme });
    case 'view': {
      const label = c.view === 'events' ? 'Events' : 'Messages';
      const button = [...document.querySelectorAll<HTMLButtonElement>('[role="group"][aria-label="View"] button')].find(
        (b) => b.textContent?.trim() === label,
      );
      return button?.click();
    }
    case 'toggle-detail':
      if (!w) return;
      if (w.selected) {
        w.selectedId = undefined;
        w.selected = undefined;
        w.detail = undefined;
      } else if (w.visible.length) void app.select(w, w.visible.at(-1)!.id);
      return;
    case 'activate-workspace':
      if (app.workspaces.some((x) => x.id === c.workspaceId)) app.activate(c.workspaceId);
      return;
  }
}
