/**
 * "Check connection": ask the Identity Server who the key is (`GET /api/v3/auth_info`) and explain
 * what it will see. Reachability and TLS problems come back as errors a user can act on.
 */
import { explainRights, parseAuthInfo, type ConnectionCheck } from '../../shared/domain/auth-check.js';
import { err, ok, type Result } from '../../shared/result.js';
import { redactSecretsDeep } from '../../shared/redact.js';
import { getJson } from '../stream/http-get.js';

export interface CheckOptions {
  url: string;
  apiKey: string | undefined;
  ca?: string;
  timeoutMs?: number;
  clock?: () => number;
}

/**
 * The result quotes what the server said (its error, the names in auth_info): scrub the key from all of
 * it, by shape and the exact key, before anyone shows or logs it (#13, failure 4).
 */
export async function checkConnection(options: CheckOptions): Promise<Result<ConnectionCheck>> {
  return redactSecretsDeep(await check(options), options.apiKey ? [options.apiKey] : []);
}

async function check(options: CheckOptions): Promise<Result<ConnectionCheck>> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  const r = await getJson({
    baseUrl: options.url,
    path: '/api/v3/auth_info',
    maxBytes: 1024 * 1024,
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    ...(options.ca ? { ca: options.ca } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  // Inside Check connection, "check its rights with Check connection" helps nobody: say what a 403 here means.
  if (!r.ok && r.error.code === 'forbidden')
    return err(
      'forbidden',
      'The server refused to say who this key is (403 Forbidden on GET /api/v3/auth_info). ' +
        'Either the key may not read its own rights, or a proxy in front of the server blocks that path: ' +
        "ask whoever runs the proxy, or use the Identity Server's URL for this profile.",
      r.error.detail,
    );
  if (!r.ok) return r;
  const origin = new URL(options.url).origin;
  const auth = parseAuthInfo(r.value);
  if (auth.kind === 'none' && !options.apiKey)
    return ok({
      url: origin,
      auth,
      warnings: [{ severity: 'warning', text: 'No API key is set for this profile: set one to stream events.' }],
      ms: clock() - started,
    });
  return ok({ url: origin, auth, warnings: explainRights(auth), ms: clock() - started });
}
