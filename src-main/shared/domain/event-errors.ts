/**
 * Why an event says something failed, in the shapes the server has used for it: `ErrorDetails` as the data
 * of `*.drop`/`*.fail` events (with the error that caused it in `cause`), the `ErrorDetails` of a failed
 * application downlink (`downlink_failed.error`), and a gateway's transmission result, which
 * `gs.down.tx.fail` has carried as a `google.protobuf.Value` number (v3.9–3.14, v3.16–3.21.1, v3.32+),
 * as its enum name (v3.15) and as a whole `TxAcknowledgment` (v3.21.2–3.31).
 */
import { obj, str } from '../json/fields.js';
import type { TtsStatus } from '../tts/types.js';

type Json = Record<string, unknown>;

/** An error name (as `error:` matches it) and the one line that explains it. */
export interface EventError {
  name: string;
  text: string;
}

/** `TxAcknowledgment.Result` (api/ttn/lorawan/v3/messages.proto) by its number. */
const TX_RESULTS = [
  'SUCCESS',
  'UNKNOWN_ERROR',
  'TOO_LATE',
  'TOO_EARLY',
  'COLLISION_PACKET',
  'COLLISION_BEACON',
  'TX_FREQ',
  'TX_POWER',
  'GPS_UNLOCKED',
] as const;

/** What each result means, as the Semtech packet forwarder reports it in its TX_ACK. */
const TX_RESULT_TEXT: Record<string, string> = {
  SUCCESS: 'the gateway reported success',
  UNKNOWN_ERROR: 'the gateway did not transmit (unknown error)',
  TOO_LATE: 'too late: the downlink reached the gateway after its transmission time',
  TOO_EARLY: 'too early: the transmission time is too far ahead for the gateway',
  COLLISION_PACKET: 'collision: the gateway was already transmitting another packet then',
  COLLISION_BEACON: 'collision with a Class B beacon',
  TX_FREQ: 'the gateway cannot transmit on this frequency',
  TX_POWER: 'the gateway cannot transmit at this power',
  GPS_UNLOCKED: 'the gateway has no GPS lock, so it cannot transmit at a GPS time',
};

/** How deep a chain of causes is followed: a hostile event may nest them without end. */
const MAX_CAUSES = 8;

/** An `ErrorDetails` message filled in with its attributes, as the server's own error text reads. */
export function detailsMessage(d: Json): string {
  const attributes = obj(d.attributes);
  return String(d.message_format ?? d.name ?? '').replace(/\{(\w+)\}/g, (_m, k: string) =>
    String(attributes?.[k] ?? k),
  );
}

/** The message, then the innermost cause's when there is one: "host `cluster` failed…: device not found". */
export function detailsText(d: Json): string {
  const text = detailsMessage(d);
  const cause = innermostCause(d);
  if (cause) return `${text}: ${detailsMessage(cause)}`;
  // No cause: a scheduling failure says why in its path errors (below), one per gateway path or Rx window.
  const reasons = pathReasons(d, 0);
  if (reasons.length === 0) return text;
  const unique = [...new Set(reasons)];
  const shown = unique.slice(0, MAX_REASONS).join('; ');
  return `${text}: ${shown}${unique.length > MAX_REASONS ? `; and ${unique.length - MAX_REASONS} more` : ''}`;
}

function innermostCause(d: Json): Json | undefined {
  let cause: Json | undefined;
  for (let c = obj(d.cause), i = 0; c && typeof c.name === 'string' && i < MAX_CAUSES; c = obj(c.cause), i++) cause = c;
  return cause;
}

/** How many path errors are read in all: a server nesting 16 in each of 8 levels is not read to the end. */
const MAX_PATH_ERRORS = 64;

/** How many distinct reasons one line names. */
const MAX_REASONS = 4;

/**
 * Why a downlink could not be scheduled. The Gateway Server's `tx_schedule` ("schedule") and the Network
 * Server's `schedule` carry no cause of their own: each path tried is an error in
 * `details[].path_errors` (ScheduleDownlinkErrorDetails: io.go per Rx window, grpc_nsgs.go per gateway path,
 * the latter's cause being the former), and the reason a user acts on (too late, duty cycle, not connected)
 * is the innermost cause of each, named after its paths: "schedule on path `gw1`: schedule in Rx window `1`
 * failed: too late to transmission scheduled time". Depth and count are bounded: the event may be hostile.
 */
function pathReasons(d: Json, depth: number, budget = { left: MAX_PATH_ERRORS }): string[] {
  if (depth > MAX_CAUSES) return [];
  const out: string[] = [];
  const details = Array.isArray(d.details) ? d.details.slice(0, 8) : [];
  for (const detail of details) {
    const paths = obj(detail)?.path_errors;
    if (!Array.isArray(paths)) continue;
    for (const p of paths.slice(0, 16)) {
      const pathError = obj(p);
      if (!pathError || typeof pathError.name !== 'string') continue;
      if (budget.left-- <= 0) return out;
      const label = detailsMessage(pathError);
      const cause = innermostCause(pathError);
      // The NS's per-gateway error has the GS's as its cause, with the GS's paths below it.
      const below = pathReasons(cause ?? pathError, depth + 1, budget);
      if (below.length) out.push(...below.map((r) => `${label}: ${r}`));
      else out.push(cause ? `${label}: ${detailsMessage(cause)}` : label);
    }
  }
  return out;
}

/**
 * A stream's error status in one line: its first `ErrorDetails` as `detailsText` reads it (innermost cause
 * included), then where it comes from; the status's message when it has no details.
 */
export function describeStatus(status: TtsStatus): string {
  const d = status.details?.[0];
  if (!d?.message_format) return status.message ?? `error code ${status.code}`;
  const text = detailsText(d);
  return d.namespace && d.name ? `${text} (${d.namespace}:${d.name})` : text;
}

/** The error of a failed event, if its data says which. */
export function eventError(name: string, data: Json): EventError | undefined {
  const type = str(data['@type']) ?? '';
  const failed = name.endsWith('.drop') || name.endsWith('.fail');
  if ((failed || type.endsWith('ErrorDetails')) && typeof data.name === 'string')
    return { name: data.name, text: detailsText(data) };
  const downlinkFailed = obj(obj(data.downlink_failed)?.error);
  if (downlinkFailed && typeof downlinkFailed.name === 'string')
    return { name: downlinkFailed.name, text: detailsText(downlinkFailed) };
  if (name !== 'gs.down.tx.fail') return undefined;
  const result = txResult(type.endsWith('TxAcknowledgment') ? data.result : data.value);
  return result ? { name: result, text: TX_RESULT_TEXT[result] ?? result } : undefined;
}

/** A result as a number (proto3 JSON of a `Value`) or by its enum name. */
function txResult(v: unknown): string | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? (TX_RESULTS[v] ?? `result ${v}`) : undefined;
  return typeof v === 'string' && /^[A-Z][A-Z0-9_]{0,40}$/.test(v) ? v : undefined;
}
