/**
 * Read any file the app can open (captures, bundles, Console exports, ttn-lw-cli output, NDJSON, raw
 * stream output) with the app's own importer, into memory instead of a capture on disk.
 *
 * The importer (ImportService) writes into whatever capture it is given; here that "capture" is a
 * collector. It is passed as a duck-typed stand-in because the importer's collaborator is changing
 * (StreamManager.openImported → CaptureIndex) while this is written: the stand-in answers both, so the
 * parsing stays the app's and nothing of it is copied here.
 */
import { ImportService } from '../core/services/import-service.js';
import type { Dialogs } from '../core/services/dialogs.js';
import type { StatusEntry } from '../core/capture/capture-file.js';
import type { ImportResult } from '../shared/export/types.js';
import { ok, type Result } from '../shared/result.js';
import type { TtsEvent } from '../shared/tts/types.js';

export type FileEntry = { kind: 'event'; raw: string; event: TtsEvent } | { kind: 'status'; entry: StatusEntry };

const NO_DIALOGS: Dialogs = { save: async () => undefined, open: async () => undefined };

/** Every entry of `file` in file order (events and the app's status entries), and what was skipped. */
export async function readEntries(file: string, onEntry: (entry: FileEntry) => void): Promise<Result<ImportResult>> {
  const append = (raw: string, event: TtsEvent) => onEntry({ kind: 'event', raw, event });
  const status = (entry: StatusEntry) => onEntry({ kind: 'status', entry });
  const info = { streamId: 'file', spec: { workspaceId: 'cli', profileId: 'imported', entities: [], names: [] }, state: { kind: 'stopped', reason: '' }, source: file };
  const target = { info, append, status, ready: () => undefined, finish: async () => {} };
  const deps = {
    dialogs: NO_DIALOGS,
    sink: { send: () => {} },
    // What the importer writes to: a CaptureIndex (new) or StreamManager.openImported (before it).
    index: {
      newStreamId: () => 'file',
      open: async () => ok(info),
      appendEvent: (_id: string, raw: string, event: TtsEvent) => append(raw, event),
      appendStatus: (_id: string, entry: StatusEntry) => status(entry),
      ready: () => undefined,
      written: async () => {},
    },
    streams: { openImported: async () => ok(target) },
  };
  const importer = new ImportService(deps as unknown as ConstructorParameters<typeof ImportService>[0]);
  return importer.importFile('cli', file);
}
