/**
 * What an API key will and will not see, from `GET /api/v3/auth_info` and the event catalogue.
 *
 * Pure: main fetches, this explains. The words are for a support engineer who wonders why a list is empty.
 */
import { EVENT_CATALOG } from '../tts/event-catalog.js';
import { impliedRights } from '../tts/rights.js';
import type { EntityKind } from '../tts/types.js';

export interface AuthSummary {
  /** `api-key` for `NNSXS.` keys; `oauth` / `session` for user tokens; `none` when the server saw no credentials. */
  kind: 'api-key' | 'oauth' | 'session' | 'gateway-token' | 'none';
  /** The entity the key belongs to (API keys) or the user (tokens). */
  entity?: { kind: EntityKind; id: string };
  keyId?: string;
  rights: string[];
  universalRights: string[];
  isAdmin: boolean;
}

export interface CheckWarning {
  severity: 'warning' | 'info';
  text: string;
}

export interface ConnectionCheck {
  url: string;
  auth: AuthSummary;
  warnings: CheckWarning[];
  /** Milliseconds the round trip took. */
  ms: number;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function entityOf(ids: Json | undefined): AuthSummary['entity'] {
  if (!ids) return undefined;
  const pairs: [string, EntityKind, string][] = [
    ['application_ids', 'application', 'application_id'],
    ['gateway_ids', 'gateway', 'gateway_id'],
    ['organization_ids', 'organization', 'organization_id'],
    ['user_ids', 'user', 'user_id'],
    ['client_ids', 'client', 'client_id'],
  ];
  for (const [field, kind, idField] of pairs) {
    const inner = obj(ids[field]);
    if (inner && typeof inner[idField] === 'string') return { kind, id: inner[idField] };
  }
  return undefined;
}

/** Read an `AuthInfoResponse` body into a summary; tolerant of fields we do not know. */
export function parseAuthInfo(body: unknown): AuthSummary {
  const b = obj(body) ?? {};
  const universalRights = strings(b.universal_rights);
  const isAdmin = b.is_admin === true;
  const apiKey = obj(b.api_key);
  if (apiKey) {
    const key = obj(apiKey.api_key) ?? {};
    const entity = entityOf(obj(apiKey.entity_ids));
    return {
      kind: 'api-key',
      ...(entity ? { entity } : {}),
      ...(typeof key.id === 'string' ? { keyId: key.id } : {}),
      rights: strings(key.rights),
      universalRights,
      isAdmin,
    };
  }
  const oauth = obj(b.oauth_access_token);
  if (oauth) {
    const user = obj(oauth.user_ids);
    return {
      kind: 'oauth',
      ...(user && typeof user.user_id === 'string' ? { entity: { kind: 'user' as const, id: user.user_id } } : {}),
      rights: strings(oauth.rights),
      universalRights,
      isAdmin,
    };
  }
  const session = obj(b.user_session);
  if (session) {
    const user = obj(session.user_ids);
    return {
      kind: 'session',
      ...(user && typeof user.user_id === 'string' ? { entity: { kind: 'user' as const, id: user.user_id } } : {}),
      rights: universalRights,
      universalRights,
      isAdmin,
    };
  }
  const gtw = obj(b.gateway_token);
  if (gtw) {
    const ids = obj(gtw.gateway_ids);
    return {
      kind: 'gateway-token',
      ...(ids && typeof ids.gateway_id === 'string'
        ? { entity: { kind: 'gateway' as const, id: ids.gateway_id } }
        : {}),
      rights: strings(gtw.rights),
      universalRights,
      isAdmin,
    };
  }
  return { kind: 'none', rights: [], universalRights, isAdmin };
}

/** Event families a user thinks in, matched against the catalogue to find which rights they need. */
const FAMILIES: { label: string; match: (name: string) => boolean; scope: 'application' | 'gateway' | 'any' }[] = [
  {
    label: 'uplinks, downlinks and joins (ns.*, as.up.*, as.down.*, js.*)',
    match: (n) => /^(ns\.(up|down|mac|rx|tx)|as\.(up|down)|js\.join)\./.test(n),
    scope: 'application',
  },
  { label: 'device registry changes (end_device.*)', match: (n) => n.startsWith('end_device.'), scope: 'application' },
  {
    label: 'application changes (application.*)',
    match: (n) => /^application\.(create|update|delete|restore|purge)$/.test(n),
    scope: 'application',
  },
  {
    label: 'gateway traffic (gs.up.*, gs.down.*, gs.txack.*)',
    match: (n) => /^gs\.(up|down|txack)\./.test(n),
    scope: 'gateway',
  },
  { label: 'gateway status messages (gs.status.*)', match: (n) => n.startsWith('gs.status.'), scope: 'gateway' },
  {
    label: 'gateway connects and disconnects (gs.gateway.*)',
    match: (n) => n.startsWith('gs.gateway.'),
    scope: 'gateway',
  },
  {
    label: 'gateway changes (gateway.*)',
    match: (n) => /^gateway\.(create|update|delete|restore|purge)$/.test(n),
    scope: 'gateway',
  },
];

const shortRight = (r: string) => r.replace(/^RIGHT_/, '');

/** Plain-words warnings: which event families the key will never see, and what streams cannot carry. */
export function explainRights(auth: AuthSummary): CheckWarning[] {
  if (auth.kind === 'none')
    return [
      { severity: 'warning', text: 'The server did not recognise any credentials. Set an API key for this profile.' },
    ];
  const rights = impliedRights([...auth.rights, ...auth.universalRights]);
  if (auth.isAdmin) rights.add('RIGHT_ALL');
  if (rights.size === 0)
    return [
      {
        severity: 'warning',
        text:
          'This key has no rights at all: every stream will be refused or empty. ' +
          'Create a key with at least "read application traffic" or "read gateway traffic".',
      },
    ];
  const ownerKind = auth.kind === 'api-key' ? auth.entity?.kind : undefined;
  const warnings: CheckWarning[] = [];
  for (const family of FAMILIES) {
    // An application key cannot be given gateway rights (and vice versa): say so once, not per right.
    if (ownerKind === 'application' && family.scope === 'gateway') continue;
    if (ownerKind === 'gateway' && family.scope === 'application') continue;
    const needed = new Set<string>();
    for (const [name, , r] of EVENT_CATALOG) if (family.match(name)) r.forEach((x) => needed.add(x));
    if (needed.size === 0 || [...needed].some((r) => rights.has(r))) continue;
    warnings.push({
      severity: 'warning',
      text: `No ${family.label}: the key lacks ${[...needed].map(shortRight).sort().join(' or ')}.`,
    });
  }
  if (ownerKind === 'application')
    warnings.push({
      severity: 'info',
      text: `This is an application key: it sees no gateway events. Use a gateway or user key with gateway rights to watch gateways.`,
    });
  if (ownerKind === 'gateway')
    warnings.push({
      severity: 'info',
      text: `This is a gateway key: it sees only gateway events, no application or device events.`,
    });
  const deviceNames = EVENT_CATALOG.filter(([n]) => /^(ns|as|js)\./.test(n));
  const propagated = deviceNames.filter((r) => r[3] === 1).length;
  if (ownerKind !== 'gateway' && rights.has('RIGHT_APPLICATION_TRAFFIC_READ')) {
    warnings.push({
      severity: 'info',
      text:
        `Application streams carry only the device events that propagate to applications (${propagated} of ` +
        `${deviceNames.length} ns/as/js names; most network-server MAC and uplink-processing events do not). ` +
        'Subscribe to the device to see them.',
    });
  }
  return warnings;
}
