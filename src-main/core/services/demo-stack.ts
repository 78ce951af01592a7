/**
 * The Demo stack profile's server: the built-in stack, started on 127.0.0.1 the first time a stream uses it,
 * accepting the key the profile keeps in the keychain like any other.
 */
import { startStack, type StackHandle } from '../stack/server.js';

export class DemoStack {
  #stack: Promise<StackHandle> | undefined;
  #key: string | undefined;

  constructor(private readonly options: { rate?: number; seed?: number } = {}) {}

  /** URL of the running demo stack (starting it if needed) that accepts `apiKey`. */
  async url(apiKey: string): Promise<string> {
    if (this.#stack && this.#key !== apiKey) {
      // The key was replaced in the keychain: the stack learns the new one, the old one stops working.
      const s = await this.#stack;
      s.addKey({ key: apiKey, rights: FULL_RIGHTS, owner: { kind: 'user', id: 'admin' } });
      if (this.#key) s.revokeKey(this.#key);
      this.#key = apiKey;
    }
    this.#key = apiKey;
    this.#stack ??= startStack({
      rate: this.options.rate ?? 4,
      seed: this.options.seed ?? 1,
      store: { enabled: true },
      scenario: { devices: 6, gateways: 3 },
      demoKey: apiKey,
    });
    return (await this.#stack).url;
  }

  async dispose(): Promise<void> {
    const s = this.#stack;
    this.#stack = undefined;
    if (s) await (await s).close();
  }
}

const FULL_RIGHTS = {
  application: { '*': ['RIGHT_APPLICATION_ALL'] },
  gateway: { '*': ['RIGHT_GATEWAY_ALL'] },
  organization: { '*': ['RIGHT_ORGANIZATION_ALL'] },
  user: { '*': ['RIGHT_USER_ALL'] },
};
