/**
 * The native save/open dialogs behind the core's `Dialogs` interface.
 */
import { dialog, type BrowserWindow } from 'electron';
import type { Dialogs } from '../core/services/dialogs.js';

export function electronDialogs(window: () => BrowserWindow | undefined): Dialogs {
  return {
    async save({ title, defaultName, filters }) {
      const w = window();
      const r = w
        ? await dialog.showSaveDialog(w, { title, defaultPath: defaultName, filters })
        : await dialog.showSaveDialog({ title, defaultPath: defaultName, filters });
      return r.canceled ? undefined : r.filePath;
    },
    async open({ title, filters }) {
      const w = window();
      const options = { title, filters, properties: ['openFile' as const] };
      const r = w ? await dialog.showOpenDialog(w, options) : await dialog.showOpenDialog(options);
      return r.canceled ? undefined : r.filePaths[0];
    },
  };
}
