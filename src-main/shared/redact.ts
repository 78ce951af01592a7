/**
 * Secrets must never reach logs, errors or exports. This scrubs the shapes a key takes in text:
 * `Authorization: Bearer …` and the TTS token formats (`NNSXS.<id>.<secret>` and friends).
 */
const TOKEN = /\b(NNSXS|MFRWG|ONZW4|OJSWM|MF2XI)\.[A-Z0-9]{8,}\.[A-Z0-9]{8,}\b/g;
const BEARER = /(authorization["']?\s*[:=]\s*["']?\s*bearer\s+)[^\s"',;]+/gi;
const BEARER_ALONE = /\b(bearer\s+)[A-Za-z0-9._~+/=-]{16,}/gi;

export function redactSecrets(text: string, extra: readonly string[] = []): string {
  let out = text.replace(TOKEN, (_m, kind: string) => `${kind}.[redacted]`).replace(BEARER, '$1[redacted]').replace(BEARER_ALONE, '$1[redacted]');
  for (const s of extra) if (s.length >= 8) out = out.split(s).join('[redacted]');
  return out;
}
