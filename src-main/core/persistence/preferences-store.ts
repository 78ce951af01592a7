/**
 * `preferences.json`: the window's preferences (theme, columns, split, thresholds, default names
 * filter). Written atomically; read field by field, so a damaged value costs only itself.
 */
import path from 'node:path';
import { DEFAULT_PREFERENCES, normalizePreferences, type Preferences } from '../../shared/domain/preferences.js';
import { checkThresholds, type Thresholds } from '../../shared/health/thresholds.js';
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

  /**
   * RSSI/SNR thresholds an earlier version kept here (`{good, poor}`: at or below `poor` was poor), as
   * the app settings' thresholds (`bad`: below it is bad), or undefined when the file has none. Main's
   * settings own them now (#16); they are moved there once, and this file loses them on its next save.
   */
  async legacyThresholds(): Promise<Thresholds | undefined> {
    const read = await readJson(this.file);
    if (read.kind !== 'ok' || typeof read.value !== 'object' || read.value === null) return undefined;
    const doc = read.value as Record<string, unknown>;
    const pair = (v: unknown) => {
      const t = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
      const ok = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
      return ok(t.good) && ok(t.poor) && t.poor < t.good ? { good: t.good, bad: t.poor } : undefined;
    };
    const rssi = pair(doc.rssi);
    const snr = pair(doc.snr);
    return rssi || snr ? checkThresholds({ ...(rssi ? { rssi } : {}), ...(snr ? { snr } : {}) }) : undefined;
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
