/** Read what a capture index holds, for assertions (the app asks by page; tests want everything). */
import type { CaptureIndex } from '../../src-main/core/capture/capture-index.js';
import type { EventSummary } from '../../src-main/shared/domain/summary.js';

/** Every entry of a workspace, capture by capture in file order. */
export function entriesOf(index: CaptureIndex, workspaceId: string): EventSummary[] {
  const out: EventSummary[] = [];
  index.scan(workspaceId, (v) => out.push(index.get(v.id)!));
  return out;
}

/** Every entry one stream (or import) captured. */
export function entriesOfStream(index: CaptureIndex, workspaceId: string, streamId: string): EventSummary[] {
  return entriesOf(index, workspaceId).filter((s) => s.streamId === streamId);
}

/** The capture files of a workspace, oldest segment first per stream. */
export function filesOf(index: CaptureIndex, workspaceId: string): string[] {
  return index.segmentsOf(workspaceId).map((s) => s.file!.path);
}

/** Raw text of every entry of one stream, in file order. */
export async function rawOfStream(
  index: CaptureIndex,
  workspaceId: string,
  streamId: string,
): Promise<{ summary: EventSummary; raw: string }[]> {
  const out: { summary: EventSummary; raw: string }[] = [];
  for await (const e of index.entries(workspaceId, (s) => s.streamId === streamId)) out.push(e);
  return out;
}
