/**
 * TTS error bodies (`google.rpc.Status` + `ErrorDetails`) exactly as PROTOCOL.md section 3 shows them.
 */
import { randomBytes } from 'node:crypto';
import type { TtsStatus } from '../../shared/tts/types.js';

/** gRPC code → HTTP status (grpc-gateway HTTPStatusFromCode). */
export const HTTP_FROM_GRPC: Record<number, number> = {
  1: 499,
  2: 500,
  3: 400,
  4: 504,
  5: 404,
  6: 409,
  7: 403,
  8: 429,
  9: 400,
  10: 409,
  11: 400,
  12: 501,
  13: 500,
  14: 503,
  15: 500,
  16: 401,
};

/** An error the stack can answer with: its status, and the HTTP status it maps to. */
export interface StackError {
  http: number;
  status: TtsStatus;
}

export function stackError(
  code: number,
  namespace: string,
  name: string,
  messageFormat: string,
  attributes?: Record<string, unknown>,
): StackError {
  const text = messageFormat.replace(/\{(\w+)\}/g, (_m, k: string) => String(attributes?.[k] ?? ''));
  const details: NonNullable<TtsStatus['details']>[number] = {
    '@type': 'type.googleapis.com/ttn.lorawan.v3.ErrorDetails',
    namespace,
    name,
    message_format: messageFormat,
  };
  if (attributes && Object.keys(attributes).length > 0) details.attributes = attributes;
  details.correlation_id = randomBytes(16).toString('hex');
  details.code = code;
  return {
    http: HTTP_FROM_GRPC[code] ?? 500,
    status: { code, message: `error:${namespace}:${name} (${text})`, details: [details] },
  };
}

const KIND_NAME: Record<string, string> = {
  application: 'application',
  device: 'application',
  gateway: 'gateway',
  organization: 'organization',
  user: 'user',
  client: 'client',
};

export const errors = {
  noIdentifiers: () => stackError(3, 'pkg/events/grpc', 'no_identifiers', 'no identifiers'),
  validation: (field: string, reason: string) =>
    stackError(3, 'pkg/errors', 'validation', 'invalid `{field}`: {reason}', {
      field,
      reason,
      name: field.split('.').pop(),
    }),
  unknownEventName: (name: string) =>
    stackError(3, 'pkg/events', 'unknown_event_name', 'unknown event `{name}`', { name }),
  noMatchingEvents: (regexp: string) =>
    stackError(3, 'pkg/events', 'no_matching_events', 'no matching events for regexp `{regexp}`', { regexp }),
  invalidRegexp: () => stackError(3, 'pkg/events', 'invalid_regexp', 'invalid regexp'),
  token: () => stackError(3, 'pkg/auth', 'token', 'invalid token'),
  apiKeyNotFound: () => stackError(16, 'pkg/identityserver', 'api_key_not_found', 'API key not found'),
  invalidAuthorization: () => stackError(16, 'pkg/identityserver', 'invalid_authorization', 'invalid authorization'),
  unsupportedAuthorization: () =>
    stackError(16, 'pkg/identityserver', 'unsupported_authorization', 'unsupported authorization method'),
  noRights: (kind: string, uid: string) =>
    stackError(
      7,
      'pkg/auth/rights',
      `no_${KIND_NAME[kind] ?? kind}_rights`,
      `no rights for ${KIND_NAME[kind] ?? kind} \`{uid}\``,
      { uid },
    ),
  rateLimited: (key: string, rate: number) =>
    stackError(
      8,
      'pkg/ratelimit',
      'rate_limit_exceeded',
      'rate limit of `{rate}` accesses per minute exceeded for resource `{key}`',
      { key, rate },
    ),
  storageDisabled: () => stackError(3, 'pkg/events/grpc', 'storage_disabled', 'events storage is not not enabled'),
  unavailable: () => stackError(14, 'pkg/events/grpc', 'unavailable', 'service unavailable'),
  internal: () => stackError(13, 'pkg/rpcserver', 'rpc_recovered', 'Internal Server Error'),
  streamAborted: () => stackError(14, 'pkg/events/redis', 'subscription_failed', 'subscription failed'),
};
