/**
 * The tenant in an event's `context`. The Things Stack Cloud and Enterprise put it there as
 * `"tenant-id"`: the base64 of the protobuf `TenantIdentifiers` (`CgN0dG4=` is `{tenant_id: "ttn"}`),
 * and a Cloud tenant is often named after the customer, so it is redacted with the other tenant fields.
 *
 * Redacted, it stays what it was: base64 of a `TenantIdentifiers`, now naming the tenant's pseudonym
 * (the same one `network_ids.tenant_id` gets in the file). Removing the key would also hide the name,
 * but a reader of the bundle (the app, ttn-lw-cli's decoder, a support engineer's script) would lose
 * the fact that the events share one tenant, and the byte-level redactor replaces values, never keys.
 */
/** Padded standard base64, as the server's JSON writes bytes; `atob` alone would also take other spellings. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Field 1 (`tenant_id`), length-delimited: the only field of `TenantIdentifiers`. */
const TENANT_ID_TAG = 0x0a;

// Node and every browser have both; the shared code's TypeScript lib (no DOM, no Node) does not declare them.
const { atob, btoa } = globalThis as unknown as { atob(s: string): string; btoa(s: string): string };

const fromBase64 = (b64: string): number[] | undefined =>
  BASE64.test(b64) ? Array.from(atob(b64), (c) => c.charCodeAt(0)) : undefined;

const toBase64 = (bytes: readonly number[]): string => btoa(String.fromCharCode(...bytes));

/** The tenant ID a `TenantIdentifiers` message holds, or undefined when the bytes are not one. */
function tenantOf(bytes: readonly number[]): string | undefined {
  if (bytes[0] !== TENANT_ID_TAG) return undefined;
  let length = 0;
  let pos = 1;
  for (let shift = 0; shift < 35; shift += 7) {
    const b = bytes[pos++];
    if (b === undefined) return undefined;
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (pos + length !== bytes.length) return undefined;
  const id = bytes.slice(pos);
  // Tenant IDs are lower-case letters, digits and dashes: anything else is not a tenant we can name.
  return id.every((b) => (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2d)
    ? String.fromCharCode(...id)
    : undefined;
}

/** The tenant a `context."tenant-id"` value names (`""` for none), or undefined when it is not a `TenantIdentifiers`. */
export function readTenantContext(b64: string): string | undefined {
  const bytes = fromBase64(b64);
  return bytes && (bytes.length === 0 ? '' : tenantOf(bytes));
}

/** A `context."tenant-id"` value naming `tenant`. */
export function writeTenantContext(tenant: string): string {
  const id = [...tenant].map((c) => c.charCodeAt(0) & 0xff);
  const length: number[] = [];
  for (let n = id.length; n >= 0x80; n >>>= 7) length.push((n & 0x7f) | 0x80);
  length.push(id.length >>> (7 * length.length));
  return toBase64([TENANT_ID_TAG, ...length, ...id]);
}
