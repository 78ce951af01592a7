/**
 * `settings.json`: what main applies for the whole app (today: capture retention). Atomic writes;
 * an unreadable file is kept aside and the defaults apply.
 */
import path from 'node:path';
import type { AppSettings } from '../../shared/ipc/contract.js';
import { err, ok, type Result } from '../../shared/result.js';
import { keepAside, readJson, writeJsonAtomic } from '../storage/json-file.js';
import { DEFAULT_RETENTION } from '../capture/capture-index.js';

const MIN_EVENTS = 10_000;
const MIN_BYTES = 16 * 1024 * 1024;

export function checkRetention(r: AppSettings['retention']): Result<AppSettings['retention']> {
  if (r.maxEvents < MIN_EVENTS) return err('invalid-input', `Keep at least ${MIN_EVENTS.toLocaleString('en')} events per stream.`);
  if (r.maxBytes < MIN_BYTES) return err('invalid-input', 'Keep at least 16 MB per stream.');
  return ok({ maxEvents: r.maxEvents, maxBytes: r.maxBytes });
}

export class SettingsStore {
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'settings.json');
  }

  async load(log?: (m: string) => void): Promise<AppSettings> {
    const read = await readJson(this.file);
    const defaults: AppSettings = { retention: { ...DEFAULT_RETENTION } };
    if (read.kind === 'missing') return defaults;
    const r = read.kind === 'ok' ? (read.value as { schemaVersion?: number; retention?: AppSettings['retention'] }) : undefined;
    const checked = r?.schemaVersion === 1 && r.retention && Number.isSafeInteger(r.retention.maxEvents) && Number.isSafeInteger(r.retention.maxBytes) ? checkRetention(r.retention) : undefined;
    if (checked?.ok) return { retention: checked.value };
    const aside = await keepAside(this.file, Date.now()).catch(() => this.file);
    log?.(`settings.json could not be used (kept as ${aside}); the defaults apply`);
    return defaults;
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
