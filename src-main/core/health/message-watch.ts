/**
 * The messages window on screen, pushed again when new events change it: after each batch of the
 * watched workspace (and at most every `intervalMs`), main groups the new rows and sends the same range
 * again if anything in the workspace changed. While the first grouping of a big capture runs, it goes
 * on in slices (the event loop stays free between them) and each slice pushes its progress.
 */
import type { MessagesRequest, MessagesWindow, PushSink } from '../../shared/ipc/contract.js';
import { usesFrameFacts } from '../../shared/query/query.js';
import { ok, type Result } from '../../shared/result.js';
import type { MessageService } from './message-service.js';

/**
 * Main's frame decoder as a `mic:`/`mac:` filter needs it (frame-facts.ts): a filter reads the facts
 * decoded so far; what it reached undecoded is decoded after the window is answered, and the window is
 * pushed again with the messages those frames put in or out.
 */
export interface FrameDecoding {
  takeMisses(): number[];
  ensure(ids: readonly number[]): Promise<void>;
}

export class MessageWatch {
  #request: MessagesRequest | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #disposed = false;

  constructor(
    private readonly service: MessageService,
    private readonly sink: PushSink,
    private readonly intervalMs = 100,
    private readonly frames?: FrameDecoding,
  ) {}

  #decoding = false;

  /** The window for a request; a `mic:`/`mac:` filter then decodes the frames it reached undecoded. */
  #answer(req: MessagesRequest): Result<MessagesWindow> {
    const frames = this.frames && usesFrameFacts(req.query) ? this.frames : undefined;
    frames?.takeMisses(); // what other queries asked is theirs
    const r = this.service.window(req);
    const misses = frames?.takeMisses() ?? [];
    if (frames && misses.length > 0 && !this.#decoding) {
      this.#decoding = true;
      void frames
        .ensure(misses)
        .catch(() => undefined) // an unreadable frame matches nothing; the window stays as it was
        .finally(() => {
          this.#decoding = false;
          this.service.refilter(req.workspaceId);
          this.#schedule(0);
        });
    }
    return r;
  }

  /** Watch a window (answered now) or stop (`null`). */
  watch(request: MessagesRequest | null): Result<MessagesWindow | null> {
    this.#request = request ?? undefined;
    if (!request) return ok(null);
    const r = this.#answer(request);
    if (!r.ok) {
      this.#request = undefined;
      return r;
    }
    if (r.value.building) this.#schedule(0);
    return r;
  }

  /** New entries of a workspace were pushed: push the watched window again soon if they are its. */
  onEntries(workspaceId: string): void {
    if (this.#request?.workspaceId === workspaceId) this.#schedule(this.intervalMs);
  }

  #schedule(ms: number): void {
    if (this.#timer || this.#disposed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#push();
    }, ms);
  }

  #push(): void {
    const req = this.#request;
    if (!req || this.#disposed) return;
    const r = this.#answer(req);
    if (!r.ok) return;
    this.sink.send('messages:window', r.value);
    if (r.value.building) this.#schedule(0);
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
