/**
 * Keyboard shortcuts of the main window. One table, shown as-is in the shortcut sheet.
 */
import type { AppState } from '../state/app-state.svelte';

export const SHORTCUTS: [keys: string, what: string][] = [
  ['↑ ↓ or j k', 'Move through the event list'],
  ['Home End', 'First / last row'],
  ['Enter', 'Open the selected event in the detail pane'],
  ['Esc', 'Back to the list; close a dialog'],
  ['/', 'Focus the filter'],
  ['p', 'Pause or resume the view (the capture never pauses)'],
  ['l', 'Jump to the live edge'],
  ['a', 'Add a stream'],
  ['Alt+1 … Alt+9', 'Switch workspace'],
  ['[ ]', 'Previous / next workspace'],
  ['?', 'This sheet'],
];

const typing = (t: EventTarget | null) =>
  t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));

export function handleShortcut(app: AppState, e: KeyboardEvent): void {
  // Dialogs handle their own keys (Esc closes them). Asked of the page, not of app.panel: a dialog closed by Esc
  // clears app.panel only in its close event, a task later, and a key pressed right after Esc must not be lost.
  if (document.querySelector('dialog[open]')) return;
  if (e.altKey && /^[1-9]$/.test(e.key)) {
    const w = app.workspaces[Number(e.key) - 1];
    if (w) {
      e.preventDefault();
      app.activate(w.id);
    }
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
  const w = app.active;
  switch (e.key) {
    case 'Escape':
      if ((e.target as HTMLElement | null)?.closest?.('#detail-pane'))
        (document.querySelector('[aria-label="Event list"]') as HTMLElement | null)?.focus();
      break;
    case '/':
      e.preventDefault();
      document.getElementById('filter-input')?.focus();
      break;
    case 'p':
      w?.togglePause();
      break;
    case 'l':
      if (w) {
        if (w.paused) w.resume();
        w.jumpToLive++;
      }
      break;
    case 'a':
      // A workspace opened from a file is read-only: nothing may stream into it.
      if (w && !w.readOnly) app.panel = 'add-stream';
      break;
    case '?':
      app.panel = 'shortcuts';
      break;
    case '[':
    case ']': {
      const i = app.workspaces.findIndex((x) => x.id === app.activeId);
      const next = app.workspaces[(i + (e.key === ']' ? 1 : -1) + app.workspaces.length) % app.workspaces.length];
      if (next) app.activate(next.id);
      break;
    }
  }
}
