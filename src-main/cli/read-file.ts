/**
 * Read any file the app can open (captures, bundles, Console exports, ttn-lw-cli output, NDJSON, raw
 * stream output) with the app's own importer, into memory instead of a capture on disk.
 *
 * The importer (ImportService) writes into a CaptureIndex; `inspect` needs the entries, not a second
 * copy of the file, so it hands the importer a collector that answers the few index calls an import
 * makes. The parsing stays the app's; nothing of it is copied here.
 */
import { ImportService, type ImportIndex } from '../core/exchange/import-service.js';
import { ScriptedDialogs } from '../core/services/dialogs.js';
import type { StatusEntry } from '../core/capture/capture-file.js';
import type { ImportResult } from '../shared/export/types.js';
import type { PushSink } from '../shared/ipc/contract.js';
import { err, ok, type Result } from '../shared/result.js';
import type { TtsEvent } from '../shared/tts/types.js';

export type FileEntry = { kind: 'event'; event: TtsEvent } | { kind: 'status'; entry: StatusEntry };

/** The part of CaptureIndex an import uses, delivering entries to `onEntry` in file order. */
function collector(onEntry: (entry: FileEntry) => void): ImportIndex {
  return {
    newStreamId: () => 'file',
    open: async () => ok(undefined),
    // The line itself is not kept: NDJSON lines come as bytes of a read buffer that is read into again.
    appendEvent: (_id: string, _raw: string | Uint8Array, event: TtsEvent) => {
      onEntry({ kind: 'event', event });
      return undefined;
    },
    appendStatus: (_id: string, entry: StatusEntry) => {
      onEntry({ kind: 'status', entry });
      return undefined;
    },
    ready: () => undefined,
    written: async () => {},
    // Nothing is stored, so a file with no events leaves nothing to remove, and nothing is reopened.
    discard: async () => {},
    reopen: async () => err('invalid-input', 'The command line reads files; it reopens no captures.'),
  };
}

/** Every entry of `file` in file order (events and the app's status entries), and what was skipped. */
export async function readEntries(file: string, onEntry: (entry: FileEntry) => void): Promise<Result<ImportResult>> {
  const sink: PushSink = { send: () => {} } as unknown as PushSink;
  const importer = new ImportService({
    index: collector(onEntry),
    dialogs: new ScriptedDialogs(),
    sink,
  });
  return importer.importFile('cli', file);
}
