/**
 * `workspaces.json`: the tabs and their streams and filters, restored when the app starts.
 * Written atomically like the profiles; a file that cannot be read is kept aside and reported. It is
 * read entry by entry: a workspace that cannot be used is left out with a message naming it, and a copy
 * of the file as it was is kept (#13).
 */
import path from 'node:path';
import { DEFAULT_SETTINGS, type WorkspacesDoc } from '../../shared/domain/workspace.js';
import { readWorkspacesDoc } from '../../shared/domain/workspace-doc.js';
import { err, ok, type Result } from '../../shared/result.js';
import { keepAside, keepCopy, nodeJsonFs, readJson, writeJsonAtomic, type JsonFs } from '../storage/json-file.js';

export const WORKSPACES_FILE = 'workspaces.json';

export class WorkspaceStore {
  #writes: Promise<void> = Promise.resolve();
  #copy: Promise<string | undefined> | undefined;
  readonly file: string;

  constructor(
    dataDir: string,
    private readonly fs: JsonFs = nodeJsonFs,
    private readonly clock: () => number = Date.now,
  ) {
    this.file = path.join(dataDir, WORKSPACES_FILE);
  }

  async load(): Promise<{ doc: WorkspacesDoc; problem?: string }> {
    const empty: WorkspacesDoc = { schemaVersion: 1, workspaces: [], settings: { ...DEFAULT_SETTINGS } };
    const read = await readJson(this.file, this.fs);
    if (read.kind === 'missing') return { doc: empty };
    const parsed = read.kind === 'ok' ? readWorkspacesDoc(read.value) : undefined;
    if (parsed && parsed.problems.length === 0) return { doc: parsed.doc };
    if (parsed) {
      // The next save writes only what could be used: keep the file as it was, once per run.
      this.#copy ??= keepCopy(this.file, 'before-repair', this.clock(), this.fs).catch(() => undefined);
      const copy = await this.#copy;
      return {
        doc: parsed.doc,
        problem: `${parsed.problems.join(' ')}${copy ? ` The file as it was is kept as ${copy}.` : ''}`,
      };
    }
    const reason = read.kind === 'corrupt' ? read.reason : 'not a workspaces file this version understands';
    const aside = await keepAside(this.file, this.clock(), this.fs);
    return {
      doc: empty,
      problem: `The saved workspaces could not be read (${reason}); the file was kept as ${aside}.`,
    };
  }

  save(doc: WorkspacesDoc): Promise<Result<void>> {
    // Only the known fields are written: unknown keys from the renderer (`__proto__`, `constructor`) are dropped.
    const clean = readWorkspacesDoc(doc)?.doc;
    if (!clean) return Promise.resolve(err('invalid-input', 'That is not a workspaces document.'));
    const next = this.#writes.then(() => writeJsonAtomic(this.file, clean, this.fs));
    this.#writes = next.catch(() => undefined);
    return next.then(
      () => ok(undefined),
      (e: Error) =>
        err('io', `The workspaces could not be saved to ${this.file}: ${e.message}. Check free disk space.`),
    );
  }
}
