/**
 * Server profiles persisted as `profiles.json` in the app's data directory.
 *
 * Schema-versioned, validated on load entry by entry, written atomically. A file that cannot be read is
 * moved aside and reported, never silently replaced; a profile that cannot be read is left out and named,
 * with a copy of the file kept; a migration keeps the old file as a backup; a file from a newer Event
 * Desk is left alone (read-only).
 */
import path from 'node:path';
import {
  COMPONENTS,
  normalizeProfile,
  validateProfile,
  type Profile,
  type ProfileInput,
} from '../../shared/domain/profile.js';
import { ulid, type Random } from '../../shared/ids.js';
import { err, ok, type Result } from '../../shared/result.js';
import { keepAside, keepCopy, nodeJsonFs, readJson, writeJsonAtomic, type JsonFs } from '../storage/json-file.js';

export const PROFILES_FILE = 'profiles.json';
/** v1: `{schemaVersion:1, profiles:[{id,name,url,color,notes?}]}`; v2 renamed `url` → `baseUrl`, added components, CA, demo flag. */
export const PROFILES_SCHEMA = 2;
export const EXPORT_FORMAT = 'event-desk.profiles';

interface FileV2 {
  schemaVersion: 2;
  profiles: Profile[];
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Migrations from each older schema to the next; the store runs them in order on load. */
const MIGRATIONS: Record<number, (doc: Json) => Json> = {
  1: (doc) => ({
    schemaVersion: 2,
    profiles: (Array.isArray(doc.profiles) ? doc.profiles : []).map((p: unknown) => {
      const o = isObj(p) ? p : {};
      const { url, ...rest } = o;
      return { ...rest, baseUrl: url, isDemo: false };
    }),
  }),
};

/** A profile read from disk or an import, checked field by field. */
function toProfile(v: unknown, where: string): Result<Profile> {
  if (!isObj(v)) return err('invalid-input', `${where} is not an object.`);
  const input: ProfileInput = {
    name: typeof v.name === 'string' ? v.name : '',
    baseUrl: typeof v.baseUrl === 'string' ? v.baseUrl : '',
    color: typeof v.color === 'string' ? v.color : '',
    ...(typeof v.caPem === 'string' ? { caPem: v.caPem } : {}),
    ...(typeof v.notes === 'string' ? { notes: v.notes } : {}),
  };
  if (isObj(v.components)) {
    const c: Partial<Record<(typeof COMPONENTS)[number], string>> = {};
    for (const k of COMPONENTS) if (typeof v.components[k] === 'string') c[k] = v.components[k];
    input.components = c;
  }
  const problems = validateProfile(input);
  const first = Object.entries(problems)[0];
  if (first) return err('invalid-input', `${where} (${input.name || 'unnamed'}): ${first[1]}`);
  const id = typeof v.id === 'string' && /^[\w-]{1,64}$/.test(v.id) ? v.id : '';
  if (!id) return err('invalid-input', `${where} has no valid id.`);
  return ok({ id, isDemo: v.isDemo === true, ...normalizeProfile(input) });
}

export interface ProfileStoreOptions {
  dataDir: string;
  fs?: JsonFs;
  clock?: () => number;
  random?: Random;
}

export interface OpenedProfiles {
  store: ProfileStore;
  /** What went wrong reading the file, in words for the UI (the file was kept aside or left alone). */
  problem?: string;
}

export class ProfileStore {
  #profiles: Profile[];
  #writes: Promise<void> = Promise.resolve();
  readonly file: string;

  private constructor(
    private readonly options: Required<Omit<ProfileStoreOptions, 'dataDir'>> & { dataDir: string },
    profiles: Profile[],
    /** Set when the file on disk is from a newer schema: nothing may overwrite it. */
    readonly readOnlyReason: string | undefined,
  ) {
    this.#profiles = profiles;
    this.file = path.join(options.dataDir, PROFILES_FILE);
  }

  static async open(options: ProfileStoreOptions): Promise<OpenedProfiles> {
    const full = { fs: nodeJsonFs, clock: Date.now, random: Math.random, ...options };
    const file = path.join(options.dataDir, PROFILES_FILE);
    const read = await readJson(file, full.fs);
    if (read.kind === 'missing') return { store: new ProfileStore(full, [], undefined) };
    const aside = async (reason: string): Promise<OpenedProfiles> => {
      const moved = await keepAside(file, full.clock(), full.fs);
      return {
        store: new ProfileStore(full, [], undefined),
        problem: `The profiles file could not be read (${reason}). It was kept as ${moved}; your profiles start empty. Re-create them or import an export.`,
      };
    };
    if (read.kind === 'corrupt') return aside(read.reason);
    let doc = read.value;
    if (!isObj(doc) || !Number.isInteger(doc.schemaVersion)) return aside('no schemaVersion');
    let version = doc.schemaVersion as number;
    if (version > PROFILES_SCHEMA) {
      return {
        store: new ProfileStore(
          full,
          [],
          `The profiles file was written by a newer Event Desk (schema ${version}); it is left untouched and profiles are read-only until you update.`,
        ),
        problem: `The profiles file is from a newer Event Desk (schema ${version}). Update Event Desk to use it; nothing was changed.`,
      };
    }
    while (version < PROFILES_SCHEMA) {
      const migrate = MIGRATIONS[version];
      if (!migrate) return aside(`unknown schema ${version}`);
      doc = migrate(doc as Json);
      version = (doc as Json).schemaVersion as number;
    }
    const list = (doc as Json).profiles;
    if (!Array.isArray(list)) return aside('no profile list');
    // Entry by entry (#13): one profile that cannot be used is left out and named; the others load.
    const profiles: Profile[] = [];
    const problems: string[] = [];
    const ids = new Set<string>();
    for (const [i, p] of list.entries()) {
      const r = toProfile(p, `Profile ${i + 1}`);
      if (!r.ok) problems.push(r.error.message);
      else if (ids.has(r.value.id))
        problems.push(`Profile ${i + 1} (${r.value.name}) has the same id as an earlier one.`);
      else {
        ids.add(r.value.id);
        profiles.push(r.value);
      }
    }
    const store = new ProfileStore(full, profiles, undefined);
    const migrated = read.value !== doc;
    // Anything that rewrites the file loses what could not be read, or the old schema: keep the file as it was.
    const copy =
      migrated || problems.length
        ? await keepCopy(
            file,
            migrated ? `v${(read.value as Json).schemaVersion as number}-backup` : 'before-repair',
            full.clock(),
            full.fs,
          )
        : undefined;
    if (migrated) await store.#persist(); // write the current schema once
    if (problems.length === 0) return { store };
    return {
      store,
      problem:
        problems.length === 1
          ? `One profile could not be read and was left out: ${problems[0]} The file as it was is kept as ${copy}.`
          : `${problems.length} profiles could not be read and were left out: ${problems.join(' ')} The file as it was is kept as ${copy}.`,
    };
  }

  list(): Profile[] {
    return this.#profiles.map((p) => ({ ...p }));
  }

  get(id: string): Profile | undefined {
    const p = this.#profiles.find((x) => x.id === id);
    return p && { ...p };
  }

  #newId(): string {
    return `p-${ulid(this.options.clock(), this.options.random).toLowerCase()}`;
  }

  #persist(): Promise<void> {
    const doc: FileV2 = { schemaVersion: PROFILES_SCHEMA, profiles: this.#profiles };
    const snapshot = JSON.parse(JSON.stringify(doc)) as FileV2;
    // Writes are serialized so an older snapshot can never land after a newer one.
    const next = this.#writes.then(() => writeJsonAtomic(this.file, snapshot, this.options.fs));
    this.#writes = next.catch(() => undefined);
    return next;
  }

  async #commit(profiles: Profile[]): Promise<Result<void>> {
    if (this.readOnlyReason) return err('invalid-input', this.readOnlyReason);
    const before = this.#profiles;
    this.#profiles = profiles;
    try {
      await this.#persist();
      return ok(undefined);
    } catch (e) {
      this.#profiles = before;
      return err(
        'io',
        `The profiles could not be saved to ${this.file}: ${(e as Error).message}. Check free disk space and permissions; nothing was changed.`,
      );
    }
  }

  /** `name`, or `name (copy)`, `name (copy 2)`, … when a profile has it (within the 80 characters a name may have). */
  #freeName(name: string, why: string, also: readonly Profile[] = []): string {
    const taken = new Set([...this.#profiles, ...also].map((p) => p.name.toLowerCase()));
    if (!taken.has(name.trim().toLowerCase())) return name;
    for (let n = 1; ; n++) {
      const suffix = ` (${why}${n > 1 ? ` ${n}` : ''})`;
      const candidate = `${name.trim().slice(0, 80 - suffix.length)}${suffix}`;
      if (!taken.has(candidate.toLowerCase())) return candidate;
    }
  }

  /** `input` valid and named unlike every other profile (`self`: the one being edited). */
  #check(input: ProfileInput, self?: string): Result<ProfileInput> {
    const problems = validateProfile(input);
    // Names pick profiles (`--profile`, `profile:"…"`) without regard to case: two alike could be told apart by id only.
    const name = input.name.trim().toLowerCase();
    // A name kept as it was is not new: twins from an older Event Desk's file can still be edited.
    const kept = self !== undefined && this.#profiles.find((p) => p.id === self)?.name.toLowerCase() === name;
    const twin = kept ? undefined : this.#profiles.find((p) => p.id !== self && p.name.toLowerCase() === name);
    if (twin && !problems.name)
      problems.name = `A profile is named "${twin.name}" already: give this one another name.`;
    const entries = Object.entries(problems);
    if (entries.length) return err('invalid-input', entries.map(([, m]) => m).join(' '), JSON.stringify(problems));
    return ok(normalizeProfile(input));
  }

  async create(input: ProfileInput, opts: { isDemo?: boolean } = {}): Promise<Result<Profile>> {
    const checked = this.#check(input);
    if (!checked.ok) return checked;
    const profile: Profile = { id: this.#newId(), isDemo: opts.isDemo ?? false, ...checked.value };
    const r = await this.#commit([...this.#profiles, profile]);
    return r.ok ? ok({ ...profile }) : r;
  }

  async update(id: string, input: ProfileInput): Promise<Result<Profile>> {
    const current = this.#profiles.find((p) => p.id === id);
    if (!current) return err('not-found', `There is no profile "${id}".`);
    const checked = this.#check(input, id);
    if (!checked.ok) return checked;
    const profile: Profile = { id, isDemo: current.isDemo, ...checked.value };
    const r = await this.#commit(this.#profiles.map((p) => (p.id === id ? profile : p)));
    return r.ok ? ok({ ...profile }) : r;
  }

  async duplicate(id: string): Promise<Result<Profile>> {
    const current = this.#profiles.find((p) => p.id === id);
    if (!current) return err('not-found', `There is no profile "${id}".`);
    const { id: _id, isDemo, ...input } = current;
    return this.create({ ...input, name: this.#freeName(current.name, 'copy') }, { isDemo });
  }

  async remove(id: string): Promise<Result<void>> {
    if (!this.#profiles.some((p) => p.id === id)) return err('not-found', `There is no profile "${id}".`);
    return this.#commit(this.#profiles.filter((p) => p.id !== id));
  }

  async reorder(ids: string[]): Promise<Result<void>> {
    const known = new Set(this.#profiles.map((p) => p.id));
    if (ids.length !== known.size || !ids.every((id) => known.delete(id)))
      return err('invalid-input', 'The new order must list every profile exactly once.');
    const byId = new Map(this.#profiles.map((p) => [p.id, p]));
    return this.#commit(ids.map((id) => byId.get(id)!));
  }

  /** A shareable export: no ids, no keys (keys are never in a profile anyway), no demo profile. */
  exportDocument(ids?: string[]): {
    format: string;
    schemaVersion: number;
    exportedAt: string;
    profiles: ProfileInput[];
  } {
    const chosen = this.#profiles.filter((p) => !p.isDemo && (!ids || ids.includes(p.id)));
    return {
      format: EXPORT_FORMAT,
      schemaVersion: PROFILES_SCHEMA,
      exportedAt: new Date(this.options.clock()).toISOString(),
      profiles: chosen.map(({ id: _i, isDemo: _d, ...rest }) => rest),
    };
  }

  /** Add the profiles of an export as new profiles (new ids; the user then sets their keys). */
  async importDocument(text: string): Promise<Result<Profile[]>> {
    let doc: unknown;
    try {
      doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch (e) {
      return err(
        'invalid-input',
        `The file is not JSON (${(e as Error).message}). Choose a profiles export from Event Desk.`,
      );
    }
    if (!isObj(doc) || doc.format !== EXPORT_FORMAT || !Array.isArray(doc.profiles))
      return err(
        'invalid-input',
        'The file is not an Event Desk profiles export (it has no "format": "event-desk.profiles").',
      );
    if (typeof doc.schemaVersion === 'number' && doc.schemaVersion > PROFILES_SCHEMA)
      return err(
        'invalid-input',
        `The export is from a newer Event Desk (schema ${doc.schemaVersion}). Update Event Desk to import it.`,
      );
    const added: Profile[] = [];
    for (const [i, p] of doc.profiles.entries()) {
      const r = toProfile(isObj(p) ? { ...p, id: this.#newId() } : p, `Profile ${i + 1} of the file`);
      if (!r.ok) return r;
      added.push({ ...r.value, name: this.#freeName(r.value.name, 'imported', added), isDemo: false });
    }
    const r = await this.#commit([...this.#profiles, ...added]);
    return r.ok ? ok(added) : r;
  }
}
