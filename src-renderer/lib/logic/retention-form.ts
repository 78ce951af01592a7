/**
 * The retention form (its own dialog and a section of Settings): the limits as the user edits them, and
 * the limits the edited text says, or what to correct. Main still checks the values it is given.
 */

export interface RetentionLimits {
  maxEvents: number;
  maxBytes: number;
}

const GB = 1024 ** 3;

/** The fields' first text: events as a plain number, disk in GB with one decimal (main's defaults until it says). */
export function retentionFields(r: RetentionLimits | undefined): { events: string; gb: string } {
  return { events: String(r?.maxEvents ?? 2_000_000), gb: ((r?.maxBytes ?? 4 * GB) / GB).toFixed(1) };
}

/** The limits typed (events may have thousands separators: `250,000`, `250 000`, `250_000`), or what is wrong. */
export function parseRetention(events: string, gb: string): RetentionLimits | { problem: string } {
  const n = Number(events.replace(/[,\s_]/g, ''));
  const g = Number(gb);
  if (!Number.isInteger(n) || n <= 0) return { problem: 'Enter a whole number of events.' };
  if (!Number.isFinite(g) || g <= 0) return { problem: 'Enter a size in GB, e.g. 4 or 0.5.' };
  return { maxEvents: n, maxBytes: Math.round(g * GB) };
}
