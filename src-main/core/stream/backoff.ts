/**
 * Reconnect delays: exponential, capped, with jitter so many clients do not reconnect in step.
 */
import type { Random } from '../../shared/ids.js';

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000 };

/** Delay before attempt `attempt` (1-based): half fixed, half random, never above the cap. */
export function nextDelay(attempt: number, random: Random, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const exp = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}
