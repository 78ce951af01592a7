/**
 * Profiles plus their keys: the one place that joins the profiles file, the keychain and the demo stack.
 *
 * Keys go in (set/replace/clear) and are used here to reach servers; they never come back out.
 */
import { promises as fs } from 'node:fs';
import {
  streamUrls,
  identityUrl,
  PROFILE_COLORS,
  PROFILES_FILE_MAX_BYTES,
  PROFILES_FILE_TOO_BIG,
  type Profile,
  type ProfileInput,
  type ProfileSummary,
  type ProfilesView,
} from '../../shared/domain/profile.js';
import type { ConnectionCheck } from '../../shared/domain/auth-check.js';
import { err, ok, type Result } from '../../shared/result.js';
import { checkConnection } from '../profiles/check-connection.js';
import { ProfileStore } from '../profiles/profile-store.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { generateApiKey, randomApiKey } from '../stack/server.js';
import type { DemoStack } from './demo-stack.js';
import type { Dialogs } from './dialogs.js';
import type { ServerEndpoint } from './stream-manager.js';

export const DEMO_INPUT: ProfileInput = {
  name: 'Demo stack',
  baseUrl: 'http://127.0.0.1',
  color: PROFILE_COLORS[0]!,
  notes: 'The built-in stack: simulated devices and gateways on this computer. No account needed.',
};

const KEY_SHAPE = /^[\x21-\x7e]{8,4096}$/;

export class ProfileService {
  #problem: string | undefined;

  private constructor(
    readonly store: ProfileStore,
    private readonly secrets: SecretStore,
    private readonly demo: DemoStack,
    private readonly dialogs: Dialogs,
    /** Only tests pass one; the Demo stack key otherwise comes from the OS's secure random source. */
    private readonly random: (() => number) | undefined,
    problem: string | undefined,
  ) {
    this.#problem = problem;
  }

  /** Open the profiles file; on first run (no profile at all) create the Demo stack profile. */
  static async open(deps: {
    dataDir: string;
    secrets: SecretStore;
    demo: DemoStack;
    dialogs: Dialogs;
    clock?: () => number;
    random?: () => number;
    log?: (m: string) => void;
  }): Promise<ProfileService> {
    const { store, problem } = await ProfileStore.open({
      dataDir: deps.dataDir,
      ...(deps.clock ? { clock: deps.clock } : {}),
      ...(deps.random ? { random: deps.random } : {}),
    });
    if (problem) deps.log?.(problem);
    if (store.list().length === 0 && !store.readOnlyReason && !problem) {
      const r = await store.create(DEMO_INPUT, { isDemo: true });
      if (!r.ok) deps.log?.(`the Demo stack profile could not be created: ${r.error.message}`);
    }
    return new ProfileService(store, deps.secrets, deps.demo, deps.dialogs, deps.random, problem);
  }

  async view(): Promise<ProfilesView> {
    const profiles: ProfileSummary[] = [];
    // One keychain call for all profiles, not one per profile (#13).
    const accounts = await this.secrets.accounts();
    const keychainProblem = accounts.ok ? undefined : accounts.error.message;
    for (const p of this.store.list()) profiles.push({ ...p, hasKey: accounts.ok && accounts.value.has(p.id) });
    const problem = [this.#problem, this.store.readOnlyReason, keychainProblem].filter(Boolean).join(' ') || undefined;
    return problem ? { profiles, problem } : { profiles };
  }

  async #summary(p: Profile): Promise<ProfileSummary> {
    const has = await this.secrets.has(p.id);
    return { ...p, hasKey: has.ok && has.value };
  }

  async create(input: ProfileInput): Promise<Result<ProfileSummary>> {
    const r = await this.store.create(input);
    return r.ok ? ok(await this.#summary(r.value)) : r;
  }

  async update(id: string, input: ProfileInput): Promise<Result<ProfileSummary>> {
    const r = await this.store.update(id, input);
    return r.ok ? ok(await this.#summary(r.value)) : r;
  }

  /** A copy of the profile, with a copy of its key so it works straight away. */
  async duplicate(id: string): Promise<Result<ProfileSummary>> {
    const r = await this.store.duplicate(id);
    if (!r.ok) return r;
    const key = await this.secrets.get(id);
    if (key.ok && key.value) await this.secrets.set(r.value.id, key.value);
    return ok(await this.#summary(r.value));
  }

  /** Delete the profile and its key (a key left behind in the keychain would be a secret nobody manages). */
  async remove(id: string): Promise<Result<void>> {
    const r = await this.store.remove(id);
    if (!r.ok) return r;
    const d = await this.secrets.delete(id);
    if (!d.ok)
      return err(
        'keychain-unavailable',
        `The profile was deleted, but its key could not be removed from the keychain: ${d.error.message}`,
      );
    return ok(undefined);
  }

  reorder(ids: string[]): Promise<Result<void>> {
    return this.store.reorder(ids);
  }

  async setKey(id: string, key: string): Promise<Result<void>> {
    if (!this.store.get(id)) return err('not-found', `There is no profile "${id}".`);
    const trimmed = key.trim();
    if (!KEY_SHAPE.test(trimmed))
      return err(
        'invalid-input',
        'That does not look like an API key: paste the whole key (it starts with NNSXS. for Things Stack API keys) without spaces.',
      );
    return this.secrets.set(id, trimmed);
  }

  async clearKey(id: string): Promise<Result<void>> {
    if (!this.store.get(id)) return err('not-found', `There is no profile "${id}".`);
    const r = await this.secrets.delete(id);
    return r.ok ? ok(undefined) : r;
  }

  /** The key of the Demo stack profile, generated and stored in the keychain the first time. */
  async #demoKey(id: string): Promise<Result<string>> {
    const stored = await this.secrets.get(id);
    if (!stored.ok) return stored;
    if (stored.value) return ok(stored.value);
    const key = this.random ? generateApiKey(this.random) : randomApiKey();
    const set = await this.secrets.set(id, key);
    return set.ok ? ok(key) : set;
  }

  async resolve(profileId: string): Promise<Result<ServerEndpoint>> {
    const p = this.store.get(profileId);
    if (!p)
      // Not the id: it means nothing to the user, who sees this on the stream's line.
      return err(
        'not-found',
        'The server profile of this stream was deleted; add the stream again with another profile.',
      );
    if (p.isDemo) {
      const key = await this.#demoKey(p.id);
      if (!key.ok) return key;
      try {
        return ok({ urls: [await this.demo.url(key.value)], apiKey: key.value });
      } catch (e) {
        return err('internal', `The demo stack could not start: ${(e as Error).message}`);
      }
    }
    const key = await this.secrets.get(p.id);
    if (!key.ok) return key;
    if (!key.value) return err('auth', `No API key is set for "${p.name}". Open Profiles, select it and set a key.`);
    return ok({ urls: streamUrls(p), apiKey: key.value, ...(p.caPem ? { ca: p.caPem } : {}) });
  }

  async check(profileId: string): Promise<Result<ConnectionCheck>> {
    const p = this.store.get(profileId);
    if (!p) return err('not-found', `There is no server profile "${profileId}".`);
    if (p.isDemo) {
      const e = await this.resolve(profileId);
      if (!e.ok) return e;
      return checkConnection({ url: e.value.urls[0]!, apiKey: e.value.apiKey });
    }
    const key = await this.secrets.get(p.id);
    if (!key.ok) return key;
    return checkConnection({ url: identityUrl(p), apiKey: key.value, ...(p.caPem ? { ca: p.caPem } : {}) });
  }

  /** Export profiles (never keys) to a file the user picks. */
  async exportToFile(): Promise<Result<{ path: string; count: number } | null>> {
    const doc = this.store.exportDocument();
    if (doc.profiles.length === 0)
      return err('invalid-input', 'There are no profiles to export (the Demo stack profile is not exported).');
    const file = await this.dialogs.save({
      title: 'Export server profiles',
      defaultName: 'event-desk-profiles.json',
      filters: [{ name: 'Event Desk profiles', extensions: ['json'] }],
    });
    if (!file) return ok(null);
    try {
      await fs.writeFile(file, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600 });
    } catch (e) {
      return err('io', `The export could not be written to ${file}: ${(e as Error).message}.`);
    }
    return ok({ path: file, count: doc.profiles.length });
  }

  /** Read a CA certificate file the user picks (certificates are public; the form shows the text). */
  async pickCaFile(): Promise<Result<string | null>> {
    const file = await this.dialogs.open({
      title: 'Choose the CA certificate (PEM)',
      filters: [
        { name: 'PEM certificates', extensions: ['pem', 'crt', 'cer'] },
        { name: 'All files', extensions: ['*'] },
      ],
    });
    if (!file) return ok(null);
    try {
      const stat = await fs.stat(file);
      if (stat.size > 256 * 1024)
        return err('invalid-input', 'That file is larger than 256 KB: choose the CA certificate chain only.');
      const text = await fs.readFile(file, 'utf8');
      if (/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(text))
        return err(
          'invalid-input',
          'That file contains a private key. Choose the CA certificate only; a private key does not belong in a profile.',
        );
      if (!/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(text))
        return err('invalid-input', `${file} is not a PEM certificate: it should contain -----BEGIN CERTIFICATE-----.`);
      return ok(text.trim() + '\n');
    } catch (e) {
      return err('io', `The file could not be read: ${(e as Error).message}.`);
    }
  }

  /** Import profiles from a file the user picks; they arrive without keys. */
  async importFromFile(): Promise<Result<ProfileSummary[] | null>> {
    const file = await this.dialogs.open({
      title: 'Import server profiles',
      filters: [{ name: 'Event Desk profiles', extensions: ['json'] }],
    });
    if (!file) return ok(null);
    let text: string;
    try {
      const stat = await fs.stat(file);
      if (stat.size > PROFILES_FILE_MAX_BYTES) return err('invalid-input', PROFILES_FILE_TOO_BIG);
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      return err('io', `The file could not be read: ${(e as Error).message}.`);
    }
    return this.importText(text);
  }

  /** Import the text of a profiles export (browser mode reads the file in the page); the same checks as a file. */
  async importText(text: string): Promise<Result<ProfileSummary[]>> {
    if (Buffer.byteLength(text, 'utf8') > PROFILES_FILE_MAX_BYTES) return err('invalid-input', PROFILES_FILE_TOO_BIG);
    const r = await this.store.importDocument(text);
    if (!r.ok) return r;
    return ok(await Promise.all(r.value.map((p) => this.#summary(p))));
  }
}
