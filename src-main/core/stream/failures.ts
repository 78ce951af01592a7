/**
 * Turns what a server answered into an AppError a user can act on, and a retry decision.
 *
 * Pure: the connection state machine and the check-connection UI share it.
 */
import { err, type AppError } from '../../shared/result.js';
import type { TtsStatus } from '../../shared/tts/types.js';
import { describeStatus } from '../../shared/domain/event-errors.js';
import { redactSecrets } from '../../shared/redact.js';

/**
 * The server's own words, scrubbed: a server (or proxy) that echoes the request's Authorization header
 * in its error would otherwise put the key into the UI, the capture's status entries and bundles (#13).
 */
const serverText = (status: TtsStatus): string => redactSecrets(describeStatus(status));

/** Whether a failed stream should be tried again. */
export type RetryAdvice =
  /** `without`: the one name of the `names` filter the server does not define (it refused the whole request). */
  { retry: false; without?: string } | { retry: true; afterMs?: number };

export interface ClassifiedFailure {
  error: AppError;
  advice: RetryAdvice;
}

function errorName(status: TtsStatus | undefined): string | undefined {
  return status?.details?.[0]?.name;
}

function attribute(status: TtsStatus | undefined, key: string): string | undefined {
  const v = status?.details?.[0]?.attributes?.[key];
  return v === undefined ? undefined : String(v);
}

/**
 * A 200 whose body is a web page (a Console, a login portal, a proxy's page): no event will ever come, and
 * reading it as a stream only reconnected for ever with "the server closed the stream". Not retried.
 */
export function notAnEventStream(origin: string, contentType: string): ClassifiedFailure {
  return {
    error: {
      code: 'protocol',
      message:
        `The server at ${origin} answered with a web page (${contentType.split(';')[0]!.trim()}), not an event stream: ` +
        "is this the stack's base URL (not the Console URL, and not behind a login page)? Check the profile's server URL.",
    },
    advice: { retry: false },
  };
}

/** Whether a 200's Content-Type is a web page, which no Things Stack sends for its events (PROTOCOL.md 2.4). */
export const isWebPage = (contentType: string | undefined): boolean =>
  /^\s*(text\/html|application\/xhtml\+xml)\b/i.test(contentType ?? '');

/** An HTTP error answered before the first event (PROTOCOL.md section 3.2). */
export function classifyHttpFailure(
  httpStatus: number,
  status: TtsStatus | undefined,
  headers: Record<string, string | undefined>,
): ClassifiedFailure {
  const server = status ? serverText(status) : `HTTP ${httpStatus}`;
  const name = errorName(status);
  if (httpStatus === 401) {
    const hint =
      name === 'api_key_not_found'
        ? 'The server does not know this API key: it may have been deleted. Create a new key and set it in the profile.'
        : name === 'invalid_authorization'
          ? 'The API key secret is wrong. Paste the whole key again in the profile.'
          : name === 'api_key_expired' || name === 'token_expired'
            ? 'The API key has expired. Create a new key and set it in the profile.'
            : 'The server rejected the API key. Check the key set in the profile.';
    return { error: err('auth', hint, server).error, advice: { retry: false } };
  }
  if (httpStatus === 403) {
    const uid = attribute(status, 'uid');
    const kind = name?.replace(/^no_/, '').replace(/_rights$/, '');
    const hint =
      uid && kind
        ? `The API key has no rights on ${kind} \`${uid}\`. Give the key rights on it, or stream another entity.`
        : 'The API key is not allowed to stream these entities. Check its rights with Check connection.';
    return { error: err('forbidden', hint, server).error, advice: { retry: false } };
  }
  if (httpStatus === 400) {
    const hint =
      name === 'unknown_event_name' || name === 'no_matching_events' || name === 'invalid_regexp'
        ? `The names filter was rejected: ${server}. Fix the filter and start the stream again.`
        : name === 'token'
          ? 'The API key is malformed: it should look like NNSXS.<id>.<secret>. Paste the whole key again.'
          : name === 'no_identifiers'
            ? 'The stream has no entities. Add an application, device or gateway.'
            : `The server rejected the request: ${server}.`;
    // Which name: a regexp comes back without its slashes (events/pattern.go), an exact name as sent.
    const regexp = name === 'no_matching_events' ? attribute(status, 'regexp') : undefined;
    const exact = name === 'unknown_event_name' ? attribute(status, 'name') : undefined;
    const without = regexp !== undefined ? `/${regexp}/` : exact;
    return {
      error: err('invalid-input', hint, server).error,
      advice: without ? { retry: false, without } : { retry: false },
    };
  }
  if (httpStatus === 429) {
    const retrySec = Number(headers['x-rate-limit-retry'] ?? headers['retry-after']);
    const afterMs = Number.isFinite(retrySec) && retrySec > 0 ? retrySec * 1000 : undefined;
    return {
      error: err(
        'rate-limited',
        `The server is rate limiting stream requests; trying again ${afterMs ? `in ${Math.ceil(afterMs / 1000)} s` : 'later'}.`,
        server,
      ).error,
      advice: afterMs === undefined ? { retry: true } : { retry: true, afterMs },
    };
  }
  if (httpStatus >= 500)
    return {
      error: err('server', `The server had a problem (HTTP ${httpStatus}); trying again.`, server).error,
      advice: { retry: true },
    };
  if (httpStatus === 404)
    return {
      error: err(
        'not-found',
        'The server has no events API at this address. Check the profile URL (it should be the stack base URL, e.g. https://eu1.cloud.thethings.network).',
        server,
      ).error,
      advice: { retry: false },
    };
  return {
    error: err('protocol', `Unexpected answer from the server (HTTP ${httpStatus}).`, server).error,
    advice: { retry: false },
  };
}

/** A final `{"error":…}` object on an open stream (section 2.5). */
export function classifyStreamError(status: TtsStatus): ClassifiedFailure {
  const server = serverText(status);
  // gRPC codes: 16 unauthenticated and 7 permission denied will not heal by retrying.
  if (status.code === 16)
    return {
      error: err(
        'auth',
        'The server ended the stream because the API key is no longer valid (revoked or expired). Set a new key in the profile.',
        server,
      ).error,
      advice: { retry: false },
    };
  if (status.code === 7)
    return {
      error: err(
        'forbidden',
        'The server ended the stream because the API key lost its rights. Check the key with Check connection.',
        server,
      ).error,
      advice: { retry: false },
    };
  if (status.code === 3 || status.code === 9 || status.code === 11)
    return {
      error: err('invalid-input', `The server ended the stream: ${server}.`, server).error,
      advice: { retry: false },
    };
  return {
    error: err('server', `The server ended the stream with an error; reconnecting. (${server})`, server).error,
    advice: { retry: true },
  };
}

/** A socket-level failure: refused, reset, DNS, TLS. */
export function classifyNetworkFailure(e: NodeJS.ErrnoException): ClassifiedFailure {
  const code = e.code ?? '';
  const message =
    code === 'ECONNREFUSED'
      ? 'Nothing is listening at the server address. Is the stack running, and is the URL right?'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'The server name could not be resolved. Check the URL and your network.'
        : code === 'ECONNRESET' || code === 'EPIPE'
          ? 'The connection to the server was reset; reconnecting.'
          : code === 'ETIMEDOUT'
            ? 'The connection to the server timed out; reconnecting.'
            : /CERT|SSL|TLS|SELF_SIGNED/i.test(code)
              ? `The server's TLS certificate was not accepted (${code}). For a private deployment, add its CA certificate to the profile.`
              : `Network error: ${redactSecrets(e.message)}`;
  const tls = /CERT|SSL|TLS|SELF_SIGNED/i.test(code);
  return {
    error: err('network', message, code || redactSecrets(e.message)).error,
    advice: tls ? { retry: false } : { retry: true },
  };
}
