/**
 * Config files are read entry by entry (#13, failures 7 and 10): one bad profile or workspace is left
 * out and named while the rest loads; migrations and repairs keep a copy of the file as it was; a
 * UTF-8 BOM is accepted; an invalid settings file is reported, not reset silently; unknown keys never
 * reach the workspaces file; a long filter saves.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ProfileStore, PROFILES_FILE } from '../../../src-main/core/profiles/profile-store.js';
import { WorkspaceStore, WORKSPACES_FILE } from '../../../src-main/core/services/workspace-store.js';
import { SettingsStore } from '../../../src-main/core/services/settings-store.js';
import { dispatchInvoke } from '../../../src-main/core/ipc-dispatch.js';
import type { InvokeHandlers } from '../../../src-main/shared/ipc/contract.js';
import type { WorkspacesDoc } from '../../../src-main/shared/domain/workspace.js';
import { ok } from '../../../src-main/shared/result.js';

const dir = () => mkdtempSync(path.join(os.tmpdir(), 'event-desk-config-'));
const BOM = '\uFEFF';
const openProfiles = (dataDir: string) => ProfileStore.open({ dataDir, clock: () => 1_764_000_000_000 });
const profile = (id: string, name: string, baseUrl = 'https://eu1.cloud.thethings.network') => ({
  id,
  name,
  baseUrl,
  color: '#1f6feb',
});
const workspace = (id: string, name: string, extra: Record<string, unknown> = {}) => ({
  id,
  name,
  filter: '',
  streams: [{ profileId: 'p1', entities: [{ kind: 'application', id: 'app1' }], names: [] }],
  savedFilters: [],
  ...extra,
});
const wsDoc = (workspaces: unknown[]) => ({ schemaVersion: 1, workspaces, settings: { utc: true, newestOnTop: true } });

describe('profiles.json, entry by entry', () => {
  it('one profile with a javascript: URL is left out and named; the others load; the file as it was is kept', async () => {
    const d = dir();
    const text = JSON.stringify({
      schemaVersion: 2,
      profiles: [
        profile('p1', 'EU1'),
        profile('p2', 'Evil', 'javascript:alert(1)'),
        profile('p3', 'NAM1', 'https://nam1.cloud.thethings.network'),
      ],
    });
    writeFileSync(path.join(d, PROFILES_FILE), text);
    const { store, problem } = await openProfiles(d);
    expect(store.list().map((p) => p.name)).toEqual(['EU1', 'NAM1']);
    expect(problem).toMatch(/One profile could not be read and was left out: Profile 2 \(Evil\)/);
    const copy = readdirSync(d).find((n) => n.startsWith('profiles.before-repair-'));
    expect(copy && readFileSync(path.join(d, copy), 'utf8')).toBe(text);
  });

  it('a schema 1 file is migrated with a backup of the old file', async () => {
    const d = dir();
    const v1 = JSON.stringify({
      schemaVersion: 1,
      profiles: [{ id: 'p-old', name: 'Old', url: 'https://old.example', color: '#d1242f' }],
    });
    writeFileSync(path.join(d, PROFILES_FILE), v1);
    const { store, problem } = await openProfiles(d);
    expect(problem).toBeUndefined();
    expect(store.list().map((p) => p.baseUrl)).toEqual(['https://old.example']);
    const backup = readdirSync(d).find((n) => n.startsWith('profiles.v1-backup-'));
    expect(backup && readFileSync(path.join(d, backup), 'utf8')).toBe(v1);
  });

  it('a file saved with a UTF-8 BOM loads', async () => {
    const d = dir();
    writeFileSync(
      path.join(d, PROFILES_FILE),
      BOM + JSON.stringify({ schemaVersion: 2, profiles: [profile('p1', 'EU1')] }),
    );
    const { store, problem } = await openProfiles(d);
    expect(problem).toBeUndefined();
    expect(store.list().map((p) => p.name)).toEqual(['EU1']);
  });
});

describe('workspaces.json, entry by entry', () => {
  it('a 300-character name is shortened and a broken workspace left out, the rest load', async () => {
    const d = dir();
    const long = 'L'.repeat(300);
    writeFileSync(
      path.join(d, WORKSPACES_FILE),
      JSON.stringify(
        wsDoc([
          workspace('w1', 'Support'),
          workspace('w2', long),
          workspace('w3', 'Broken', { streams: [{ profileId: 'p1', entities: 'nope', names: [] }] }),
          { name: 'No id' },
        ]),
      ),
    );
    const { doc, problem } = await new WorkspaceStore(d).load();
    expect(doc.workspaces.map((w) => w.id)).toEqual(['w1', 'w2', 'w3']);
    expect(doc.workspaces[1]!.name).toBe('L'.repeat(200));
    expect(doc.workspaces[2]!.streams).toEqual([]);
    expect(problem).toMatch(/its name was longer than 200 characters and was shortened/);
    expect(problem).toMatch(/Workspace "Broken": a saved stream could not be read and was left out/);
    expect(problem).toMatch(/Workspace "No id" has no valid id and was left out/);
    expect(problem).toMatch(/The file as it was is kept as .*workspaces\.before-repair-/);
  });

  it('a file saved with a UTF-8 BOM loads', async () => {
    const d = dir();
    writeFileSync(path.join(d, WORKSPACES_FILE), BOM + JSON.stringify(wsDoc([workspace('w1', 'Support')])));
    const { doc, problem } = await new WorkspaceStore(d).load();
    expect(problem).toBeUndefined();
    expect(doc.workspaces.map((w) => w.name)).toEqual(['Support']);
  });

  it('workspaces:save drops unknown keys (__proto__, constructor, anything else) before writing, and takes a 5,000-character filter', async () => {
    const d = dir();
    const store = new WorkspaceStore(d);
    const handlers = { 'workspaces:save': (doc: WorkspacesDoc) => store.save(doc) } as unknown as InvokeHandlers;
    const filter = Array.from({ length: 400 }, (_, i) => `device:dev-${String(i).padStart(4, '0')}`)
      .join(' OR ')
      .slice(0, 5000);
    // What arrives over IPC: JSON parsed, so `__proto__` is an own key.
    const payload = JSON.parse(
      `{"schemaVersion":1,"__proto__":{"polluted":true},"extra":1,"settings":{"utc":true,"newestOnTop":false,` +
        `"constructor":{"prototype":{"x":1}}},"workspaces":[{"id":"w1","name":"Support","filter":${JSON.stringify(filter)},` +
        `"streams":[{"profileId":"p1","entities":[{"kind":"application","id":"app1","__proto__":{"a":1}}],` +
        `"names":[],"evil":"x"}],"savedFilters":[{"name":"long","query":${JSON.stringify(filter)},"constructor":"x"}],` +
        `"__proto__":{"b":2}}]}`,
    ) as unknown;
    const r = await dispatchInvoke(handlers, 'workspaces:save', [payload]);
    expect(r).toEqual(ok(undefined));
    const text = readFileSync(path.join(d, WORKSPACES_FILE), 'utf8');
    for (const key of ['__proto__', 'constructor', 'polluted', 'extra', 'evil', 'prototype'])
      expect(text).not.toContain(key);
    const saved = JSON.parse(text) as WorkspacesDoc;
    expect(saved.workspaces[0]!.filter).toBe(filter);
    expect(saved.settings).toEqual({ utc: true, newestOnTop: false });
    expect((await store.load()).doc).toEqual(saved);
  });
});

describe('settings.json', () => {
  it('an invalid value is reported in the log, the valid ones are kept, and a copy of the file is kept', async () => {
    const d = dir();
    writeFileSync(
      path.join(d, 'settings.json'),
      JSON.stringify({ schemaVersion: 1, retention: { maxEvents: 'lots', maxBytes: 64 * 1024 * 1024 } }),
    );
    const logs: string[] = [];
    const settings = await new SettingsStore(d).load((m) => logs.push(m));
    expect(settings.retention.maxBytes).toBe(64 * 1024 * 1024);
    expect(logs.join('\n')).toMatch(/settings\.json: retention\.maxEvents \(lots\) is not a whole number/);
    expect(readdirSync(d).some((n) => n.startsWith('settings.before-repair-'))).toBe(true);
  });

  it('a file with a BOM loads without complaint', async () => {
    const d = dir();
    writeFileSync(
      path.join(d, 'settings.json'),
      BOM + JSON.stringify({ schemaVersion: 1, retention: { maxEvents: 50_000, maxBytes: 64 * 1024 * 1024 } }),
    );
    const logs: string[] = [];
    expect((await new SettingsStore(d).load((m) => logs.push(m))).retention).toEqual({
      maxEvents: 50_000,
      maxBytes: 64 * 1024 * 1024,
    });
    expect(logs).toEqual([]);
  });
});
