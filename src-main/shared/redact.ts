/**
 * Secrets must never reach logs, errors or exports. This scrubs the shapes a key takes in text:
 * `Authorization: Bearer …` and the TTS token formats (`NNSXS.<id>.<secret>` and friends).
 */
// API keys are `NNSXS.<39 base32>.<52 base32>`; session and OAuth tokens share the shape. Any case: a
// server or proxy may lower-case what it echoes.
const TOKEN = /\b(NNSXS|MFRWG|ONZW4|OJSWM|MF2XI)\.[A-Z0-9]{8,}\.[A-Z0-9]{8,}\b/gi;
const BEARER = /(authorization["']?\s*[:=]\s*["']?\s*bearer\s+)[^\s"',;]+/gi;
const BEARER_ALONE = /\b(bearer\s+)[A-Za-z0-9._~+/=-]{16,}/gi;

export function redactSecrets(text: string, extra: readonly string[] = []): string {
  let out = text
    .replace(TOKEN, (_m, kind: string) => `${kind}.[redacted]`)
    .replace(BEARER, '$1[redacted]')
    .replace(BEARER_ALONE, '$1[redacted]');
  for (const s of extra) if (s.length >= 8) out = out.split(s).join('[redacted]');
  return out;
}

/**
 * Every string inside a value passed through `redactSecrets`, for results built from what a server said
 * (a Check connection result, a manifest). Depth-bounded: these values are small and made by us.
 */
export function redactSecretsDeep<T>(value: T, extra: readonly string[] = []): T {
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return redactSecrets(v, extra);
    if (typeof v !== 'object' || v === null || depth > 32) return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x, depth + 1);
    return out;
  };
  return walk(value, 0) as T;
}
