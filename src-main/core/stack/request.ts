/**
 * Validation of `StreamEventsRequest` in the order and with the errors of the real server.
 */
import { FILTERABLE_NAMES } from '../../shared/tts/catalog.js';
import {
  ENTITY_ID,
  USER_ID as USER_ID_RE,
  type EntityIdentifiers,
  type EntityKind,
  type StreamEventsRequest,
} from '../../shared/tts/types.js';
import { errors, type StackError } from './errors.js';

const ID = ENTITY_ID;
const USER_ID = USER_ID_RE;
const EUI = /^[0-9A-F]{16}$/;
const DEV_ADDR = /^[0-9A-F]{8}$/;

/** One requested entity, normalised for matching. */
export interface RequestedEntity {
  kind: EntityKind;
  id: string;
  application?: string;
  /** `kind:id` (devices: `device:app/dev`): the key events are matched by. */
  key: string;
}

export function entityKey(kind: EntityKind, id: string, application?: string): string {
  return kind === 'device' ? `device:${application ?? ''}/${id}` : `${kind}:${id}`;
}

function checkId(value: unknown, field: string, pattern = ID): StackError | undefined {
  if (typeof value !== 'string' || value.length > 36 || !pattern.test(value)) {
    return errors.validation(field, `value does not match regex pattern "${pattern.source}"`);
  }
  return undefined;
}

/** Normalise and validate identifiers (request validator interceptor, then `no_identifiers`). */
export function parseIdentifiers(ids: unknown): { entities: RequestedEntity[] } | { error: StackError } {
  if (!Array.isArray(ids) || ids.length === 0) return { error: errors.noIdentifiers() };
  const entities: RequestedEntity[] = [];
  for (const [i, raw] of ids.entries()) {
    const e = (raw ?? {}) as EntityIdentifiers;
    const f = `identifiers[${i}]`;
    let error: StackError | undefined;
    let entity: RequestedEntity | undefined;
    if (e.device_ids) {
      const d = e.device_ids;
      error =
        checkId(d.device_id, `${f}.device_ids.device_id`) ??
        checkId(d.application_ids?.application_id, `${f}.device_ids.application_ids.application_id`);
      if (!error && d.dev_eui !== undefined && !EUI.test(d.dev_eui))
        error = errors.validation(`${f}.device_ids.dev_eui`, 'invalid EUI');
      if (!error && d.join_eui !== undefined && !EUI.test(d.join_eui))
        error = errors.validation(`${f}.device_ids.join_eui`, 'invalid EUI');
      if (!error && d.dev_addr !== undefined && !DEV_ADDR.test(d.dev_addr))
        error = errors.validation(`${f}.device_ids.dev_addr`, 'invalid DevAddr');
      entity = { kind: 'device', id: d.device_id, application: d.application_ids?.application_id, key: '' };
    } else if (e.application_ids) {
      error = checkId(e.application_ids.application_id, `${f}.application_ids.application_id`);
      entity = { kind: 'application', id: e.application_ids.application_id, key: '' };
    } else if (e.gateway_ids) {
      error = checkId(e.gateway_ids.gateway_id, `${f}.gateway_ids.gateway_id`);
      if (!error && e.gateway_ids.eui !== undefined && !EUI.test(e.gateway_ids.eui))
        error = errors.validation(`${f}.gateway_ids.eui`, 'invalid EUI');
      entity = { kind: 'gateway', id: e.gateway_ids.gateway_id, key: '' };
    } else if (e.organization_ids) {
      error = checkId(e.organization_ids.organization_id, `${f}.organization_ids.organization_id`);
      entity = { kind: 'organization', id: e.organization_ids.organization_id, key: '' };
    } else if (e.user_ids) {
      error = checkId(e.user_ids.user_id, `${f}.user_ids.user_id`, USER_ID);
      entity = { kind: 'user', id: e.user_ids.user_id, key: '' };
    } else if (e.client_ids) {
      error = checkId(e.client_ids.client_id, `${f}.client_ids.client_id`);
      entity = { kind: 'client', id: e.client_ids.client_id, key: '' };
    } else {
      error = errors.validation(`${f}.ids`, 'value is required');
    }
    if (error) return { error };
    entity!.key = entityKey(entity!.kind, entity!.id, entity!.application);
    entities.push(entity!);
  }
  return { entities };
}

/** Expand `names` (exact or `/regex/`) into the sorted exact list, or the real 400 error. */
export function expandNames(
  patterns: unknown,
  defined: readonly string[] = FILTERABLE_NAMES,
): { names: string[] } | { error: StackError } {
  if (patterns === undefined || patterns === null) return { names: [] };
  if (!Array.isArray(patterns)) return { error: errors.validation('names', 'value must be a list') };
  const out = new Set<string>();
  for (const p of patterns) {
    const pattern = String(p);
    if (pattern.length > 2 && pattern.startsWith('/') && pattern.endsWith('/')) {
      let re: RegExp;
      try {
        re = new RegExp(pattern.slice(1, -1));
      } catch {
        return { error: errors.invalidRegexp() };
      }
      const matched = defined.filter((n) => re.test(n));
      if (matched.length === 0) return { error: errors.noMatchingEvents(pattern.slice(1, -1)) };
      matched.forEach((n) => out.add(n));
    } else {
      if (!defined.includes(pattern)) return { error: errors.unknownEventName(pattern) };
      out.add(pattern);
    }
  }
  return { names: [...out].sort() };
}

/** Parse the body; `undefined` body text decodes to an empty request, like grpc-gateway. */
export function parseBody(text: string): { request: Partial<StreamEventsRequest> } | { decodeError: string } {
  if (text.trim() === '') return { request: {} };
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      return { decodeError: 'json: cannot unmarshal into ttn.lorawan.v3.StreamEventsRequest' };
    return { request: v as Partial<StreamEventsRequest> };
  } catch (e) {
    return { decodeError: (e as Error).message };
  }
}
