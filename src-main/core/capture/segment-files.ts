/**
 * A capture's segment files in the index's directory: each new one created (named by when it was made,
 * its stream and its number, readable by the user only), and the ones retention removed deleted.
 */
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { err, ok, type Result } from '../../shared/result.js';
import type { AlsoOnLog } from './also-on-file.js';
import { CaptureFile } from './capture-file.js';
import type { CaptureKind } from './catalog-file.js';

/** Create segment `no` of a capture in `dir`, at time `now` (ms). */
export async function createSegmentFile(
  dir: string,
  now: number,
  capture: { streamId: string; kind: CaptureKind },
  no: number,
  onError: (e: Error) => void,
): Promise<Result<CaptureFile>> {
  try {
    await fs.mkdir(dir, { recursive: true });
    const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
    const file = path.join(
      dir,
      `${stamp}-${capture.streamId}-${no}${capture.kind === 'import' ? '-imported' : ''}.ndjson`,
    );
    const { file: opened } = await CaptureFile.open(file, { onError });
    await fs.chmod(file, 0o600).catch(() => undefined);
    return ok(opened);
  } catch (e) {
    const why = (e as Error).message;
    return err(
      'io',
      `The capture file could not be created in ${dir}: ${why}. Free some disk space or check permissions.`,
    );
  }
}

/** Close and delete the files of segments retention removed, with their also-on logs. */
export async function deleteSegmentFiles(
  files: readonly CaptureFile[],
  alsoOnLog: AlsoOnLog,
  log?: (m: string) => void,
): Promise<void> {
  for (const file of files) {
    await file.close();
    await fs.unlink(file.path).catch((e: Error) => log?.(`could not delete ${file.path}: ${e.message}`));
    await alsoOnLog.remove(file.path);
  }
}
