/** Reopen one capture file through the app's CaptureIndex, as a restart does, for file-level tests. */
import path from 'node:path';
import { CaptureIndex } from '../../src-main/core/capture/capture-index.js';

export const WORKSPACE = 'w';

/** The index holding `file` as stream `s1` of workspace `w`, and what reopening it reported. */
export async function reopenFile(file: string): Promise<{ index: CaptureIndex; entries: number; tornBytes: number }> {
  const index = new CaptureIndex({ dir: path.dirname(file) });
  const r = await index.reopen({
    streamId: 's1',
    workspaceId: WORKSPACE,
    kind: 'stream',
    meta: {},
    segments: [path.basename(file)],
  });
  if (!r.ok) throw new Error(r.error.message);
  return { index, entries: r.value.entries, tornBytes: r.value.tornBytes };
}
