/**
 * The frame counters a device's frames revealed, kept so the 32-bit FCnt of any of its frames can be
 * recovered from the 16 bits on the air, in any order the frames are opened, and the same after a restart
 * (#18): saved next to the captures (`frame-counters.json` in the capture folder), never with keys.
 *
 * Two points per device, counter and 16-bit window (the lowest and highest counter seen in it, with their
 * event times) are enough: a frame's counter is recovered from the last point before it in time, as the
 * network server recovers it from the session's last counter (see `fullFCnt`).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface CounterPoint {
  ms: number;
  full: number;
}

/** A device's counter: `<app>/<device>/<up|down|down-n|down-a>`. */
export type CounterKey = string;

const FILE = 'frame-counters.json';
const SCHEMA = 1;
/** Points kept per counter (a device at one frame a second fills a window in 18 hours). */
const MAX_POINTS = 4096;

export class FCntHistory {
  readonly #points = new Map<CounterKey, CounterPoint[]>();
  #dirty = false;
  #saving: Promise<void> | undefined;

  /** `dir`: the capture folder; undefined keeps the counters in memory only (the command line, tests). */
  constructor(
    private readonly dir?: string,
    private readonly log?: (m: string) => void,
  ) {}

  /** Read the saved counters; a missing or unreadable file starts empty (and says why when unreadable). */
  async load(): Promise<void> {
    if (!this.dir) return;
    let text: string;
    try {
      text = await fs.readFile(path.join(this.dir, FILE), 'utf8');
    } catch {
      return;
    }
    try {
      const v = JSON.parse(text) as { schema?: number; counters?: Record<string, unknown> };
      if (v.schema !== SCHEMA || typeof v.counters !== 'object' || v.counters === null)
        throw new Error('unknown schema');
      for (const [k, list] of Object.entries(v.counters)) {
        if (!Array.isArray(list)) continue;
        const points = list
          .filter(
            (p): p is [number, number] =>
              Array.isArray(p) && Number.isFinite(p[0]) && Number.isInteger(p[1]) && p[1] >= 0 && p[1] <= 0xffffffff,
          )
          .map(([ms, full]) => ({ ms, full }))
          .sort((a, b) => a.ms - b.ms);
        if (points.length) this.#points.set(k, points.slice(-MAX_POINTS));
      }
    } catch (e) {
      this.log?.(`${FILE} could not be read (${(e as Error).message}): frame counters start again from the frames.`);
    }
  }

  /** The device's last counter before `ms` (strictly earlier in time), if any frame revealed one. */
  before(key: CounterKey, ms: number): number | undefined {
    const list = this.#points.get(key);
    if (!list) return undefined;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.ms < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? list[lo - 1]!.full : undefined;
  }

  /**
   * Record a counter a frame proved (its MIC matched with it). Per 16-bit window the lowest and the
   * highest counter are kept: a frame between them finds the lowest before it (same window), a frame after
   * the highest finds it (and rolls over when its 16 bits are smaller).
   */
  record(key: CounterKey, ms: number, full: number): void {
    let list = this.#points.get(key);
    if (!list) this.#points.set(key, (list = []));
    const window = Math.floor(full / 0x10000);
    const same = list.filter((p) => Math.floor(p.full / 0x10000) === window);
    if (same.some((p) => p.full === full)) return;
    if (same.length >= 2) {
      const low = same.reduce((a, b) => (b.full < a.full ? b : a));
      const high = same.reduce((a, b) => (b.full > a.full ? b : a));
      if (full > low.full && full < high.full) return;
      list.splice(list.indexOf(full < low.full ? low : high), 1);
    }
    let at = list.length;
    while (at > 0 && list[at - 1]!.ms > ms) at--;
    list.splice(at, 0, { ms, full });
    if (list.length > MAX_POINTS) list.shift();
    this.#dirty = true;
  }

  /** Write the counters if they changed (temp file and rename: a crash leaves the old file). */
  async save(): Promise<void> {
    if (!this.dir || !this.#dirty) return this.#saving;
    await this.#saving;
    if (!this.#dirty) return;
    this.#dirty = false;
    const counters: Record<string, [number, number][]> = {};
    for (const [k, list] of this.#points) counters[k] = list.map((p) => [p.ms, p.full]);
    const file = path.join(this.dir, FILE);
    const tmp = `${file}.tmp`;
    this.#saving = (async () => {
      try {
        await fs.writeFile(tmp, JSON.stringify({ schema: SCHEMA, counters }));
        await fs.rename(tmp, file);
      } catch (e) {
        this.#dirty = true;
        this.log?.(`${FILE} could not be saved: ${(e as Error).message}`);
      }
    })();
    await this.#saving;
  }
}
