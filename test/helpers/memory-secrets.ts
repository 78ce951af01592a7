/** A SecretStore in memory, for tests that need a key but are not about the keychain. */
import { ok, type Result } from '../../src-main/shared/result.js';
import type { SecretStore } from '../../src-main/core/secrets/secret-store.js';

export class MemorySecretStore implements SecretStore {
  readonly secrets = new Map<string, string>();
  /** How often each operation was asked, to check the keychain is not asked once per profile. */
  readonly calls = { get: 0, set: 0, delete: 0, has: 0, accounts: 0 };
  async get(account: string): Promise<Result<string | undefined>> {
    this.calls.get++;
    return ok(this.secrets.get(account));
  }
  async set(account: string, secret: string): Promise<Result<void>> {
    this.calls.set++;
    this.secrets.set(account, secret);
    return ok(undefined);
  }
  async delete(account: string): Promise<Result<boolean>> {
    this.calls.delete++;
    return ok(this.secrets.delete(account));
  }
  async has(account: string): Promise<Result<boolean>> {
    this.calls.has++;
    return ok(this.secrets.has(account));
  }
  async accounts(): Promise<Result<Set<string>>> {
    this.calls.accounts++;
    return ok(new Set(this.secrets.keys()));
  }
}
