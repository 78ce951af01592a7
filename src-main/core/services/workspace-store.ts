/**
 * `workspaces.json`: the tabs and their streams and filters, restored when the app starts.
 * Written atomically like the profiles; a file that cannot be read is kept aside and reported.
 */
import path from 'node:path';
import { DEFAULT_SETTINGS, type WorkspacesDoc } from '../../shared/domain/workspace.js';
import { isWorkspacesDoc } from '../../shared/ipc/validate.js';
import { err, ok, type Result } from '../../shared/result.js';
import { keepAside, nodeJsonFs, readJson, writeJsonAtomic, type JsonFs } from '../storage/json-file.js';

export const WORKSPACES_FILE = 'workspaces.json';

export class WorkspaceStore {
  #writes: Promise<void> = Promise.resolve();
  readonly file: string;

  constructor(dataDir: string, private readonly fs: JsonFs = nodeJsonFs, private readonly clock: () => number = Date.now) {
    this.file = path.join(dataDir, WORKSPACES_FILE);
  }

  async load(): Promise<{ doc: WorkspacesDoc; problem?: string }> {
    const empty: WorkspacesDoc = { schemaVersion: 1, workspaces: [], settings: { ...DEFAULT_SETTINGS } };
    const read = await readJson(this.file, this.fs);
    if (read.kind === 'missing') return { doc: empty };
    if (read.kind === 'ok' && isWorkspacesDoc(read.value)) return { doc: read.value };
    const reason = read.kind === 'corrupt' ? read.reason : 'not a workspaces file this version understands';
    const aside = await keepAside(this.file, this.clock(), this.fs);
    return { doc: empty, problem: `The saved workspaces could not be read (${reason}); the file was kept as ${aside}.` };
  }

  save(doc: WorkspacesDoc): Promise<Result<void>> {
    const next = this.#writes.then(() => writeJsonAtomic(this.file, doc, this.fs));
    this.#writes = next.catch(() => undefined);
    return next.then(
      () => ok(undefined),
      (e: Error) => err('io', `The workspaces could not be saved to ${this.file}: ${e.message}. Check free disk space.`),
    );
  }
}
