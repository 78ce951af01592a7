/**
 * The profiles panel's state: the list from main, the form being edited, check results.
 * Keys only ever travel renderer → main; nothing here can read one back.
 */
import type { RendererApi } from '../../../src-main/shared/ipc/contract';
import type { ConnectionCheck } from '../../../src-main/shared/domain/auth-check';
import {
  PROFILE_COLORS,
  PROFILES_FILE_MAX_BYTES,
  PROFILES_FILE_TOO_BIG,
  validateProfile,
  type ProfileErrors,
  type ProfileInput,
  type ProfileSummary,
} from '../../../src-main/shared/domain/profile';
import type { AppError, Result } from '../../../src-main/shared/result';

export type CheckOutcome =
  { state: 'running' } | { state: 'done'; check: ConnectionCheck } | { state: 'failed'; error: AppError };

export const emptyInput = (color = PROFILE_COLORS[1]!): ProfileInput => ({
  name: '',
  baseUrl: '',
  color,
  components: {},
  caPem: '',
  notes: '',
});

export class ProfilesState {
  list = $state.raw<ProfileSummary[]>([]);
  problem = $state<string | undefined>(undefined);
  /** The profile open in the form; `new` for one being created. */
  editingId = $state<string | 'new' | undefined>(undefined);
  draft = $state<ProfileInput>(emptyInput());
  /** Field messages shown after a save attempt (and live once shown). */
  errors = $state<ProfileErrors>({});
  showErrors = $state(false);
  message = $state<{ kind: 'ok' | 'error'; text: string } | undefined>(undefined);
  checks = $state<Record<string, CheckOutcome>>({});
  busy = $state(false);

  constructor(private readonly api: RendererApi) {}

  get editing(): ProfileSummary | undefined {
    return this.list.find((p) => p.id === this.editingId);
  }

  byId(id: string): ProfileSummary | undefined {
    return this.list.find((p) => p.id === id);
  }

  async refresh(): Promise<void> {
    const r = await this.api.listProfiles();
    if (r.ok) {
      this.list = r.value.profiles;
      this.problem = r.value.problem;
    } else this.problem = r.error.message;
  }

  edit(id: string | 'new'): void {
    this.editingId = id;
    this.showErrors = false;
    this.errors = {};
    this.message = undefined;
    const p = id === 'new' ? undefined : this.byId(id);
    const used = this.list.map((x) => x.color);
    this.draft = p
      ? {
          name: p.name,
          baseUrl: p.baseUrl,
          color: p.color,
          components: { ...p.components },
          caPem: p.caPem ?? '',
          notes: p.notes ?? '',
        }
      : emptyInput(PROFILE_COLORS.find((c) => !used.includes(c)) ?? PROFILE_COLORS[1]!);
  }

  validate(): boolean {
    // Decide from the fresh result, not by reading `errors` back: the form's effect calls this, and
    // an effect that writes and reads the same state re-runs itself for ever.
    const errors = validateProfile(this.draft);
    this.errors = errors;
    return Object.keys(errors).length === 0;
  }

  save = async (): Promise<boolean> => {
    this.showErrors = true;
    if (!this.validate()) return false;
    this.busy = true;
    const input = $state.snapshot(this.draft);
    const r =
      this.editingId === 'new' || !this.editingId
        ? await this.api.createProfile(input)
        : await this.api.updateProfile(this.editingId, input);
    this.busy = false;
    if (!r.ok) {
      this.#fail(r.error);
      return false;
    }
    await this.refresh();
    this.editingId = r.value.id;
    this.message = { kind: 'ok', text: `Saved "${r.value.name}".${r.value.hasKey ? '' : ' Now set its API key.'}` };
    return true;
  };

  #fail(error: AppError): void {
    if (error.code === 'invalid-input' && error.detail?.startsWith('{')) {
      try {
        this.errors = JSON.parse(error.detail) as ProfileErrors;
        // Each problem shows under its field (main's checks, such as a name another profile has): not twice.
        this.message = undefined;
        return;
      } catch {
        /* fall through to the message */
      }
    }
    this.message = { kind: 'error', text: error.message };
  }

  setKey = async (id: string, key: string): Promise<boolean> => {
    const r = await this.api.setProfileKey(id, key);
    if (!r.ok) {
      this.message = { kind: 'error', text: r.error.message };
      return false;
    }
    await this.refresh();
    this.message = {
      kind: 'ok',
      text: 'The key is stored in the OS keychain. Check connection to see what it can read.',
    };
    const { [id]: _drop, ...rest } = this.checks;
    this.checks = rest;
    return true;
  };

  clearKey = async (id: string): Promise<void> => {
    const r = await this.api.clearProfileKey(id);
    this.message = r.ok
      ? { kind: 'ok', text: 'The key was removed from the OS keychain.' }
      : { kind: 'error', text: r.error.message };
    await this.refresh();
  };

  check = async (id: string): Promise<void> => {
    this.checks = { ...this.checks, [id]: { state: 'running' } };
    const r = await this.api.checkProfile(id);
    this.checks = {
      ...this.checks,
      [id]: r.ok ? { state: 'done', check: r.value } : { state: 'failed', error: r.error },
    };
    await this.refresh();
  };

  duplicate = async (id: string): Promise<void> => {
    const r = await this.api.duplicateProfile(id);
    if (!r.ok) return void (this.message = { kind: 'error', text: r.error.message });
    await this.refresh();
    this.edit(r.value.id);
  };

  remove = async (id: string): Promise<void> => {
    const r = await this.api.deleteProfile(id);
    // Main may have deleted the profile and still fail (its key stayed in the keychain): the list says which.
    await this.refresh();
    if (!this.byId(id)) {
      this.editingId = this.list[0]?.id;
      if (this.editingId) this.edit(this.editingId);
    }
    if (!r.ok) this.message = { kind: 'error', text: r.error.message };
  };

  move = async (id: string, delta: -1 | 1): Promise<void> => {
    const ids = this.list.map((p) => p.id);
    const i = ids.indexOf(id);
    const j = i + delta;
    if (i < 0 || j < 0 || j >= ids.length) return;
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    const r = await this.api.reorderProfiles(ids);
    if (!r.ok) this.message = { kind: 'error', text: r.error.message };
    await this.refresh();
  };

  /** Returns the download URL when the export went to one (browser mode): the page hands it to the browser. */
  exportAll = async (): Promise<string | undefined> => {
    const r = await this.api.exportProfiles();
    if (!r.ok) return void (this.message = { kind: 'error', text: r.error.message });
    if (!r.value) return;
    const what = `Exported ${r.value.count} profile${r.value.count === 1 ? '' : 's'} (without keys)`;
    // Browser mode: main wrote a private file the browser downloads; its folder means nothing to the user.
    if (!r.value.download) return void (this.message = { kind: 'ok', text: `${what} to ${r.value.path}.` });
    const them = r.value.count === 1 ? 'it' : 'them';
    this.message = { kind: 'ok', text: `${what}; your browser saves ${them} as ${r.value.path}.` };
    return r.value.download;
  };

  /** Desktop app: main asks which file. */
  importFile = async (): Promise<void> => {
    await this.#imported(await this.api.importProfiles());
  };

  /** Browser mode: the file the user picked in the page; main checks its text as it checks a file. */
  importChosen = async (file: File): Promise<void> => {
    // Not read or sent when it cannot be an export (the bridge refuses big frames anyway).
    if (file.size > PROFILES_FILE_MAX_BYTES)
      return void (this.message = { kind: 'error', text: PROFILES_FILE_TOO_BIG });
    await this.#imported(await this.api.importProfilesText(await file.text()));
  };

  #imported = async (r: Result<ProfileSummary[] | null>): Promise<void> => {
    if (!r.ok) return void (this.message = { kind: 'error', text: r.error.message });
    if (!r.value) return;
    await this.refresh();
    if (r.value[0]) this.edit(r.value[0].id);
    this.message = {
      kind: 'ok',
      text: `Imported ${r.value.map((p) => `"${p.name}"`).join(', ')}. Exports carry no keys: set a key for each.`,
    };
  };
}
