/**
 * A sleep that can be cut short: the sink's and the recorder's loops wait between polls and retries, and
 * new data (`notify`) or `close` wakes them at once instead of after the rest of the wait.
 */
export class Nap {
  #wake: (() => void) | undefined;

  /** Resolves after `ms`, or as soon as `wake` is called. */
  async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.#wake = done;
    });
    this.#wake = undefined;
  }

  /** End the sleep in progress, if there is one. */
  wake(): void {
    this.#wake?.();
  }
}
