/**
 * API keys and rights as the Identity Server checks them for event streams (PROTOCOL.md 1.3, 1.4).
 */
import type { EntityKind } from '../../shared/tts/types.js';
import { errors, type StackError } from './errors.js';

/** Rights of one key, per entity kind and ID (`*` = every entity of that kind). */
export type KeyRights = Partial<Record<EntityKind, Record<string, string[]>>>;

export interface StackKey {
  /** The full token `NNSXS.<ID>.<SECRET>`. */
  key: string;
  rights: KeyRights;
  /** The entity the key belongs to, reported by `auth_info`. */
  owner?: { kind: EntityKind; id: string };
}

export interface ParsedKey { id: string; secret: string }

const TOKEN_TYPES = new Set(['NNSXS', 'MFRWG', 'ONZW4', 'OJSWM', 'MF2XI']);

/** Split `Authorization` as TTS does; `undefined` means "no auth" (which ends in a 403). */
export function parseAuthorization(header: string | undefined): { token: string } | { error: StackError } | undefined {
  if (!header) return undefined;
  const space = header.indexOf(' ');
  if (space < 0) return undefined;
  const scheme = header.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') return { error: errors.unsupportedAuthorization() };
  return { token: header.slice(space + 1).trim() };
}

export function parseToken(token: string): ParsedKey | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !TOKEN_TYPES.has(parts[0]!) || !parts[1] || !parts[2]) return undefined;
  return { id: parts[1], secret: parts[2] };
}

const APPLICATION_ALL = [
  'RIGHT_APPLICATION_INFO', 'RIGHT_APPLICATION_SETTINGS_BASIC', 'RIGHT_APPLICATION_SETTINGS_API_KEYS', 'RIGHT_APPLICATION_SETTINGS_COLLABORATORS',
  'RIGHT_APPLICATION_SETTINGS_PACKAGES', 'RIGHT_APPLICATION_DELETE', 'RIGHT_APPLICATION_PURGE', 'RIGHT_APPLICATION_DEVICES_READ', 'RIGHT_APPLICATION_DEVICES_WRITE',
  'RIGHT_APPLICATION_DEVICES_READ_KEYS', 'RIGHT_APPLICATION_DEVICES_WRITE_KEYS', 'RIGHT_APPLICATION_TRAFFIC_READ', 'RIGHT_APPLICATION_TRAFFIC_UP_WRITE',
  'RIGHT_APPLICATION_TRAFFIC_DOWN_WRITE', 'RIGHT_APPLICATION_LINK',
];
const GATEWAY_ALL = [
  'RIGHT_GATEWAY_INFO', 'RIGHT_GATEWAY_SETTINGS_BASIC', 'RIGHT_GATEWAY_SETTINGS_API_KEYS', 'RIGHT_GATEWAY_SETTINGS_COLLABORATORS', 'RIGHT_GATEWAY_DELETE',
  'RIGHT_GATEWAY_PURGE', 'RIGHT_GATEWAY_TRAFFIC_READ', 'RIGHT_GATEWAY_TRAFFIC_DOWN_WRITE', 'RIGHT_GATEWAY_LINK', 'RIGHT_GATEWAY_STATUS_READ',
  'RIGHT_GATEWAY_LOCATION_READ', 'RIGHT_GATEWAY_WRITE_SECRETS', 'RIGHT_GATEWAY_READ_SECRETS',
];

/** Expand `*_ALL`, `*_LINK` and `RIGHT_ALL` into the rights they imply (pkg/ttnpb/rights.go). */
export function impliedRights(rights: readonly string[]): Set<string> {
  const out = new Set(rights);
  const has = (r: string) => out.has(r) || out.has('RIGHT_ALL');
  if (has('RIGHT_APPLICATION_ALL')) APPLICATION_ALL.forEach((r) => out.add(r));
  if (has('RIGHT_APPLICATION_LINK')) ['RIGHT_APPLICATION_INFO', 'RIGHT_APPLICATION_TRAFFIC_READ', 'RIGHT_APPLICATION_TRAFFIC_DOWN_WRITE'].forEach((r) => out.add(r));
  if (has('RIGHT_GATEWAY_ALL')) GATEWAY_ALL.forEach((r) => out.add(r));
  if (has('RIGHT_GATEWAY_LINK') || out.has('RIGHT_GATEWAY_ALL')) out.add('RIGHT_GATEWAY_INFO');
  return out;
}

/** Rights a key has on one entity; devices are judged by their application's rights. */
export function rightsOn(key: StackKey, kind: EntityKind, id: string, application?: string): Set<string> {
  const lookupKind: EntityKind = kind === 'device' ? 'application' : kind;
  const lookupId = kind === 'device' ? (application ?? '') : id;
  const table = key.rights[lookupKind];
  const direct = [...(table?.[lookupId] ?? []), ...(table?.['*'] ?? [])];
  return impliedRights(direct);
}

/** Resolve the caller's key or the error TTS answers with. */
export function authenticate(header: string | undefined, keys: ReadonlyMap<string, StackKey>): { key?: StackKey; error?: StackError } {
  const parsed = parseAuthorization(header);
  if (parsed === undefined) return {};
  if ('error' in parsed) return { error: parsed.error };
  const token = parseToken(parsed.token);
  if (!token) return { error: errors.token() };
  const key = keys.get(token.id);
  if (!key) return { error: errors.apiKeyNotFound() };
  if (key.key !== parsed.token) return { error: errors.invalidAuthorization() };
  return { key };
}
