/**
 * The rows the messages view shows, from main (#17): the view says which range of the workspace's
 * messages it needs (through the filter, newest first or not, with the expanded message), main answers
 * with those rows laid out and pushes them again as new events change them. The renderer never groups
 * events itself, so the view costs the rows on screen whatever the rate or the size of the capture.
 */
import type { MessagesRequest, MessagesWindow, RendererApi } from '../../../src-main/shared/ipc/contract';

const same = (a: MessagesRequest | undefined, b: MessagesRequest): boolean =>
  !!a &&
  a.workspaceId === b.workspaceId &&
  a.query === b.query &&
  a.newestFirst === b.newestFirst &&
  a.start === b.start &&
  a.count === b.count &&
  a.expanded === b.expanded;

/** Whether a window answers a request's question (the same list; its range may differ). */
const answers = (w: MessagesWindow, r: MessagesRequest | undefined): boolean =>
  !!r && w.workspaceId === r.workspaceId && w.query === r.query && w.newestFirst === r.newestFirst;

export class MessagesWindowState {
  current = $state.raw<MessagesWindow | undefined>(undefined);
  error = $state<string | undefined>(undefined);
  /** While set, pushes are not applied (the workspace is paused: the view holds still). */
  frozen = false;
  #request: MessagesRequest | undefined;

  constructor(private readonly api: RendererApi) {}

  /** Listen to main's pushes; returns the stop (which also ends the watch in main). */
  follow(): () => void {
    const off = this.api.onMessagesWindow((w) => {
      if (!this.frozen && answers(w, this.#request)) this.current = w;
    });
    return () => {
      off();
      this.#request = undefined;
      void this.api.watchMessages(null);
    };
  }

  /** Ask for a range (a repeat of the last request is not sent again). */
  request(req: MessagesRequest): void {
    if (same(this.#request, req)) return;
    this.#request = req;
    void this.api.watchMessages(req).then((r) => {
      if (this.#request !== req) return;
      if (!r.ok) {
        this.error = r.error.message;
        return;
      }
      this.error = undefined;
      if (r.value) this.current = r.value;
    });
  }
}
