/**
 * The radio colour thresholds, as main's settings hold them (one owner, #16): the Settings page, the event
 * list, the messages view and the device and gateway panels all read `value`, and any of them changes it
 * through `set`, so a change in one place recolours the others. One module-level instance, like `prefs`.
 */
import type { AppSettings, RendererApi } from '../../../src-main/shared/ipc/contract';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../../../src-main/shared/health/thresholds';
import { LEGACY_THRESHOLDS_KEY, legacyThresholds } from '../logic/legacy-thresholds';

class ThresholdsState {
  value = $state.raw<Thresholds>(DEFAULT_THRESHOLDS);
  /** Why the last change was refused (out of range, good below bad), until the next one. */
  error = $state<string | undefined>(undefined);
  #api: RendererApi | undefined;

  /** Take main's thresholds; a window's old localStorage ones go to main once (then are forgotten). */
  async load(api: RendererApi, settings: AppSettings): Promise<void> {
    this.#api = api;
    this.value = settings.thresholds;
    let stored: string | null;
    try {
      stored = localStorage.getItem(LEGACY_THRESHOLDS_KEY);
    } catch {
      return; // no storage in this window: nothing to migrate
    }
    const legacy = legacyThresholds(stored, settings.thresholdsSaved);
    if (legacy) await this.set(legacy);
    if (stored !== null && !this.error) localStorage.removeItem(LEGACY_THRESHOLDS_KEY);
  }

  /** Save in main; the view shows main's answer (or keeps the old values and says why not). */
  async set(t: Thresholds): Promise<boolean> {
    if (!this.#api) return false;
    const r = await this.#api.setThresholds($state.snapshot(t) as Thresholds);
    if (!r.ok) {
      this.error = r.error.message;
      return false;
    }
    this.error = undefined;
    this.value = r.value.thresholds;
    return true;
  }
}

export const thresholds = new ThresholdsState();
