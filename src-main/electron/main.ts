/**
 * The composition root of the desktop app. Thin by design: everything with a branch lives in core.
 */
import { app, BrowserWindow, ipcMain, net, protocol, session, shell } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCore } from '../core/app-core.js';
import { createMainWindowOptions } from './window-options.js';
import { createAppProtocolHandler, denyAllPermissions, installSecurityHandlers } from './security.js';
import { registerIpcHandlers } from './ipc-main.js';
import { RendererSink } from './renderer-sink.js';
import { electronDialogs } from './dialogs.js';

protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: false } }]);

const log = (m: string) => console.error(`[event-desk] ${m}`);
const rendererDir = path.join(__dirname, '..', 'renderer');
const sink = new RendererSink();

let mainWindow: BrowserWindow | undefined;

void app.whenReady().then(async () => {
  const core = await createCore({ dataDir: app.getPath('userData'), sink, host: 'electron', version: app.getVersion(), log, dialogs: electronDialogs(() => mainWindow) });
  protocol.handle('app', createAppProtocolHandler(rendererDir, (file) => net.fetch(pathToFileURL(file).toString())));
  denyAllPermissions(session.defaultSession);
  installSecurityHandlers(app, (url) => void shell.openExternal(url), log);
  registerIpcHandlers(ipcMain, core.handlers, log);

  const win = new BrowserWindow(createMainWindowOptions(path.join(__dirname, '..', 'preload', 'preload.cjs')));
  mainWindow = win;
  sink.attach(win.webContents);
  win.once('ready-to-show', () => win.show());
  void win.loadURL('app://event-desk/index.html');

  app.on('window-all-closed', () => {
    void core.dispose().finally(() => app.quit());
  });
});
