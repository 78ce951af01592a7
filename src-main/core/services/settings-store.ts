/**
 * `settings.json`: what main applies for the whole app (today: capture retention). Atomic writes;
 * an unreadable file is kept aside and the defaults apply.
 */
import path from 'node:path';
import type { AppSettings } from '../../shared/ipc/contract.js';
import { err, ok, type Result } from '../../shared/result.js';
import { keepAside, keepCopy, readJson, writeJsonAtomic } from '../storage/json-file.js';
import { DEFAULT_RETENTION } from '../capture/capture-index.js';

const MIN_EVENTS = 10_000;
const MIN_BYTES = 16 * 1024 * 1024;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function checkRetention(r: AppSettings['retention']): Result<AppSettings['retention']> {
  if (r.maxEvents < MIN_EVENTS)
    return err('invalid-input', `Keep at least ${MIN_EVENTS.toLocaleString('en')} events per stream.`);
  if (r.maxBytes < MIN_BYTES) return err('invalid-input', 'Keep at least 16 MB per stream.');
  return ok({ maxEvents: r.maxEvents, maxBytes: r.maxBytes });
}

export class SettingsStore {
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'settings.json');
  }

  /**
   * Field by field: a value that cannot be used gets its default and is reported through `log`, with a
   * copy of the file kept, never reset silently (#13). A file that is not JSON at all is kept aside.
   */
  async load(log?: (m: string) => void): Promise<AppSettings> {
    const read = await readJson(this.file);
    const defaults: AppSettings = { retention: { ...DEFAULT_RETENTION } };
    if (read.kind === 'missing') return defaults;
    if (read.kind === 'corrupt') {
      const aside = await keepAside(this.file, Date.now()).catch(() => this.file);
      log?.(`settings.json could not be read (${read.reason}); it was kept as ${aside} and the defaults apply.`);
      return defaults;
    }
    const doc = isObj(read.value) ? read.value : {};
    const r = isObj(doc.retention) ? doc.retention : {};
    const problems: string[] = [];
    if (doc.schemaVersion !== 1)
      problems.push(`schemaVersion is ${JSON.stringify(doc.schemaVersion) ?? 'missing'}, not 1`);
    const field = (key: 'maxEvents' | 'maxBytes', min: number): number => {
      const v = r[key];
      if (Number.isSafeInteger(v) && (v as number) >= min) return v as number;
      problems.push(
        `retention.${key} ${v === undefined ? 'is missing' : `(${String(v).slice(0, 40)}) is not a whole number of at least ${min}`}`,
      );
      return DEFAULT_RETENTION[key];
    };
    const settings: AppSettings = {
      retention: { maxEvents: field('maxEvents', MIN_EVENTS), maxBytes: field('maxBytes', MIN_BYTES) },
    };
    if (problems.length) {
      const copy = await keepCopy(this.file, 'before-repair', Date.now()).catch(() => undefined);
      log?.(
        `settings.json: ${problems.join('; ')}; the defaults apply there${copy ? ` (the file as it was is kept as ${copy})` : ''}.`,
      );
    }
    return settings;
  }

  async save(settings: AppSettings): Promise<Result<void>> {
    try {
      await writeJsonAtomic(this.file, { schemaVersion: 1, ...settings });
      return ok(undefined);
    } catch (e) {
      return err('io', `The settings could not be saved: ${(e as Error).message}.`);
    }
  }
}
