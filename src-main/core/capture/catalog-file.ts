/**
 * A capture's catalog file (`<stream>.capture.json`): its workspace, kind, what started it and its
 * segment files in order, written beside them so a restart can reopen the capture.
 */
import path from 'node:path';
import { promises as fs } from 'node:fs';

export type CaptureKind = 'stream' | 'import' | 'backfill';

export interface CatalogEntry {
  streamId: string;
  workspaceId: string;
  kind: CaptureKind;
  meta: unknown;
  segments: string[];
}

/** The catalogs in `dir`; one that cannot be read is logged and left out. */
export async function readCatalogs(dir: string, log?: (m: string) => void): Promise<CatalogEntry[]> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const out: CatalogEntry[] = [];
  for (const n of names.filter((x) => x.endsWith('.capture.json'))) {
    try {
      const c = JSON.parse(await fs.readFile(path.join(dir, n), 'utf8')) as CatalogEntry;
      if (typeof c.streamId !== 'string' || typeof c.workspaceId !== 'string' || !Array.isArray(c.segments)) continue;
      out.push(c);
    } catch (e) {
      log?.(`capture catalog ${n} could not be read: ${(e as Error).message}`);
    }
  }
  return out;
}

/** Replace a capture's catalog (written aside, then renamed: a crash leaves the old or the new one). */
export async function writeCatalog(dir: string, entry: CatalogEntry, log?: (m: string) => void): Promise<void> {
  const file = path.join(dir, `${entry.streamId}.capture.json`);
  await fs
    .writeFile(`${file}.tmp`, JSON.stringify(entry), { mode: 0o600 })
    .then(() => fs.rename(`${file}.tmp`, file))
    .catch((e: Error) => log?.(`capture catalog ${file}: ${e.message}`));
}
