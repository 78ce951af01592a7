/**
 * What the desktop shell (menu, OS) asks the window to do, pushed on `shell:command`; and what the
 * window tells main about itself for titles and notifications.
 */
export type ShellCommand =
  | { kind: 'new-workspace' }
  | { kind: 'open' }
  | { kind: 'export' }
  | { kind: 'close-workspace' }
  | { kind: 'reopen-closed' }
  | { kind: 'settings' }
  | { kind: 'focus-filter' }
  | { kind: 'theme'; theme: 'system' | 'light' | 'dark' }
  | { kind: 'view'; view: 'events' | 'messages' }
  | { kind: 'toggle-detail' }
  | { kind: 'shortcuts' }
  | { kind: 'activate-workspace'; workspaceId: string };

/** The window's state as main needs it: which workspace is in front, the names, whether to notify. */
export interface WindowContext {
  activeWorkspaceId?: string;
  workspaces: { id: string; name: string }[];
  notify: boolean;
  theme: 'system' | 'light' | 'dark';
  detailPane: boolean;
  canReopen: boolean;
}
