/**
 * What each `POST /api/v3/events` request of a stream asks the server for.
 *
 * The real server (lorawan-stack `pkg/events/grpc/grpc.go`) gives every subscriber a channel of
 * `clamp(tail, 8, 1024)` events, and `pkg/events/handler.go` drops an event when that channel is full,
 * counting it only in a server metric: no client can see the loss. A request without `tail` gets the
 * 8-event buffer, and one burst of a busy application or gateway loses events. So every request asks for
 * `tail: 1024`, the largest buffer the server allows, together with `after`, so that no history comes
 * back that the user did not ask for:
 * - first request, no history wanted: `after` = now (the store's history then starts at now);
 * - resume: `after` = the last event received minus an overlap (duplicates are dropped by `unique_id`);
 * - the user's own `after`: kept, with `tail: 1024`.
 * Without an events store the server ignores both and adds `X-Warning` (the session records the gap).
 *
 * The price: with a store, `tail` + `after` returns the *newest* `tail` events since `after` (the Redis
 * store's `XREVRANGE … COUNT tail`), so a resume after more than 1024 missed events gets the newest 1024.
 * The session notices a history reply that reaches the cap and records the older part as a gap. (Without
 * `tail` the server would replay everything into the 8-event channel and silently drop all but a few.)
 *
 * The user's own `tail: N` means "the last N events": sent as asked when N ≥ 1024; below that, the
 * request asks for 1024 and the session keeps only the newest N of the history it gets back
 * (`HistoryTrim`), so the buffer is large and the meaning unchanged.
 */
import type { StreamEventsRequest } from '../../shared/tts/types.js';

/** The largest per-subscriber buffer the server allocates (`grpc.go`: `clamp(tail, 8, 1024)`). */
export const SERVER_BUFFER_MAX = 1024;

const iso = (ms: number) => new Date(ms).toISOString();

export interface PlannedRequest {
  request: StreamEventsRequest;
  /** Keep only the newest this many history events of this connection (the user's own smaller tail). */
  keepHistory?: number;
  /** The `tail` sent: a history reply of this many events may have been cut at its oldest end. */
  historyCap: number;
}

/**
 * The request for one connection. `resumeFromMs` is the newest event received so far (undefined before
 * the first); `nowMs` the client's clock.
 */
export function planRequest(
  user: StreamEventsRequest,
  resumeFromMs: number | undefined,
  nowMs: number,
  overlapMs = 1000,
): PlannedRequest {
  const { tail: userTail, after: userAfter, ...rest } = user;
  if (resumeFromMs !== undefined) {
    return {
      request: { ...rest, tail: SERVER_BUFFER_MAX, after: iso(resumeFromMs - overlapMs) },
      historyCap: SERVER_BUFFER_MAX,
    };
  }
  const tail = userTail && userTail > 0 ? Math.floor(userTail) : undefined;
  if (tail !== undefined && tail >= SERVER_BUFFER_MAX) {
    return { request: { ...rest, tail, ...(userAfter ? { after: userAfter } : {}) }, historyCap: tail };
  }
  if (tail !== undefined) {
    // The last N events (since `after` when given): ask for the full buffer, keep the newest N.
    return {
      request: { ...rest, tail: SERVER_BUFFER_MAX, ...(userAfter ? { after: userAfter } : {}) },
      keepHistory: tail,
      historyCap: SERVER_BUFFER_MAX,
    };
  }
  return {
    request: { ...rest, tail: SERVER_BUFFER_MAX, after: userAfter ?? iso(nowMs) },
    historyCap: SERVER_BUFFER_MAX,
  };
}
