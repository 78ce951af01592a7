/**
 * A capture's catalog file (`<stream>.capture.json`): its workspace, kind, what started it and its
 * segment files in order, written beside them so a restart can reopen the capture.
 */
import path from 'node:path';
import { promises as fs } from 'node:fs';
import type { Segment } from './segment.js';

export type CaptureKind = 'stream' | 'import' | 'backfill';

export interface CatalogEntry {
  streamId: string;
  workspaceId: string;
  kind: CaptureKind;
  meta: unknown;
  segments: string[];
}

/** A capture as the index holds it; its catalog entry is what a restart needs of it. */
export interface StreamCapture {
  streamId: string;
  workspaceId: string;
  kind: CaptureKind;
  /** Oldest first; retention removes from the front; the last is being written. */
  segments: Segment[];
  next?: Segment;
  rotating: boolean;
  /** The next segment being opened: a full segment makes ingest wait for it. */
  rotation?: Promise<void>;
  /** The segment being written is full and the next is not open yet. */
  overfull?: boolean;
  /** What the owner wants kept with the capture (e.g. the stream's request), for reopening. */
  meta: unknown;
}

/** The catalog entry of a capture: its segment files, the one opened next included. */
export function catalogOf(c: StreamCapture): CatalogEntry {
  const segments = [...c.segments, ...(c.next ? [c.next] : [])].map((s) => path.basename(s.file!.path));
  return { streamId: c.streamId, workspaceId: c.workspaceId, kind: c.kind, meta: c.meta, segments };
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
