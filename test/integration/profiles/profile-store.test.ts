import os from 'node:os';
import path from 'node:path';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ProfileStore, PROFILES_FILE } from '../../../src-main/core/profiles/profile-store.js';
import { nodeJsonFs, type JsonFs } from '../../../src-main/core/storage/json-file.js';
import { seededRandom } from '../../../src-main/shared/ids.js';

const dir = () => mkdtempSync(path.join(os.tmpdir(), 'event-desk-profiles-'));
const eu1 = { name: 'TTN EU1', baseUrl: 'https://eu1.cloud.thethings.network', color: '#1f6feb' };
const onPrem = {
  name: 'Customer on-prem',
  baseUrl: 'https://lns.customer.example:8443',
  components: { gs: 'https://gs.customer.example' },
  caPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
  color: '#8250df',
  notes: 'VPN first',
};
const open = (dataDir: string, fs?: JsonFs) =>
  ProfileStore.open({ dataDir, clock: () => 1_764_000_000_000, random: seededRandom(3), ...(fs ? { fs } : {}) });

describe('profiles file', () => {
  it('round-trips every field, keeps order, and reopens the same', async () => {
    const d = dir();
    const { store } = await open(d);
    const a = await store.create(eu1);
    const b = await store.create(onPrem);
    expect(a.ok && b.ok).toBe(true);
    const reopened = (await open(d)).store.list();
    expect(reopened).toEqual(store.list());
    expect(reopened[1]).toMatchObject({ ...onPrem, caPem: onPrem.caPem + '\n', isDemo: false });
    const file = JSON.parse(readFileSync(path.join(d, PROFILES_FILE), 'utf8'));
    expect(file.schemaVersion).toBe(2);
  });

  it('edits, duplicates, reorders and deletes', async () => {
    const d = dir();
    const { store } = await open(d);
    const a = await store.create(eu1);
    if (!a.ok) throw new Error();
    await store.update(a.value.id, { ...eu1, name: 'TTN EU1 (support)' });
    const copy = await store.duplicate(a.value.id);
    if (!copy.ok) throw new Error();
    expect(copy.value.name).toBe('TTN EU1 (support) (copy)');
    expect(copy.value.id).not.toBe(a.value.id);
    await store.reorder([copy.value.id, a.value.id]);
    expect((await open(d)).store.list().map((p) => p.id)).toEqual([copy.value.id, a.value.id]);
    expect((await store.reorder([a.value.id])).ok).toBe(false);
    await store.remove(a.value.id);
    expect((await open(d)).store.list().map((p) => p.name)).toEqual(['TTN EU1 (support) (copy)']);
  });

  it('refuses a second profile of the same name in any case; copies and imports get free names', async () => {
    const { store } = await open(dir());
    const a = await store.create(eu1);
    if (!a.ok) throw new Error();
    const twin = await store.create({ ...eu1, name: ' ttn eu1 ' });
    expect(!twin.ok && twin.error.message).toBe('A profile is named "TTN EU1" already: give this one another name.');
    expect(!twin.ok && JSON.parse(twin.error.detail!)).toEqual({
      name: 'A profile is named "TTN EU1" already: give this one another name.',
    });
    expect((await store.update(a.value.id, { ...eu1, name: 'TTN eu1', color: '#123456' })).ok).toBe(true);
    const copies = [await store.duplicate(a.value.id), await store.duplicate(a.value.id)];
    expect(copies.map((c) => c.ok && c.value.name)).toEqual(['TTN eu1 (copy)', 'TTN eu1 (copy 2)']);
    const long = await store.create({ ...eu1, name: 'x'.repeat(80) });
    if (!long.ok) throw new Error();
    const longCopy = await store.duplicate(long.value.id);
    expect(longCopy.ok && longCopy.value.name).toBe(`${'x'.repeat(73)} (copy)`);
    const again = await store.importDocument(JSON.stringify(store.exportDocument()));
    expect(again.ok && again.value.map((p) => p.name)).toEqual([
      'TTN eu1 (imported)',
      'TTN eu1 (copy) (imported)',
      'TTN eu1 (copy 2) (imported)',
      `${'x'.repeat(69)} (imported)`,
      // Cut to fit, it reads as the one before: numbered.
      `${'x'.repeat(67)} (imported 2)`,
    ]);
  });

  it("twins from an older Event Desk's file load, and each can still be edited under its own name", async () => {
    const d = dir();
    const twins = [
      { id: 'p1', ...eu1 },
      { id: 'p2', ...eu1, name: 'ttn eu1' },
    ];
    writeFileSync(path.join(d, PROFILES_FILE), JSON.stringify({ schemaVersion: 2, profiles: twins }));
    const { store } = await open(d);
    expect(store.list().map((p) => p.name)).toEqual(['TTN EU1', 'ttn eu1']);
    expect((await store.update('p2', { ...eu1, name: 'ttn eu1', color: '#123456' })).ok).toBe(true);
    // Another name another profile has is still refused.
    await store.create({ ...eu1, name: 'Support' });
    const taken = await store.update('p2', { ...eu1, name: 'SUPPORT' });
    expect(!taken.ok && taken.error.message).toBe('A profile is named "Support" already: give this one another name.');
  });

  it('rejects invalid input with every field message, and changes nothing', async () => {
    const d = dir();
    const { store } = await open(d);
    // `nope` alone would now get https:// (a URL typed without a scheme); a user name in it is refused.
    const r = await store.create({ name: '', baseUrl: 'https://user@nope', color: '#1f6feb' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('invalid-input');
    expect(Object.keys(JSON.parse(r.error.detail!))).toEqual(['name', 'baseUrl']);
    expect(existsSync(path.join(d, PROFILES_FILE))).toBe(false);
  });

  it('a crash before the rename leaves the previous file whole; the stray temp file is cleaned on reopen', async () => {
    const d = dir();
    const { store } = await open(d);
    await store.create(eu1);
    const before = readFileSync(path.join(d, PROFILES_FILE), 'utf8');
    // The process "dies" after writing half the temp file: writeFile writes a prefix, then throws.
    const crashing: JsonFs = {
      ...nodeJsonFs,
      writeFile: async (f, data) => {
        writeFileSync(f, data.slice(0, data.length / 2));
        throw new Error('killed');
      },
      unlink: async () => undefined,
    };
    const { store: crashingStore } = await open(d, crashing);
    const r = await crashingStore.create(onPrem);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/could not be saved.*nothing was changed/);
    expect(crashingStore.list()).toHaveLength(1); // memory rolled back too
    expect(readFileSync(path.join(d, PROFILES_FILE), 'utf8')).toBe(before);
    expect(readdirSync(d).some((n) => n.includes('.tmp-'))).toBe(true);
    const { store: again, problem } = await open(d);
    expect(problem).toBeUndefined();
    expect(again.list().map((p) => p.name)).toEqual(['TTN EU1']);
    expect(readdirSync(d).some((n) => n.includes('.tmp-'))).toBe(false);
  });

  it('a corrupt file is kept aside with a clear message, never silently replaced', async () => {
    const d = dir();
    writeFileSync(path.join(d, PROFILES_FILE), '{"schemaVersion":2,"profiles":[{"id":"p1","name":"x"');
    const { store, problem } = await open(d);
    expect(problem).toMatch(/could not be read \(not valid JSON.*It was kept as .*profiles\.corrupt-.*\.json/);
    expect(store.list()).toEqual([]);
    const aside = readdirSync(d).find((n) => n.startsWith('profiles.corrupt-'))!;
    expect(readFileSync(path.join(d, aside), 'utf8')).toContain('"name":"x"');
  });

  it('a profile with an invalid URL makes the file corrupt, named in the message', async () => {
    const d = dir();
    writeFileSync(
      path.join(d, PROFILES_FILE),
      JSON.stringify({
        schemaVersion: 2,
        profiles: [{ id: 'p1', name: 'Bad', baseUrl: 'ftp://files.example', color: '#000000' }],
      }),
    );
    const { problem } = await open(d);
    expect(problem).toMatch(/Profile 1 \(Bad\): The base URL must start with https:\/\/ or http:\/\//);
  });

  it('migrates a schema 1 file and writes it back as schema 2', async () => {
    const d = dir();
    writeFileSync(
      path.join(d, PROFILES_FILE),
      JSON.stringify({
        schemaVersion: 1,
        profiles: [{ id: 'p-old', name: 'Old', url: 'https://old.example', color: '#d1242f' }],
      }),
    );
    const { store, problem } = await open(d);
    expect(problem).toBeUndefined();
    expect(store.list()).toEqual([
      { id: 'p-old', name: 'Old', baseUrl: 'https://old.example', color: '#d1242f', isDemo: false },
    ]);
    expect(JSON.parse(readFileSync(path.join(d, PROFILES_FILE), 'utf8')).schemaVersion).toBe(2);
  });

  it('leaves a file from a newer Event Desk untouched and read-only', async () => {
    const d = dir();
    const text = JSON.stringify({ schemaVersion: 9, profiles: [] });
    writeFileSync(path.join(d, PROFILES_FILE), text);
    const { store, problem } = await open(d);
    expect(problem).toMatch(/newer Event Desk \(schema 9\)/);
    expect((await store.create(eu1)).ok).toBe(false);
    expect(readFileSync(path.join(d, PROFILES_FILE), 'utf8')).toBe(text);
  });

  it('exports without ids or the demo profile, and imports as new profiles', async () => {
    const d = dir();
    const { store } = await open(d);
    await store.create({ name: 'Demo stack', baseUrl: 'http://127.0.0.1', color: '#0b8a6f' }, { isDemo: true });
    await store.create(onPrem);
    const doc = store.exportDocument();
    expect(doc.profiles).toEqual([{ ...onPrem, caPem: onPrem.caPem + '\n' }]);
    const other = (await open(dir())).store;
    const r = await other.importDocument(JSON.stringify(doc));
    expect(r.ok && r.value.map((p) => p.name)).toEqual(['Customer on-prem']);
    expect((await other.importDocument('{"profiles":[]}')).ok).toBe(false);
    const bad = await other.importDocument(JSON.stringify({ ...doc, profiles: [{ ...onPrem, baseUrl: 'ftp://x' }] }));
    expect(!bad.ok && bad.error.message).toMatch(
      /Profile 1 of the file \(Customer on-prem\): The base URL must start with https:\/\/ or http:\/\//,
    );
  });
});
