/**
 * The composition root of the desktop app. Thin by design: everything with a branch lives in core
 * (core/shell: menu template, window state, files from the OS, notification triggers).
 */
import { app, BrowserWindow, dialog, ipcMain, net, Notification, protocol, screen, session, shell } from 'electron';
import path from 'node:path';
import { createCore } from '../core/app-core.js';
import { createMainWindowOptions } from './window-options.js';
import { denyAllPermissions, installSecurityHandlers, PRODUCTION_CSP } from './security.js';
import { registerIpcHandlers } from './ipc-main.js';
import { RendererSink } from './renderer-sink.js';
import { electronDialogs } from './dialogs.js';
import { installAppMenu, type MenuHandlers } from './app-menu.js';
import { aboutText, buildMenuTemplate } from '../core/shell/menu-template.js';
import { WindowStateStore } from '../core/shell/window-state.js';
import { filesFromArgv, PendingOpens, RecentFiles, withPendingOpens } from '../core/shell/open-files.js';
import { NotificationTriggers, withNotifications, type ShellNotification } from '../core/shell/notifications.js';

const DOCS_URL = 'https://www.thethingsindustries.com/docs/the-things-stack/concepts/events/';

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: false } },
]);

const log = (m: string) => console.error(`[event-desk] ${m}`);
const rendererDir = path.join(__dirname, '..', 'renderer');
const sink = new RendererSink();
const pending = new PendingOpens();
const triggers = new NotificationTriggers();
let mainWindow: BrowserWindow | undefined;
let loaded = false;

/** A file from the OS (command line, second launch, macOS open-file): the window opens it as Open… would. */
function openFromOs(file: string): void {
  pending.push(file);
  if (loaded) sink.send('shell:command', { kind: 'open' });
}

function focusWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

function showNotification(n: ShellNotification): void {
  if (!Notification.isSupported()) return;
  const note = new Notification({ title: n.title, body: n.body });
  note.on('click', () => {
    focusWindow();
    sink.send('shell:command', { kind: 'activate-workspace', workspaceId: n.workspaceId });
  });
  note.show();
}

if (!app.requestSingleInstanceLock()) {
  // Another Event Desk runs: it received our argv in 'second-instance' and opens the files there.
  app.quit();
} else {
  for (const f of filesFromArgv(process.argv, process.cwd())) pending.push(f);
  app.on('second-instance', (_e, argv, cwd) => {
    for (const f of filesFromArgv(argv, cwd)) openFromOs(f);
    focusWindow();
  });
  app.on('open-file', (e, file) => {
    e.preventDefault();
    openFromOs(file);
  });
  void app.whenReady().then(start);
}

async function start(): Promise<void> {
  const dataDir = app.getPath('userData');
  const recent = new RecentFiles(dataDir);
  await recent.load();
  const menu: MenuHandlers = {
    command: (c) => sink.send('shell:command', c),
    action: (action, item) => {
      if (action === 'about')
        void dialog.showMessageBox({
          type: 'info',
          title: 'About Event Desk',
          message: 'Event Desk',
          detail: aboutText({
            app: app.getVersion(),
            electron: process.versions.electron,
            chrome: process.versions.chrome,
            node: process.versions.node,
            platform: process.platform,
            arch: process.arch,
          }),
        });
      if (action === 'documentation') void shell.openExternal(DOCS_URL);
      if (action === 'clear-recent') void recent.clear().then(rebuildMenu);
      const file = action === 'open-recent' ? recent.list[item.recentIndex ?? -1] : undefined;
      if (file) openFromOs(file);
    },
  };
  const rebuildMenu = () =>
    installAppMenu(
      buildMenuTemplate({
        platform: process.platform,
        recent: recent.list,
        theme: triggers.context.theme,
        detailPane: triggers.context.detailPane,
        canReopen: triggers.context.canReopen,
      }),
      menu,
    );
  const dialogs = withPendingOpens(
    electronDialogs(() => mainWindow),
    pending,
    (file) => {
      app.addRecentDocument(file);
      void recent.add(file).then(rebuildMenu);
    },
  );
  const core = await createCore({
    dataDir,
    sink: withNotifications(sink, triggers, showNotification),
    host: 'electron',
    version: app.getVersion(),
    log,
    dialogs,
    reveal: (file) => shell.showItemInFolder(file),
    onWindowContext: (context) => {
      triggers.context = context;
      rebuildMenu();
    },
  });
  protocol.handle('app', (request) => {
    const rel = new URL(request.url).pathname.replace(/^\/+/, '') || 'index.html';
    const file = path.resolve(rendererDir, rel);
    if (!file.startsWith(rendererDir + path.sep)) return new Response('not found', { status: 404 });
    return net.fetch(`file://${file}`).then(
      (r) =>
        new Response(r.body, {
          headers: {
            'Content-Type': r.headers.get('content-type') ?? 'text/plain',
            'Content-Security-Policy': PRODUCTION_CSP,
          },
        }),
    );
  });
  denyAllPermissions(session.defaultSession);
  installSecurityHandlers(app, (url) => void shell.openExternal(url));
  registerIpcHandlers(ipcMain, core.handlers, log);
  rebuildMenu();

  const windowState = new WindowStateStore(dataDir);
  const bounds = await windowState.load(screen.getAllDisplays().map((d) => d.workArea));
  const { maximized, ...size } = bounds;
  const win = new BrowserWindow({
    ...createMainWindowOptions(path.join(__dirname, '..', 'preload', 'preload.cjs')),
    ...size,
  });
  mainWindow = win;
  sink.attach(win.webContents);
  if (maximized) win.maximize();
  win.on('focus', () => (triggers.windowFocused = true));
  win.on('blur', () => (triggers.windowFocused = false));
  win.on('close', () => void windowState.save({ ...win.getNormalBounds(), maximized: win.isMaximized() }));
  win.webContents.on('did-finish-load', () => {
    loaded = true;
    for (let i = 0; i < pending.size; i++) sink.send('shell:command', { kind: 'open' });
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL('app://event-desk/index.html');

  app.on('window-all-closed', () => {
    void core.dispose().finally(() => app.quit());
  });
}
