/**
 * API keys live in the OS keychain, one account per profile id, and nowhere else.
 *
 * There is deliberately no plain-text fallback: when no keychain answers, callers get a
 * `keychain-unavailable` error with the remedy, and the user decides.
 */
import { err, ok, type Result } from '../../shared/result.js';

export interface SecretStore {
  get(account: string): Promise<Result<string | undefined>>;
  set(account: string, secret: string): Promise<Result<void>>;
  /** True when something was deleted. */
  delete(account: string): Promise<Result<boolean>>;
  has(account: string): Promise<Result<boolean>>;
  /**
   * Every account that holds a secret, in one call: listing profiles asks once, not once per profile
   * (#13: 2,000 profiles took 2.9 s one keychain round trip at a time).
   */
  accounts(): Promise<Result<Set<string>>>;
}

export const SECRET_SERVICE = 'event-desk';

type Keytar = typeof import('keytar');

const REMEDY: Record<string, string> = {
  linux:
    'In a desktop session: install and unlock a Secret Service keyring (GNOME Keyring or KWallet: ' +
    '`apt-get install gnome-keyring`), log in again, then restart Event Desk. On a machine without a desktop ' +
    'session: start it inside a throwaway keyring, `bash scripts/with-keyring.sh npm run harness` ' +
    '(keys last as long as that process).',
  darwin: 'Unlock the login keychain in Keychain Access, then try again.',
  win32: 'Check that Windows Credential Manager is available for your account, then try again.',
};

/** The keychain error in words, without the secret (keytar errors never contain it, but be sure). */
export function keychainError(
  e: unknown,
  platform: string,
  secret?: string,
): { ok: false; error: import('../../shared/result.js').AppError } {
  let detail = e instanceof Error ? e.message : String(e);
  if (secret) detail = detail.split(secret).join('[redacted]');
  return err(
    'keychain-unavailable',
    `The OS keychain is not available, so the API key cannot be stored or read. ${REMEDY[platform] ?? REMEDY.linux!}`,
    detail,
  );
}

/** `keytar`, loaded on first use so a missing native module is an error value, not a crash at start. */
export class KeytarSecretStore implements SecretStore {
  #keytar: Promise<Keytar> | undefined;

  constructor(
    private readonly service: string = SECRET_SERVICE,
    private readonly platform: string = process.platform,
    private readonly load: () => Promise<Keytar> = async () => {
      const m = (await import('keytar')) as Keytar & { default?: Keytar };
      return m.default ?? m;
    },
  ) {}

  async #run<T>(fn: (k: Keytar) => Promise<T>, secret?: string): Promise<Result<T>> {
    let keytar: Keytar;
    try {
      this.#keytar ??= this.load();
      keytar = await this.#keytar;
    } catch (e) {
      this.#keytar = undefined; // try loading again next time (e.g. after installing libsecret)
      return keychainError(e, this.platform, secret);
    }
    try {
      return ok(await fn(keytar));
    } catch (e) {
      return keychainError(e, this.platform, secret);
    }
  }

  async get(account: string): Promise<Result<string | undefined>> {
    return this.#run(async (k) => (await k.getPassword(this.service, account)) ?? undefined);
  }

  async set(account: string, secret: string): Promise<Result<void>> {
    return this.#run((k) => k.setPassword(this.service, account, secret), secret);
  }

  async delete(account: string): Promise<Result<boolean>> {
    return this.#run((k) => k.deletePassword(this.service, account));
  }

  async has(account: string): Promise<Result<boolean>> {
    const r = await this.get(account);
    return r.ok ? ok(r.value !== undefined) : r;
  }

  async accounts(): Promise<Result<Set<string>>> {
    // keytar has no list of names alone: findCredentials returns the secrets too, which stay here.
    return this.#run(async (k) => new Set((await k.findCredentials(this.service)).map((c) => c.account)));
  }
}
