/**
 * Server profiles: the model main persists and the validation both the form and main apply.
 *
 * Keys are never part of a profile; the renderer only learns whether one is set (`hasKey`).
 */

/** The stack components a split deployment may serve from different URLs (like ttn-lw-cli's config). */
export const COMPONENTS = ['is', 'gs', 'ns', 'as', 'js'] as const;
export type Component = (typeof COMPONENTS)[number];
export const COMPONENT_LABELS: Record<Component, string> = {
  is: 'Identity Server',
  gs: 'Gateway Server',
  ns: 'Network Server',
  as: 'Application Server',
  js: 'Join Server',
};

/** What the user edits. */
export interface ProfileInput {
  name: string;
  baseUrl: string;
  /** Per-component URLs for split deployments; empty = the base URL serves everything. */
  components?: Partial<Record<Component, string>>;
  /** PEM CA certificate(s) for a private deployment's TLS. Public data, so it lives in the profile file. */
  caPem?: string;
  color: string;
  notes?: string;
}

/** A stored profile. */
export interface Profile extends ProfileInput {
  id: string;
  /** The built-in demo stack that main starts on 127.0.0.1 on demand. */
  isDemo: boolean;
}

/** What the renderer sees of a profile. */
export interface ProfileSummary extends Profile {
  /** Whether the keychain holds a key for this profile (the key itself never leaves main). */
  hasKey: boolean;
}

/** What the renderer gets for the profiles panel. */
export interface ProfilesView {
  profiles: ProfileSummary[];
  /** A problem reading the profiles file (kept aside) or reaching the keychain, in words. */
  problem?: string;
}

/** Static facts about the running app. */
export interface AppInfo {
  version: string;
  platform: string;
  /** `electron` in the desktop app, `harness` when the core is driven over a loopback WebSocket. */
  host: 'electron' | 'harness';
}

export type ProfileField = 'name' | 'baseUrl' | 'caPem' | 'color' | 'notes' | `components.${Component}`;
export type ProfileErrors = Partial<Record<ProfileField, string>>;

/** A profiles export is small (a CA chain is at most 256 KB a profile): anything bigger is another file. */
export const PROFILES_FILE_MAX_BYTES = 5 * 1024 * 1024;
export const PROFILES_FILE_TOO_BIG = 'The file is larger than 5 MB: this is not a profiles export.';

export const PROFILE_COLORS = ['#0b8a6f', '#1f6feb', '#8250df', '#bf3989', '#d1242f', '#bc4c00', '#9a6700', '#57606a'];

/** Shared code runs in Node and in the renderer without either's typings, so URLs are checked by shape. */
const URL_SHAPE = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/i;

function urlProblem(value: string, what: string): string | undefined {
  const m = URL_SHAPE.exec(value);
  if (!m) return `${what} is not a URL. Use the stack's address, e.g. https://eu1.cloud.thethings.network`;
  const [, scheme, authority, , query, fragment] = m;
  if (scheme!.toLowerCase() !== 'https' && scheme!.toLowerCase() !== 'http')
    return `${what} must start with https:// or http://`;
  if (authority!.includes('@')) return `${what} must not contain a user name or password; set the API key instead.`;
  if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i.test(authority!)) return `${what} has no valid host name.`;
  if (query || fragment) return `${what} must not contain a query or fragment.`;
  return undefined;
}

/**
 * A URL typed without a scheme gets one: `eu1.cloud.thethings.network` → `https://…` (a loopback
 * address, where the stack usually runs without TLS, gets `http://`). Anything with a scheme is kept.
 */
export function withScheme(value: string): string {
  const v = value.trim();
  if (!v || /^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return v;
  if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?(\/|$)/i.test(v)) return v;
  return `${/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:|\/|$)/i.test(v) ? 'http' : 'https'}://${v}`;
}

/** Field-level problems with a profile, in words for the form; empty when valid. */
export function validateProfile(input: ProfileInput): ProfileErrors {
  const errors: ProfileErrors = {};
  const name = input.name.trim();
  if (!name) errors.name = 'Give the profile a name, e.g. "TTN EU1" or "Customer X on-prem".';
  else if (name.length > 80) errors.name = 'Keep the name under 80 characters.';
  const base = withScheme(input.baseUrl);
  if (!base) errors.baseUrl = 'The base URL is required, e.g. https://eu1.cloud.thethings.network';
  else {
    const p = urlProblem(base, 'The base URL');
    if (p) errors.baseUrl = p;
  }
  for (const c of COMPONENTS) {
    const v = withScheme(input.components?.[c] ?? '');
    if (!v) continue;
    const p = urlProblem(v, `The ${COMPONENT_LABELS[c]} URL`);
    if (p) errors[`components.${c}`] = p;
  }
  const ca = input.caPem?.trim();
  if (ca) {
    if (ca.length > 256 * 1024) errors.caPem = 'The CA certificate is larger than 256 KB; paste only the CA chain.';
    else if (!/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(ca))
      errors.caPem = 'Paste a PEM certificate: it starts with -----BEGIN CERTIFICATE-----.';
  }
  if (!/^#[0-9a-fA-F]{6}$/.test(input.color)) errors.color = 'Pick a colour.';
  if ((input.notes ?? '').length > 4000) errors.notes = 'Keep notes under 4000 characters.';
  return errors;
}

/** The input with whitespace trimmed and empty optional fields removed. */
export function normalizeProfile(input: ProfileInput): ProfileInput {
  const components: Partial<Record<Component, string>> = {};
  for (const c of COMPONENTS) {
    const v = withScheme(input.components?.[c] ?? '');
    if (v) components[c] = v.replace(/\/+$/, '');
  }
  const out: ProfileInput = {
    name: input.name.trim(),
    baseUrl: withScheme(input.baseUrl).replace(/\/+$/, ''),
    color: input.color.toLowerCase(),
  };
  if (Object.keys(components).length) out.components = components;
  if (input.caPem?.trim()) out.caPem = input.caPem.trim() + '\n';
  if (input.notes?.trim()) out.notes = input.notes.trim();
  return out;
}

/** The distinct URLs a stream on this profile subscribes to (one per component URL, like the CLI). */
export function streamUrls(p: Pick<ProfileInput, 'baseUrl' | 'components'>): string[] {
  const urls = new Set<string>();
  const c = p.components ?? {};
  const hasSplit = COMPONENTS.some((k) => c[k]);
  if (!hasSplit) return [p.baseUrl];
  for (const k of COMPONENTS) urls.add(c[k] ?? p.baseUrl);
  return [...urls];
}

/** The URL that answers `auth_info` (the Identity Server). */
export const identityUrl = (p: Pick<ProfileInput, 'baseUrl' | 'components'>): string => p.components?.is ?? p.baseUrl;
