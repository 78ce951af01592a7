/**
 * `settings.json`: what main applies and keeps for the whole app: capture retention, and the radio
 * colour thresholds (RSSI, SNR, spreading factor) that the event list, the messages view and the device
 * and gateway panels all colour by. One owner: the Settings page and the network view both change them
 * here, through the IPC contract (#16). Atomic writes; an unreadable file is kept aside and the defaults apply.
 */
import path from 'node:path';
import type { AppSettings } from '../../shared/ipc/contract.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../../shared/health/thresholds.js';
import { err, ok, type Result } from '../../shared/result.js';
import { keepAside, keepCopy, readJson, writeJsonAtomic } from '../storage/json-file.js';
import { DEFAULT_RETENTION } from '../capture/capture-index.js';

const MIN_EVENTS = 10_000;
const MIN_BYTES = 16 * 1024 * 1024;

/** What each threshold may be: beyond these a value is a typo (a missing minus sign), not a choice. */
export const THRESHOLD_RANGES = {
  rssi: { min: -200, max: 50 },
  snr: { min: -40, max: 40 },
  sf: { min: 5, max: 12 },
} as const;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function checkRetention(r: AppSettings['retention']): Result<AppSettings['retention']> {
  if (r.maxEvents < MIN_EVENTS)
    return err('invalid-input', `Keep at least ${MIN_EVENTS.toLocaleString('en')} events per stream.`);
  if (r.maxBytes < MIN_BYTES) return err('invalid-input', 'Keep at least 16 MB per stream.');
  return ok({ maxEvents: r.maxEvents, maxBytes: r.maxBytes });
}

/** Thresholds as the user set them, or the sentence that says what is wrong with them. */
export function checkThresholds(t: Thresholds): Result<Thresholds> {
  const groups = [
    ['rssi', 'RSSI', 'good', 'bad'],
    ['snr', 'SNR', 'good', 'bad'],
    ['sf', 'Spreading factor', 'fair', 'bad'],
  ] as const;
  for (const [group, label, a, b] of groups) {
    const { min, max } = THRESHOLD_RANGES[group];
    const values = t[group] as Record<string, number>;
    for (const key of [a, b])
      if (!Number.isFinite(values[key]) || values[key]! < min || values[key]! > max)
        return err('invalid-input', `${label} “${key}” must be a number from ${min} to ${max}.`);
  }
  if (t.rssi.good < t.rssi.bad) return err('invalid-input', 'RSSI: “good from” must not be below “bad below”.');
  if (t.snr.good < t.snr.bad) return err('invalid-input', 'SNR: “good from” must not be below “bad below”.');
  if (t.sf.bad < t.sf.fair) return err('invalid-input', 'Spreading factor: “bad from” must not be below “fair from”.');
  return ok({
    rssi: { good: t.rssi.good, bad: t.rssi.bad },
    snr: { good: t.snr.good, bad: t.snr.bad },
    sf: { fair: t.sf.fair, bad: t.sf.bad },
  });
}

const defaults = (): AppSettings => ({
  retention: { ...DEFAULT_RETENTION },
  thresholds: structuredClone(DEFAULT_THRESHOLDS),
  thresholdsSaved: false,
});

export class SettingsStore {
  readonly file: string;
  #current: AppSettings = defaults();
  #writes: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'settings.json');
  }

  /** The settings as last loaded or saved. */
  get current(): AppSettings {
    return this.#current;
  }

  /**
   * Field by field: a value that cannot be used gets its default and is reported through `log`, with a
   * copy of the file kept, never reset silently (#13). A file that is not JSON at all is kept aside.
   */
  async load(log?: (m: string) => void): Promise<AppSettings> {
    const read = await readJson(this.file);
    if (read.kind === 'missing') return (this.#current = defaults());
    if (read.kind === 'corrupt') {
      const aside = await keepAside(this.file, Date.now()).catch(() => this.file);
      log?.(`settings.json could not be read (${read.reason}); it was kept as ${aside} and the defaults apply.`);
      return (this.#current = defaults());
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
      thresholds: structuredClone(DEFAULT_THRESHOLDS),
      thresholdsSaved: doc.thresholds !== undefined,
    };
    if (doc.thresholds !== undefined) {
      const t = readThresholds(doc.thresholds);
      if (t.ok) settings.thresholds = t.value;
      else problems.push(`thresholds: ${t.error.message}`);
    }
    if (problems.length) {
      const copy = await keepCopy(this.file, 'before-repair', Date.now()).catch(() => undefined);
      log?.(
        `settings.json: ${problems.join('; ')}; the defaults apply there${copy ? ` (the file as it was is kept as ${copy})` : ''}.`,
      );
    }
    return (this.#current = settings);
  }

  /** Change some settings and write the whole file (writes queue, so two quick changes both land). */
  update(patch: Partial<Pick<AppSettings, 'retention' | 'thresholds'>>): Promise<Result<AppSettings>> {
    const next: AppSettings = {
      ...this.#current,
      ...patch,
      thresholdsSaved: this.#current.thresholdsSaved || patch.thresholds !== undefined,
    };
    const write = this.#writes.then(() => this.save(next));
    this.#writes = write;
    return write.then((r) => {
      if (!r.ok) return r;
      this.#current = next;
      return ok(next);
    });
  }

  async save(settings: AppSettings): Promise<Result<void>> {
    try {
      const { retention, thresholds, thresholdsSaved } = settings;
      // Thresholds nobody chose are not written: a later version's defaults then apply.
      await writeJsonAtomic(this.file, { schemaVersion: 1, retention, ...(thresholdsSaved ? { thresholds } : {}) });
      return ok(undefined);
    } catch (e) {
      return err('io', `The settings could not be saved: ${(e as Error).message}.`);
    }
  }
}

/** Thresholds from the file: every number present and in range, else the reason. */
function readThresholds(v: unknown): Result<Thresholds> {
  const o = isObj(v) ? v : {};
  const group = (g: string) => (isObj(o[g]) ? o[g] : {});
  const num = (g: string, k: string) => {
    const x = group(g)[k];
    return typeof x === 'number' ? x : NaN;
  };
  return checkThresholds({
    rssi: { good: num('rssi', 'good'), bad: num('rssi', 'bad') },
    snr: { good: num('snr', 'good'), bad: num('snr', 'bad') },
    sf: { fair: num('sf', 'fair'), bad: num('sf', 'bad') },
  });
}
