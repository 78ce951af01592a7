/**
 * The network view once kept its colour thresholds in the window's localStorage; main's settings own them
 * now (#16). A window that still holds old ones hands them to main once, unless someone already chose
 * thresholds there, and forgets them either way.
 */
import { checkThresholds, type Thresholds } from '../../../src-main/shared/health/thresholds';

export const LEGACY_THRESHOLDS_KEY = 'event-desk.thresholds';

/** What to send to main, if anything, given what main has and what the window stored. */
export function legacyThresholds(stored: string | null, mainHasSaved: boolean): Thresholds | undefined {
  if (stored === null || mainHasSaved) return undefined;
  try {
    const parsed: unknown = JSON.parse(stored);
    return typeof parsed === 'object' && parsed !== null ? checkThresholds(parsed) : undefined;
  } catch {
    return undefined;
  }
}
