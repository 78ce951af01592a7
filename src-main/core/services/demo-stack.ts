/**
 * The Demo stack profile's server: the built-in stack, started on 127.0.0.1 the first time a stream uses it.
 */
import { startStack, type StackHandle } from '../stack/server.js';

export const DEMO_PROFILE_ID = 'demo';

export class DemoStack {
  #stack: Promise<StackHandle> | undefined;

  constructor(private readonly options: { rate?: number; seed?: number } = {}) {}

  /** URL and key of the running demo stack (starting it if needed). */
  async endpoint(): Promise<{ baseUrl: string; apiKey: string }> {
    this.#stack ??= startStack({ rate: this.options.rate ?? 4, seed: this.options.seed ?? 1, store: { enabled: true }, scenario: { devices: 6, gateways: 3 } });
    const stack = await this.#stack;
    return { baseUrl: stack.url, apiKey: stack.demoKey };
  }

  async dispose(): Promise<void> {
    const s = this.#stack;
    this.#stack = undefined;
    if (s) await (await s).close();
  }
}
