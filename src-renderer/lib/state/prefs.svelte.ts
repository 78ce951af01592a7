/**
 * The window's preferences (theme, columns, split, thresholds, default names filter), loaded from main
 * and saved back shortly after each change. Truly global UI preferences, so one module-level instance
 * (house style: like site-kit's theme).
 */
import type { RendererApi } from '../../../src-main/shared/ipc/contract';
import {
  DEFAULT_PREFERENCES,
  normalizePreferences,
  type Preferences,
} from '../../../src-main/shared/domain/preferences';

class PrefsState {
  value = $state.raw<Preferences>(DEFAULT_PREFERENCES);
  /** The folder main keeps profiles, workspaces, captures and these preferences in. */
  dataDir = $state('');
  error = $state<string | undefined>(undefined);
  #api: RendererApi | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  async load(api: RendererApi): Promise<void> {
    this.#api = api;
    const r = await api.getPreferences();
    if (r.ok) {
      this.value = normalizePreferences(r.value.prefs);
      this.dataDir = r.value.dataDir;
    }
  }

  /** Change some preferences now; main saves them a moment later (a drag saves once, at its end). */
  set(patch: Partial<Preferences>): void {
    this.value = normalizePreferences({ ...this.value, ...patch });
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#save(), 300);
  }

  async #save(): Promise<void> {
    if (!this.#api) return;
    const r = await this.#api.setPreferences(this.value);
    this.error = r.ok ? undefined : r.error.message;
  }
}

export const prefs = new PrefsState();
