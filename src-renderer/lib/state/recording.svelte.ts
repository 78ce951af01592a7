/**
 * One workspace's ClickHouse recording as the window sees it: loaded once, then kept current by main's
 * `recording:state` pushes (about once a second while it records). Owned by the workspace's control.
 */
import type { RendererApi } from '../../../src-main/shared/ipc/contract';
import type { RecordingInput, RecordingView } from '../../../src-main/shared/domain/recording';

export class RecordingState {
  view = $state.raw<RecordingView | undefined>(undefined);
  /** Why the last load failed (e.g. an older main without recording). */
  problem = $state<string | undefined>(undefined);

  constructor(
    private readonly api: RendererApi,
    readonly workspaceId: string,
  ) {}

  /** Load and follow the pushes; returns the unsubscribe. */
  wire(): () => void {
    const off = this.api.onRecordingState((v) => {
      if (v.workspaceId === this.workspaceId) this.view = v;
    });
    void this.api.getRecording(this.workspaceId).then((r) => {
      if (r.ok) this.view = r.value;
      else this.problem = r.error.message;
    });
    return off;
  }

  /** Save the settings; the error's words for the form, or undefined when saved. */
  async save(input: RecordingInput): Promise<string | undefined> {
    const r = await this.api.setRecording(this.workspaceId, input);
    if (!r.ok) return r.error.message;
    this.view = r.value;
    return undefined;
  }
}
