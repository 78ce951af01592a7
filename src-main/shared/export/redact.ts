/**
 * Redaction of events for exports and support bundles: pure, so the preview in the renderer's dialog
 * and the file main writes come from the same code.
 *
 * Fields are matched by name anywhere in an event (the same field appears at different depths in
 * different data types). Pseudonyms come from a function the caller gives (main keys it with a
 * per-bundle secret) so the same ID always maps to the same pseudonym within one file.
 */
import { PACKET_BROKER_GATEWAY, RELAY_GATEWAY, relayDeviceOf } from '../domain/reception.js';
import { MAX_JSON_DEPTH } from '../json/bounded.js';
import { readTenantContext, writeTenantContext } from './tenant-context.js';

export interface RedactionOptions {
  /** `authentication.token_id`: which API key or token made a request; `session_key_id`: which session keys a device uses. */
  apiKeyIds: boolean;
  /**
   * `remote_ip`, gateway `ip`, `gateway_remote_address`, a Packet Broker hop's `sender_address`, a managed
   * gateway's interface `ip_addresses`.
   */
  remoteIps: boolean;
  userAgents: boolean;
  /** `frm_payload`, `decoded_payload`, `raw_payload`, `normalized_payload` and their kin. */
  payloads: boolean;
  /** `location(s)`, antenna locations, latitude/longitude. */
  locations: boolean;
  /** Device, application, gateway, organization, user and tenant IDs, EUIs and DevAddr replaced by stable pseudonyms. */
  pseudonymize: boolean;
}

export const NO_REDACTION: RedactionOptions = {
  apiKeyIds: false,
  remoteIps: false,
  userAgents: false,
  payloads: false,
  locations: false,
  pseudonymize: false,
};

/** Every rule on: what a bundle handed to a third party takes (tests and the bench export with it). */
export const FULL_REDACTION: RedactionOptions = {
  apiKeyIds: true,
  remoteIps: true,
  userAgents: true,
  payloads: true,
  locations: true,
  pseudonymize: true,
};

export type IdKind =
  'device' | 'application' | 'gateway' | 'organization' | 'user' | 'client' | 'tenant' | 'eui' | 'dev_addr';

/** Which pseudonym kind an identifier field takes. */
export const ID_FIELDS: Record<string, IdKind> = {
  device_id: 'device',
  application_id: 'application',
  gateway_id: 'gateway',
  organization_id: 'organization',
  user_id: 'user',
  client_id: 'client',
  dev_eui: 'eui',
  join_eui: 'eui',
  eui: 'eui',
  dev_addr: 'dev_addr',
  // Packet Broker's metadata of a relayed uplink names the forwarding gateway (not in any gateway_ids).
  forwarder_gateway_eui: 'eui',
  forwarder_gateway_id: 'gateway',
  // A tenant of The Things Stack Cloud is often named after the customer (`acme.eu1.cloud.thethings.industries`).
  tenant_id: 'tenant',
  home_network_tenant_id: 'tenant',
  forwarder_tenant_id: 'tenant',
};

const PAYLOAD_FIELDS = new Set([
  'frm_payload',
  'decoded_payload',
  'raw_payload',
  'normalized_payload',
  'decoded_payload_warnings',
  'uplink_message_payload',
  'payload_raw',
]);
const LOCATION_FIELDS = new Set([
  'location',
  'locations',
  'antenna_locations',
  'latitude',
  'longitude',
  'altitude',
  'gps_time',
]);
/**
 * Fields holding the address of a client, a gateway or a network's host. From lorawan-stack's API:
 * `Event.remote_ip`, `GatewayStatus.ip` and `GatewayRemoteAddress.ip` (`gateway_remote_address`),
 * `PacketBrokerRouteHop.sender_address` ("Sender IP address or host name": the forwarding network's
 * host), `ManagedGatewayNetworkInterfaceAddresses.ip_addresses` (a managed gateway's backhaul in
 * `ManagedGatewayEventData`); `remote_addr` and `peer_address` are the names other tools give a peer.
 */
const IP_FIELDS = new Set([
  'remote_ip',
  'ip',
  'gateway_remote_address',
  'remote_addr',
  'peer_address',
  'sender_address',
  'ip_addresses',
]);
/** Opaque fields that encode identifiers (the uplink token carries the gateway ID in base64). */
const ENCODED_ID_FIELDS = new Set(['uplink_token', 'downlink_path_constraint_token']);

export const REDACTED = '[redacted]';

/**
 * What a redacted copy holds instead of a container nested deeper than the app walks: the walks below
 * recurse, and a cut copy is what can be written at all (JSON.stringify recurses too). Cutting never
 * leaks: what is below is not written.
 */
export const TOO_DEEP = `[cut: nested more than ${MAX_JSON_DEPTH} levels deep]`;

export type Pseudonym = (kind: IdKind, value: string) => string;

/** What one option would change, counted while redacting (for the dialog's preview). */
export type RedactionCounts = Record<keyof RedactionOptions, number>;

export const emptyCounts = (): RedactionCounts => ({
  apiKeyIds: 0,
  remoteIps: 0,
  userAgents: 0,
  payloads: 0,
  locations: 0,
  pseudonymize: 0,
});

/** Fields whose values never hold identifiers: not worth scrubbing (times, IDs of messages, types). */
const NO_SCRUB = new Set([
  'time',
  'received_at',
  'correlation_ids',
  'unique_id',
  '@type',
  'name',
  'origin',
  'rights',
  'settings',
  'timestamp',
  'consumed_airtime',
  'uplink_token',
]);

/**
 * What redaction does to the value of `key` (inside a container that sits under `parentKey`), the one
 * rule both redactors follow: the option whose count it adds to (the value becomes `[redacted]`, each
 * element for an IP list), `'id'` (a non-empty string becomes a pseudonym, see `isPseudonymized`), or
 * `'tenant-context'` (see `redactTenantContext`), or `undefined` (walk on). Own keys only: `constructor` is not an identifier field.
 */
export function fieldRule(
  key: string,
  parentKey: string | undefined,
  options: RedactionOptions,
): keyof RedactionCounts | 'id' | 'tenant-context' | undefined {
  if (options.payloads && PAYLOAD_FIELDS.has(key)) return 'payloads';
  if (options.locations && LOCATION_FIELDS.has(key)) return 'locations';
  if (options.remoteIps && IP_FIELDS.has(key)) return 'remoteIps';
  if (options.userAgents && key === 'user_agent') return 'userAgents';
  if (
    options.apiKeyIds &&
    parentKey === 'authentication' &&
    (key === 'token_id' || key === 'api_key_id' || key === 'key_id')
  )
    return 'apiKeyIds';
  // A LoRaWAN session key ID names the device's keys in the key vault: as identifying as an API key ID.
  if (options.apiKeyIds && (key === 'session_key_id' || key === 'app_s_key_id')) return 'apiKeyIds';
  if (options.pseudonymize && ENCODED_ID_FIELDS.has(key)) return 'pseudonymize';
  if (options.pseudonymize && Object.hasOwn(ID_FIELDS, key)) return 'id';
  if (options.pseudonymize && key === 'tenant-id' && parentKey === 'context') return 'tenant-context';
  return undefined;
}

/**
 * Identifiers that name no customer, kept as they are in a redacted file: Packet Broker's pseudo-gateway
 * `packetbroker`, the gateway of every relayed reception on every network, and the Network Server's `relay`,
 * that of every uplink a LoRaWAN relay forwarded. A pseudonym for either hides nothing and costs the reader
 * (and the app, opening the file again) the fact that a reception was a relay; worse, the free-text scrubber
 * then rewrote Packet Broker's own host names (`router.eu.packetbroker.net` in a hop's `receiver_name`) and
 * the word "relay" in the server's messages into made-up ones. Kept out of the pseudonymizer's originals
 * (`makePseudonymizer`), they are never scrubbed from text either. The relay end device in a reception's
 * `relay.device_id` is a customer's device and gets its pseudonym like any `device_id`.
 *
 * Host names and URLs are otherwise scrubbed like any text, label by label: a customer's identifier as a
 * label (`https://acme-farm.example.com/up` in a webhook's error) names the customer as plainly as the
 * identifier field does, so leaving DNS names alone would leak it. A pseudonymized label keeps the
 * name's shape; that is what replacing whole identifiers means there.
 */
const KEPT_IDS: Partial<Record<IdKind, ReadonlySet<string>>> = {
  gateway: new Set([PACKET_BROKER_GATEWAY, RELAY_GATEWAY]),
  // The Things Network's own tenants (and its v2 network's, in Packet Broker metadata): public, no customer's.
  tenant: new Set(['ttn', 'ttnv2']),
};

/** Whether an identifier of this kind stays as it is (see `KEPT_IDS`): no pseudonym, no scrubbing. */
export const keepsIdentity = (kind: IdKind, value: string): boolean => KEPT_IDS[kind]?.has(value) === true;

/**
 * What a gateway an entry names (its `gatewayIds`) is, for seeding pseudonyms from the index: a LoRaWAN relay,
 * named `relay:<device_id>` there, is its relay end device, which must get the pseudonym that device's own
 * events and the receptions' `relay.device_id` get; anything else is a gateway.
 */
export function gatewayIdentity(gatewayId: string): { kind: IdKind; value: string } {
  const device = relayDeviceOf(gatewayId);
  return device ? { kind: 'device', value: device } : { kind: 'gateway', value: gatewayId };
}

/**
 * What the event's `context."tenant-id"` (base64 of a `TenantIdentifiers`, from The Things Stack Cloud and
 * Enterprise) becomes with pseudonyms: `undefined` when it stays (no tenant, or one `keepsIdentity` keeps),
 * else the same encoding naming the tenant's pseudonym, so the file stays readable and its events still
 * share one tenant. Bytes that are not a `TenantIdentifiers` become `""` (no tenant): what they name cannot
 * be told, so nothing of them is kept. The value is never scrubbed as text (that could break the base64).
 */
export function redactTenantContext(b64: string, pseudonym: Pseudonym): string | undefined {
  if (b64 === '') return undefined;
  const tenant = readTenantContext(b64);
  if (tenant === undefined) return '';
  return tenant === '' || keepsIdentity('tenant', tenant) ? undefined : writeTenantContext(pseudonym('tenant', tenant));
}

/** Whether an identifier field's string value gets a pseudonym. */
export function isPseudonymized(key: string, parentKey: string | undefined, v: string): boolean {
  const kind = Object.hasOwn(ID_FIELDS, key) ? ID_FIELDS[key] : undefined;
  if (v === '' || (kind && keepsIdentity(kind, v))) return false;
  // `eui` is a gateway EUI only inside gateway_ids; elsewhere it may be something else entirely.
  return key !== 'eui' || parentKey === 'gateway_ids' || /^[0-9A-Fa-f]{16}$/.test(v);
}

/**
 * Every key name `fieldRule`, `isPseudonymized` and `scrubbed` look at (as a key or a parent key): any
 * other key is treated alike by all three, so a redactor may skip reading it.
 */
export const RULE_KEYS: readonly string[] = [
  ...PAYLOAD_FIELDS,
  ...LOCATION_FIELDS,
  ...IP_FIELDS,
  ...ENCODED_ID_FIELDS,
  ...Object.keys(ID_FIELDS),
  ...NO_SCRUB,
  'user_agent',
  'authentication',
  'token_id',
  'api_key_id',
  'key_id',
  'session_key_id',
  'app_s_key_id',
  'gateway_ids',
  'context',
  'tenant-id',
];

/** Whether a string value that no rule replaced is scrubbed of identifiers in free text. */
export const scrubbed = (key: string | undefined, parentKey: string | undefined): boolean =>
  !(key && NO_SCRUB.has(key)) && !(parentKey && NO_SCRUB.has(parentKey));

/**
 * A redacted deep copy of `value`; the original is untouched. With `scrub`, string values that are not
 * redacted fields are passed through it in the same walk (free-text identifiers, see `scrubber`).
 */
export function redactValue(
  value: unknown,
  options: RedactionOptions,
  pseudonym: Pseudonym,
  counts: RedactionCounts = emptyCounts(),
  scrub?: (s: string) => string,
): unknown {
  const walk = (v: unknown, key: string | undefined, parentKey: string | undefined, depth: number): unknown => {
    if (key !== undefined) {
      const rule = fieldRule(key, parentKey, options);
      if (rule === 'id') {
        if (typeof v === 'string' && isPseudonymized(key, parentKey, v)) {
          counts.pseudonymize++;
          return pseudonym(ID_FIELDS[key]!, v);
        }
      } else if (rule === 'tenant-context') {
        if (typeof v === 'string') {
          const out = redactTenantContext(v, pseudonym);
          if (out !== undefined) counts.pseudonymize++;
          return out ?? v;
        }
      } else if (rule) {
        counts[rule]++;
        return rule === 'remoteIps' && Array.isArray(v) ? v.map(() => REDACTED) : REDACTED;
      }
    }
    if (typeof v === 'string') return scrub && scrubbed(key, parentKey) ? scrub(v) : v;
    if (typeof v === 'object' && v !== null && depth >= MAX_JSON_DEPTH) return TOO_DEEP;
    if (Array.isArray(v)) return v.map((x) => walk(x, undefined, key, depth + 1));
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const k in v) out[k] = walk((v as Record<string, unknown>)[k], k, key, depth + 1);
      return out;
    }
    return v;
  };
  return walk(value, undefined, undefined, 0);
}

/** A scrubber for free text: whole-token replacement of original identifiers by their pseudonyms. */
export function scrubber(originals: ReadonlyMap<string, string>): (s: string) => string {
  return (v) => {
    if (v.length < 4 || originals.size === 0) return v;
    const lower = lowerKeyed(originals);
    return v.replace(TOKEN, (tok) => lower.get(tok.toLowerCase()) ?? tok);
  };
}

/**
 * Replace, inside string values, any original identifier that survived in free text (error messages,
 * attributes). Whole tokens only (IDs and EUIs are made of letters, digits and dashes), so `app`
 * never eats into `application`; one pass per string with a map lookup per token.
 */
export function scrubStrings(value: unknown, originals: ReadonlyMap<string, string>): unknown {
  if (originals.size === 0) return value;
  const scrub = scrubber(originals);
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return scrub(v);
    if (typeof v === 'object' && v !== null && depth >= MAX_JSON_DEPTH) return TOO_DEEP;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, depth + 1);
      return out;
    }
    return v;
  };
  return walk(value, 0);
}

const TOKEN = /[A-Za-z0-9-]{4,}/g;
const lowered = new WeakMap<ReadonlyMap<string, string>, { size: number; map: Map<string, string> }>();

/** The originals keyed in lower case, rebuilt only when the map has grown. */
function lowerKeyed(originals: ReadonlyMap<string, string>): Map<string, string> {
  const cached = lowered.get(originals);
  if (cached && cached.size === originals.size) return cached.map;
  const map = new Map<string, string>();
  for (const [k, v] of originals) map.set(k.toLowerCase(), v);
  lowered.set(originals, { size: originals.size, map });
  return map;
}

export const anyRedaction = (o: RedactionOptions): boolean => Object.values(o).some(Boolean);
