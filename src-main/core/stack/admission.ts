/**
 * Whether the built-in stack accepts a new stream before it reads the request: the HTTP error faults the
 * tests switch on (a 429 with TTS's rate-limit headers, 503, 500) and the per-key stream rate limit
 * (`rateLimitPerMinute`, TTS's `grpc:stream:accept` limiter).
 */
import { errors, type StackError } from './errors.js';
import type { Faults } from './subscription.js';

export interface Refusal {
  error: StackError;
  headers?: Record<string, string>;
}

const limitHeaders = (limit: number, reset: string) => ({
  'X-Rate-Limit-Limit': String(limit),
  'X-Rate-Limit-Available': '0',
  'X-Rate-Limit-Reset': reset,
  'X-Rate-Limit-Retry': reset,
});

export class Admission {
  readonly #window = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly clock: () => number,
    private readonly rateLimitPerMinute: number | undefined,
  ) {}

  /**
   * A refusal for a stream asked with API key id `keyId` (undefined: no key), or undefined to accept it.
   * An HTTP error fault with a count is used up one stream at a time: the new faults come back with it.
   */
  check(faults: Faults, keyId: string | undefined): { refusal?: Refusal; faults: Faults } {
    if (faults.httpError && (faults.httpErrorCount ?? 1) > 0) {
      const status = faults.httpError;
      const left =
        faults.httpErrorCount !== undefined ? { ...faults, httpErrorCount: faults.httpErrorCount - 1 } : faults;
      if (status === 429) {
        const accept = `grpc:stream:accept:/ttn.lorawan.v3.Events/Stream:token:${keyId ?? 'anonymous'}`;
        const error = errors.rateLimited(accept, 1);
        return { refusal: { error, headers: limitHeaders(1, String(faults.retryAfterSec ?? 1)) }, faults: left };
      }
      return { refusal: { error: status === 503 ? errors.unavailable() : errors.internal() }, faults: left };
    }
    const limit = this.rateLimitPerMinute;
    if (limit === undefined || keyId === undefined) return { faults };
    const now = this.clock();
    const w = this.#window.get(keyId);
    const win = !w || now - w.start >= 60_000 ? { start: now, count: 0 } : w;
    win.count++;
    this.#window.set(keyId, win);
    if (win.count <= limit) return { faults };
    const reset = String(Math.ceil((win.start + 60_000 - now) / 1000));
    const error = errors.rateLimited(`grpc:stream:accept:/ttn.lorawan.v3.Events/Stream:token:${keyId}`, limit);
    return { refusal: { error, headers: limitHeaders(limit, reset) }, faults };
  }
}
