/**
 * The desktop shell's decisions, on plain Node (#16): the menu a user sees, where the window opens,
 * which files the OS hands over, and when the OS is asked to notify.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { aboutText, buildMenuTemplate, type MenuItemSpec } from '../../../../../src-main/core/shell/menu-template.js';
import { restoreBounds, DEFAULT_BOUNDS } from '../../../../../src-main/core/shell/window-state.js';
import { filesFromArgv, PendingOpens, withPendingOpens } from '../../../../../src-main/core/shell/open-files.js';
import { NotificationTriggers } from '../../../../../src-main/core/shell/notifications.js';
import { ScriptedDialogs } from '../../../../../src-main/core/services/dialogs.js';
import type { EventSummary } from '../../../../../src-main/shared/domain/summary.js';

const find = (items: MenuItemSpec[], label: string): MenuItemSpec | undefined => {
  for (const i of items) {
    if (i.label === label) return i;
    const inner = i.submenu && find(i.submenu, label);
    if (inner) return inner;
  }
  return undefined;
};

describe('application menu', () => {
  const menu = buildMenuTemplate({
    platform: 'linux',
    recent: ['/data/a.bundle.ndjson', '/data/b.json'],
    theme: 'dark',
    detailPane: true,
  });

  it('has File, Edit, View and Help with the shortcuts people expect', () => {
    expect(menu.map((m) => m.label)).toEqual(['&File', '&Edit', '&View', '&Help']);
    const expectations: [string, string, string][] = [
      ['New Workspace', 'CmdOrCtrl+T', 'new-workspace'],
      ['Open…', 'CmdOrCtrl+O', 'open'],
      ['Export…', 'CmdOrCtrl+E', 'export'],
      ['Close Workspace', 'CmdOrCtrl+W', 'close-workspace'],
      ['Reopen Closed Workspace', 'CmdOrCtrl+Shift+T', 'reopen-closed'],
    ];
    for (const [label, accelerator, kind] of expectations)
      expect(find(menu, label)).toMatchObject({ accelerator, command: { kind } });
    expect(
      find(menu, '&Edit')!
        .submenu!.map((i) => i.role)
        .filter(Boolean),
    ).toEqual(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']);
  });

  it('lists recent files by name, newest first, and can clear them', () => {
    const recent = find(menu, 'Open Recent')!.submenu!;
    expect(recent.slice(0, 2).map((i) => i.label)).toEqual(['1  a.bundle.ndjson', '2  b.json']);
    expect(recent[1]).toMatchObject({ action: 'open-recent', recentIndex: 1 });
    expect(find(recent, 'Clear Recent')?.action).toBe('clear-recent');
    const none = buildMenuTemplate({ platform: 'linux', recent: [], theme: 'system', detailPane: true });
    expect(find(none, 'Open Recent')!.submenu).toEqual([{ label: 'No recent files', enabled: false }]);
  });

  it('offers themes, zoom, events/messages and the detail pane under View', () => {
    const theme = find(menu, 'Theme')!.submenu!;
    expect(theme.map((t) => [t.label, t.checked])).toEqual([
      ['Follow the System', false],
      ['Light', false],
      ['Dark', true],
    ]);
    const view = find(menu, '&View')!.submenu!;
    expect(view.map((i) => i.role).filter(Boolean)).toEqual(expect.arrayContaining(['resetZoom', 'zoomIn', 'zoomOut']));
    expect(find(menu, 'Events')?.command).toEqual({ kind: 'view', view: 'events' });
    expect(find(menu, 'Messages')?.command).toEqual({ kind: 'view', view: 'messages' });
    expect(find(menu, 'Detail Pane')).toMatchObject({
      type: 'checkbox',
      checked: true,
      command: { kind: 'toggle-detail' },
    });
  });

  it('has shortcuts, documentation and About under Help; macOS gets its app and window menus', () => {
    expect(find(menu, 'Keyboard Shortcuts')?.command).toEqual({ kind: 'shortcuts' });
    expect(find(menu, 'Documentation')?.action).toBe('documentation');
    expect(find(menu, 'About Event Desk')?.action).toBe('about');
    const mac = buildMenuTemplate({ platform: 'darwin', recent: [], theme: 'system', detailPane: false });
    expect(mac[0]?.role).toBe('appMenu');
    expect(mac.some((m) => m.role === 'windowMenu')).toBe(true);
    expect(find(mac, 'Quit')).toBeUndefined();
  });

  it('About names the app, Electron, Chromium and Node versions', () => {
    expect(
      aboutText({ app: '0.1.0', electron: '45.5.0', chrome: '142.0', node: '22.20.0', platform: 'linux', arch: 'x64' }),
    ).toBe('Event Desk 0.1.0\nElectron 45.5.0\nChromium 142.0\nNode.js 22.20.0\nlinux x64');
  });
});

describe('window size and position', () => {
  const screens = [{ x: 0, y: 0, width: 1920, height: 1040 }];

  it('comes back where it was', () => {
    expect(restoreBounds({ x: 100, y: 50, width: 1200, height: 800, maximized: false }, screens)).toEqual({
      x: 100,
      y: 50,
      width: 1200,
      height: 800,
      maximized: false,
    });
    expect(restoreBounds({ x: 100, y: 50, width: 1200, height: 800, maximized: true }, screens).maximized).toBe(true);
  });

  it('forgets a position on a screen that is gone, and fits the size to the screens', () => {
    expect(restoreBounds({ x: 2500, y: 100, width: 1200, height: 800 }, screens)).toEqual({
      width: 1200,
      height: 800,
      maximized: false,
    });
    expect(restoreBounds({ width: 5000, height: 90 }, screens)).toEqual({ width: 1920, height: 560, maximized: false });
  });

  it('starts at the default size from nothing or garbage', () => {
    expect(restoreBounds(undefined, screens)).toEqual(DEFAULT_BOUNDS);
    expect(restoreBounds({ width: 'wide', x: Number.NaN }, screens)).toEqual(DEFAULT_BOUNDS);
  });
});

describe('files from the OS', () => {
  it('takes files from a command line, not switches or the app folder', () => {
    const argv = [
      '/opt/Event Desk/event-desk',
      '.',
      '--no-sandbox',
      'capture.bundle.ndjson',
      '/tmp/export.json',
      'notes.pdf',
    ];
    expect(filesFromArgv(argv, '/home/me')).toEqual([
      path.resolve('/home/me/capture.bundle.ndjson'),
      '/tmp/export.json',
    ]);
  });

  it('answers the next capture Open… with a handed-over file, never a CA or profile dialog', async () => {
    const dialogs = new ScriptedDialogs();
    dialogs.opens.push('/picked/by/user.pem');
    const pending = new PendingOpens();
    const opened: string[] = [];
    const d = withPendingOpens(dialogs, pending, (f) => opened.push(f));
    pending.push('/from/os/b.bundle.ndjson');
    expect(
      await d.open({ title: 'Choose the CA certificate (PEM)', filters: [{ name: 'PEM', extensions: ['pem'] }] }),
    ).toBe('/picked/by/user.pem');
    expect(
      await d.open({ title: 'Open a capture', filters: [{ name: 'Events', extensions: ['json', 'ndjson'] }] }),
    ).toBe('/from/os/b.bundle.ndjson');
    expect(opened).toEqual(['/from/os/b.bundle.ndjson']);
    expect(pending.size).toBe(0);
  });
});

describe('OS notifications', () => {
  const gap = {
    id: 1,
    streamId: 's2',
    kind: 'status',
    ms: 0,
    time: '',
    name: 'event-desk.gap',
    entity: '',
    entityKind: '',
    preview: 'Events between 10:00 and 10:05 may be missing',
    correlationIds: [],
  } as EventSummary;

  function setup() {
    let now = 1_000_000;
    const t = new NotificationTriggers(() => now);
    t.context = {
      activeWorkspaceId: 'ws1',
      workspaces: [
        { id: 'ws1', name: 'Front' },
        { id: 'ws2', name: 'Customer B' },
      ],
      notify: true,
      theme: 'system',
      detailPane: true,
      canReopen: false,
    };
    t.windowFocused = true;
    return { t, tick: (ms: number) => (now += ms) };
  }

  it('tells about a stream that stopped in a background workspace, once', () => {
    const { t } = setup();
    const stop = {
      streamId: 's2',
      workspaceId: 'ws2',
      profileId: 'p',
      state: {
        kind: 'stopped' as const,
        reason: 'Key revoked',
        error: { code: 'auth' as const, message: 'The server does not know this API key.' },
      },
    };
    expect(t.check('streams:state', stop)).toEqual({
      title: 'A stream stopped in “Customer B”',
      body: 'The server does not know this API key.',
      workspaceId: 'ws2',
    });
    expect(t.check('streams:state', stop)).toBeUndefined();
  });

  it('stays quiet for the workspace in front, for a stop the user asked for, and when switched off', () => {
    const { t } = setup();
    expect(
      t.check('streams:state', {
        streamId: 's1',
        workspaceId: 'ws1',
        profileId: 'p',
        state: { kind: 'stopped', reason: 'gone' },
      }),
    ).toBeUndefined();
    expect(
      t.check('streams:state', {
        streamId: 's3',
        workspaceId: 'ws2',
        profileId: 'p',
        state: { kind: 'stopped', reason: 'Stopped by you.' },
      }),
    ).toBeUndefined();
    t.context = { ...t.context, notify: false };
    expect(t.check('events:batch', { workspaceId: 'ws2', summaries: [gap] })).toBeUndefined();
  });

  it('tells about a gap in a background workspace at most once a minute', () => {
    const { t, tick } = setup();
    expect(t.check('events:batch', { workspaceId: 'ws2', summaries: [gap] })?.title).toBe(
      'Events may be missing in “Customer B”',
    );
    tick(30_000);
    expect(t.check('events:batch', { workspaceId: 'ws2', summaries: [gap] })).toBeUndefined();
    tick(31_000);
    expect(t.check('events:batch', { workspaceId: 'ws2', summaries: [gap] })?.body).toContain('may be missing');
  });

  it('also tells about the front workspace when the window is in the background', () => {
    const { t } = setup();
    t.windowFocused = false;
    expect(t.check('events:batch', { workspaceId: 'ws1', summaries: [gap] })?.title).toBe(
      'Events may be missing in “Front”',
    );
  });
});
