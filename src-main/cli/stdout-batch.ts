/**
 * Stdout for commands that stream events: batched writes, and a closed pipe noticed (`| head`).
 */
import type { Io } from './context.js';

/** Batches stdout writes (one syscall per ~64 KB, not per event) and notices a closed pipe. */
export class Out {
  #parts: string[] = [];
  #bytes = 0;
  #scheduled = false;
  closed = false;

  constructor(
    private readonly stream: Io['stdout'],
    private readonly onClosed: () => void,
  ) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') {
        this.closed = true;
        this.onClosed();
      }
    });
  }

  write(text: string): void {
    if (this.closed) return;
    this.#parts.push(text);
    this.#bytes += text.length;
    if (this.#bytes >= 64 * 1024) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.#scheduled = false;
    if (this.#parts.length === 0 || this.closed) return;
    const text = this.#parts.join('');
    this.#parts = [];
    this.#bytes = 0;
    this.stream.write(text);
  }

  /** Resolves once everything written so far has left the process. */
  drain(): Promise<void> {
    this.flush();
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.stream.write('', () => resolve()));
  }
}
