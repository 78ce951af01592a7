/**
 * The Things Stack events API shapes, as the server writes them (PROTOCOL.md sections 1.2 and 4).
 *
 * Only fields the app reads are typed; everything else stays `unknown` and is kept verbatim.
 */
export interface ApplicationIds {
  application_id: string;
}
export interface DeviceIds {
  device_id: string;
  application_ids: ApplicationIds;
  dev_eui?: string;
  join_eui?: string;
  dev_addr?: string;
}
export interface GatewayIds {
  gateway_id: string;
  eui?: string;
}

/** `EntityIdentifiers`: exactly one of these keys is set. */
export interface EntityIdentifiers {
  application_ids?: ApplicationIds;
  device_ids?: DeviceIds;
  gateway_ids?: GatewayIds;
  organization_ids?: { organization_id: string };
  user_ids?: { user_id: string; email?: string };
  client_ids?: { client_id: string };
}

export const ENTITY_KINDS = ['application', 'device', 'gateway', 'organization', 'user', 'client'] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

export interface TtsEvent {
  name: string;
  time: string;
  identifiers?: EntityIdentifiers[];
  data?: { '@type'?: string; [key: string]: unknown };
  correlation_ids?: string[];
  origin?: string;
  context?: Record<string, string>;
  visibility?: { rights?: string[] };
  authentication?: unknown;
  remote_ip?: string;
  user_agent?: string;
  unique_id?: string;
}

/** `google.rpc.Status` with TTS `ErrorDetails` (PROTOCOL.md section 3.1). */
export interface TtsStatus {
  code: number;
  message?: string;
  details?: Array<{
    '@type'?: string;
    namespace?: string;
    name?: string;
    message_format?: string;
    attributes?: Record<string, unknown>;
    correlation_id?: string;
    code?: number;
  }>;
}

/** `StreamEventsRequest` body of `POST /api/v3/events`. */
export interface StreamEventsRequest {
  identifiers: EntityIdentifiers[];
  names?: string[];
  tail?: number;
  after?: string;
}

/** The kind and ID of one identifier entry, e.g. `{kind: 'device', id: 'dev1', application: 'app1'}`. */
export interface EntityRef {
  kind: EntityKind;
  id: string;
  application?: string;
}

export function entityRef(ids: EntityIdentifiers): EntityRef | undefined {
  if (ids.device_ids)
    return {
      kind: 'device',
      id: ids.device_ids.device_id,
      application: ids.device_ids.application_ids?.application_id,
    };
  if (ids.application_ids) return { kind: 'application', id: ids.application_ids.application_id };
  if (ids.gateway_ids) return { kind: 'gateway', id: ids.gateway_ids.gateway_id };
  if (ids.organization_ids) return { kind: 'organization', id: ids.organization_ids.organization_id };
  if (ids.user_ids) return { kind: 'user', id: ids.user_ids.user_id };
  if (ids.client_ids) return { kind: 'client', id: ids.client_ids.client_id };
  return undefined;
}

/** Build the identifiers entry for an entity the user typed in. */
export function toIdentifiers(ref: EntityRef): EntityIdentifiers {
  switch (ref.kind) {
    case 'application':
      return { application_ids: { application_id: ref.id } };
    case 'device':
      return { device_ids: { device_id: ref.id, application_ids: { application_id: ref.application ?? '' } } };
    case 'gateway':
      return { gateway_ids: { gateway_id: ref.id } };
    case 'organization':
      return { organization_ids: { organization_id: ref.id } };
    case 'user':
      return { user_ids: { user_id: ref.id } };
    case 'client':
      return { client_ids: { client_id: ref.id } };
  }
}

/** Entity ID syntax as the stack validates it (users may be two characters long). */
export const ENTITY_ID = /^[a-z0-9](?:[-]?[a-z0-9]){2,}$/;
export const USER_ID = /^[a-z0-9](?:[-]?[a-z0-9]){1,}$/;

/** Why an ID would be rejected by the server, or undefined when it is fine. */
export function entityIdProblem(kind: EntityKind, id: string): string | undefined {
  const re = kind === 'user' ? USER_ID : ENTITY_ID;
  if (id.length > 36) return `"${id}" is longer than 36 characters.`;
  if (!re.test(id))
    return `"${id}" is not a valid ${kind} ID: use lower-case letters, digits and single dashes, at least ${kind === 'user' ? 2 : 3} characters.`;
  return undefined;
}
