/**
 * Expected failures travel as values, never as exceptions.
 *
 * Electron only keeps `error.message` when an exception crosses `ipcRenderer.invoke`
 * (docs/api/ipc-main.md), so every IPC handler returns a Result instead of throwing.
 */
export type ErrorCode =
  | 'network'
  | 'auth'
  | 'forbidden'
  | 'rate-limited'
  | 'server'
  | 'protocol'
  | 'keychain-unavailable'
  | 'invalid-input'
  | 'not-found'
  | 'cancelled'
  | 'io'
  | 'internal';

/** A failure a user can read and act on. */
export interface AppError {
  code: ErrorCode;
  /** One or two sentences: what happened and what to do about it. */
  message: string;
  /** Optional machine-readable detail (never a secret). */
  detail?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export const err = (code: ErrorCode, message: string, detail?: string): { ok: false; error: AppError } => ({
  ok: false,
  error: detail === undefined ? { code, message } : { code, message, detail },
});

/** Turn an unexpected exception into an `internal` AppError without leaking a stack to the UI. */
export function toAppError(e: unknown): AppError {
  if (isAppError(e)) return e;
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message: `Unexpected error: ${message}` };
}

export function isAppError(e: unknown): e is AppError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as AppError).code === 'string' &&
    typeof (e as AppError).message === 'string'
  );
}
