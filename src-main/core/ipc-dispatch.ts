/**
 * Validate and run one invoke call from an untrusted renderer: shared by the Electron shell and the harness.
 */
import type { InvokeHandlers } from '../shared/ipc/contract.js';
import { INVOKE_VALIDATORS, isInvokeChannel } from '../shared/ipc/validate.js';
import { err, toAppError, type Result } from '../shared/result.js';
import { redactSecrets } from '../shared/redact.js';

export async function dispatchInvoke(
  handlers: InvokeHandlers,
  channel: unknown,
  args: unknown,
  log?: (m: string) => void,
): Promise<Result<unknown>> {
  if (!isInvokeChannel(channel)) return err('invalid-input', 'Unknown request.');
  if (!Array.isArray(args) || !INVOKE_VALIDATORS[channel](args))
    return err('invalid-input', `The request ${channel} had invalid arguments.`);
  try {
    const handler = handlers[channel] as (...a: unknown[]) => Promise<Result<unknown>>;
    return await handler(...args);
  } catch (e) {
    log?.(redactSecrets(`handler ${channel} threw: ${(e as Error).stack ?? String(e)}`));
    const error = toAppError(e);
    return { ok: false, error: { ...error, message: redactSecrets(error.message) } };
  }
}
