/**
 * The native application menu as data: labels, accelerators, roles and the command each item sends to
 * the window. The Electron shell only turns `command` into a click handler (src-main/electron/app-menu.ts),
 * so everything a user sees in the menu is tested here on plain Node.
 */
import type { ShellCommand } from '../../shared/domain/shell.js';

export interface MenuItemSpec {
  label?: string;
  accelerator?: string;
  /** A native behaviour (copy, zoom, quit…): Electron implements it. */
  role?:
    | 'undo'
    | 'redo'
    | 'cut'
    | 'copy'
    | 'paste'
    | 'selectAll'
    | 'resetZoom'
    | 'zoomIn'
    | 'zoomOut'
    | 'togglefullscreen'
    | 'quit'
    | 'appMenu'
    | 'windowMenu'
    | 'toggleDevTools';
  type?: 'separator' | 'radio' | 'checkbox';
  checked?: boolean;
  enabled?: boolean;
  /** What the window is asked to do. */
  command?: ShellCommand;
  /** Handled by main itself (About, documentation, clear recent). */
  action?: 'about' | 'documentation' | 'clear-recent' | 'open-recent';
  /** For `open-recent`: which of `MenuContext.recent`. */
  recentIndex?: number;
  submenu?: MenuItemSpec[];
}

export interface MenuContext {
  platform: string;
  /** Files opened before, newest first (paths main chose, never the renderer). */
  recent: string[];
  theme: 'system' | 'light' | 'dark';
  detailPane: boolean;
  /** Whether a workspace was closed and can be reopened. */
  canReopen?: boolean;
}

const sep: MenuItemSpec = { type: 'separator' };
const baseName = (p: string) => p.split(/[\\/]/).pop() ?? p;

export function buildMenuTemplate(ctx: MenuContext): MenuItemSpec[] {
  const mac = ctx.platform === 'darwin';
  const recent: MenuItemSpec[] = ctx.recent.length
    ? [
        ...ctx.recent.slice(0, 10).map((file, i): MenuItemSpec => ({
          label: `${i + 1}  ${baseName(file)}`,
          action: 'open-recent',
          recentIndex: i,
        })),
        sep,
        { label: 'Clear Recent', action: 'clear-recent' },
      ]
    : [{ label: 'No recent files', enabled: false }];
  const theme = (value: MenuContext['theme'], label: string): MenuItemSpec => ({
    label,
    type: 'radio',
    checked: ctx.theme === value,
    command: { kind: 'theme', theme: value },
  });
  return [
    ...(mac ? [{ role: 'appMenu' } as MenuItemSpec] : []),
    {
      label: '&File',
      submenu: [
        { label: 'New Workspace', accelerator: 'CmdOrCtrl+T', command: { kind: 'new-workspace' } },
        { label: 'Open…', accelerator: 'CmdOrCtrl+O', command: { kind: 'open' } },
        { label: 'Open Recent', submenu: recent },
        sep,
        { label: 'Export…', accelerator: 'CmdOrCtrl+E', command: { kind: 'export' } },
        sep,
        { label: 'Close Workspace', accelerator: 'CmdOrCtrl+W', command: { kind: 'close-workspace' } },
        {
          label: 'Reopen Closed Workspace',
          accelerator: 'CmdOrCtrl+Shift+T',
          command: { kind: 'reopen-closed' },
          enabled: ctx.canReopen ?? true,
        },
        sep,
        { label: 'Settings…', accelerator: 'CmdOrCtrl+,', command: { kind: 'settings' } },
        ...(mac ? [] : [sep, { role: 'quit', label: 'Quit' } as MenuItemSpec]),
      ],
    },
    {
      label: '&Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        sep,
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
        sep,
        { label: 'Find in Events', accelerator: 'CmdOrCtrl+F', command: { kind: 'focus-filter' } },
      ],
    },
    {
      label: '&View',
      submenu: [
        {
          label: 'Theme',
          submenu: [theme('system', 'Follow the System'), theme('light', 'Light'), theme('dark', 'Dark')],
        },
        sep,
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        sep,
        { label: 'Events', accelerator: 'CmdOrCtrl+1', command: { kind: 'view', view: 'events' } },
        { label: 'Messages', accelerator: 'CmdOrCtrl+2', command: { kind: 'view', view: 'messages' } },
        {
          label: 'Detail Pane',
          type: 'checkbox',
          checked: ctx.detailPane,
          accelerator: 'CmdOrCtrl+D',
          command: { kind: 'toggle-detail' },
        },
        sep,
        { role: 'togglefullscreen' },
        { role: 'toggleDevTools' },
      ],
    },
    ...(mac ? [{ role: 'windowMenu' } as MenuItemSpec] : []),
    {
      label: '&Help',
      submenu: [
        { label: 'Keyboard Shortcuts', accelerator: 'F1', command: { kind: 'shortcuts' } },
        { label: 'Documentation', action: 'documentation' },
        sep,
        { label: 'About Event Desk', action: 'about' },
      ],
    },
  ];
}

/** The About box's text: every version a support ticket asks for. */
export function aboutText(v: {
  app: string;
  electron?: string;
  chrome?: string;
  node?: string;
  platform: string;
  arch: string;
}): string {
  return [
    `Event Desk ${v.app}`,
    `Electron ${v.electron ?? '–'}`,
    `Chromium ${v.chrome ?? '–'}`,
    `Node.js ${v.node ?? '–'}`,
    `${v.platform} ${v.arch}`,
  ].join('\n');
}
