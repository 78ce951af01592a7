/**
 * The main window's size and position, remembered between runs. A saved position is used only if the
 * window would still be on a screen (a monitor may have gone); the size fits the largest screen.
 */
import path from 'node:path';
import { readJson, writeJsonAtomic } from '../storage/json-file.js';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_BOUNDS: WindowBounds = { width: 1400, height: 900, maximized: false };
export const MIN_SIZE = { width: 800, height: 560 };
/** How much of the title bar must be on a screen for a saved position to count. */
const VISIBLE = 80;

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Where the window opens, from what was saved (anything) and the screens' work areas now. */
export function restoreBounds(saved: unknown, workAreas: Rect[]): WindowBounds {
  const s = typeof saved === 'object' && saved !== null ? (saved as Record<string, unknown>) : {};
  const largest = workAreas.reduce<Rect | undefined>(
    (a, r) => (!a || r.width * r.height > a.width * a.height ? r : a),
    undefined,
  );
  const maxW = largest?.width ?? Infinity;
  const maxH = largest?.height ?? Infinity;
  const width = Math.round(Math.min(maxW, Math.max(MIN_SIZE.width, finite(s.width) ? s.width : DEFAULT_BOUNDS.width)));
  const height = Math.round(
    Math.min(maxH, Math.max(MIN_SIZE.height, finite(s.height) ? s.height : DEFAULT_BOUNDS.height)),
  );
  const out: WindowBounds = { width, height, maximized: s.maximized === true };
  if (finite(s.x) && finite(s.y)) {
    const x = Math.round(s.x);
    const y = Math.round(s.y);
    const onScreen = workAreas.some(
      (a) => x + width - VISIBLE >= a.x && x + VISIBLE <= a.x + a.width && y >= a.y && y + VISIBLE <= a.y + a.height,
    );
    if (onScreen) Object.assign(out, { x, y });
  }
  return out;
}

export class WindowStateStore {
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'window-state.json');
  }

  async load(workAreas: Rect[]): Promise<WindowBounds> {
    const read = await readJson(this.file);
    return restoreBounds(read.kind === 'ok' ? read.value : undefined, workAreas);
  }

  async save(bounds: WindowBounds): Promise<void> {
    await writeJsonAtomic(this.file, bounds).catch(() => undefined);
  }
}
