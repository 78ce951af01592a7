/**
 * API keys and rights as the Identity Server checks them for event streams (PROTOCOL.md 1.3, 1.4).
 */
import type { EntityKind } from '../../shared/tts/types.js';
import { errors, type StackError } from './errors.js';
import { impliedRights } from '../../shared/tts/rights.js';

/** Rights of one key, per entity kind and ID (`*` = every entity of that kind). */
export type KeyRights = Partial<Record<EntityKind, Record<string, string[]>>>;

export interface StackKey {
  /** The full token `NNSXS.<ID>.<SECRET>`. */
  key: string;
  rights: KeyRights;
  /** The entity the key belongs to, reported by `auth_info`. */
  owner?: { kind: EntityKind; id: string };
}

export interface ParsedKey {
  id: string;
  secret: string;
}

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

/** Rights a key has on one entity; devices are judged by their application's rights. */
export function rightsOn(key: StackKey, kind: EntityKind, id: string, application?: string): Set<string> {
  const lookupKind: EntityKind = kind === 'device' ? 'application' : kind;
  const lookupId = kind === 'device' ? (application ?? '') : id;
  const table = key.rights[lookupKind];
  const direct = [...(table?.[lookupId] ?? []), ...(table?.['*'] ?? [])];
  return impliedRights(direct);
}

/** Resolve the caller's key or the error TTS answers with. */
export function authenticate(
  header: string | undefined,
  keys: ReadonlyMap<string, StackKey>,
): { key?: StackKey; error?: StackError } {
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

/** `GET /api/v3/auth_info` for an API key: its rights and the entity it belongs to. */
export function authInfo(k: StackKey): unknown {
  const rights = [...new Set(Object.values(k.rights).flatMap((t) => Object.values(t ?? {}).flat()))].sort();
  const owner = k.owner ?? { kind: 'user' as EntityKind, id: 'admin' };
  const entityIds =
    owner.kind === 'application'
      ? { application_ids: { application_id: owner.id } }
      : owner.kind === 'gateway'
        ? { gateway_ids: { gateway_id: owner.id } }
        : owner.kind === 'organization'
          ? { organization_ids: { organization_id: owner.id } }
          : { user_ids: { user_id: owner.id } };
  return {
    api_key: {
      api_key: { id: k.key.split('.')[1], rights, created_at: '2024-10-28T10:00:00Z' },
      entity_ids: entityIds,
    },
    universal_rights: [],
  };
}
