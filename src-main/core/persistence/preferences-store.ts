/**
 * `preferences.json`: the window's preferences (theme, columns, split, thresholds, default names
 * filter). Written atomically; read field by field, so a damaged value costs only itself.
 */
import path from 'node:path';
import { DEFAULT_PREFERENCES, normalizePreferences, type Preferences } from '../../shared/domain/preferences.js';
import { err, ok, type Result } from '../../shared/result.js';
import { readJson, writeJsonAtomic } from '../storage/json-file.js';

export class PreferencesStore {
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'preferences.json');
  }

  async load(): Promise<Preferences> {
    const read = await readJson(this.file);
    return read.kind === 'ok' ? normalizePreferences(read.value) : { ...DEFAULT_PREFERENCES };
  }

  async save(prefs: unknown): Promise<Result<Preferences>> {
    const clean = normalizePreferences(prefs);
    try {
      await writeJsonAtomic(this.file, { schemaVersion: 1, ...clean });
      return ok(clean);
    } catch (e) {
      return err('io', `The preferences could not be saved: ${(e as Error).message}.`);
    }
  }
}
