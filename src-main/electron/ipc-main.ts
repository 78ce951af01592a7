import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { INVOKE_CHANNELS, type InvokeHandlers } from '../shared/ipc/contract.js';
import { err, type Result } from '../shared/result.js';
import { dispatchInvoke } from '../core/ipc-dispatch.js';
import { isAppUrl } from './security.js';

/**
 * A trusted sender is our own main frame, served from our origin (checklist §17; VS Code validateEvent).
 */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>, mainFrameUrl?: string): boolean {
  const frame = event.senderFrame;
  if (!frame) return false;
  if (frame.parent) return false;
  return isAppUrl(frame.url) && (mainFrameUrl === undefined || isAppUrl(mainFrameUrl));
}

/** Register one handler per contract channel: sender checked, payload validated, exceptions turned into Results. */
export function registerIpcHandlers(
  ipcMain: Pick<IpcMain, 'handle'>,
  handlers: InvokeHandlers,
  log: (m: string) => void,
): void {
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, async (event, ...args: unknown[]): Promise<Result<unknown>> => {
      if (!isTrustedSender(event)) {
        log(`refused ${channel} from untrusted sender ${event.senderFrame?.url ?? '(no frame)'}`);
        return err('forbidden', 'Request refused.');
      }
      return dispatchInvoke(handlers, channel, args, log);
    });
  }
}
