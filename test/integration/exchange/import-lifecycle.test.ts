/**
 * What an import leaves behind (#16, finding 10): a file that yields no events (binary, empty, not
 * events), opened or dropped, leaves no capture, catalog or stream and says why in the log; a workspace
 * opened from a file comes back after a restart with what it held, read-only.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src-main/core/app-core.js';
import { ScriptedDialogs } from '../../../src-main/core/services/dialogs.js';
import { notText } from '../../../src-main/core/exchange/import-session.js';
import { testCore } from '../../helpers/core.js';

const event = (n: number) =>
  JSON.stringify({
    name: 'as.up.data.forward',
    time: new Date(Date.UTC(2026, 0, 1) + n).toISOString(),
    identifiers: [{ device_ids: { device_id: 'dev1', application_ids: { application_id: 'app1' } } }],
    unique_id: `u${n}`,
  });

describe('import lifecycle', () => {
  const cores: Core[] = [];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-import-life-'));
  const files = mkdtempSync(path.join(os.tmpdir(), 'event-desk-import-files-'));
  const dialogs = new ScriptedDialogs();
  const logs: string[] = [];
  const open = async () => {
    const core = await testCore(dataDir, { dialogs, log: (m) => logs.push(m) });
    cores.push(core);
    return core;
  };
  /** Capture files and catalogs of imports in the data folder. */
  const importedFiles = () => readdirSync(core0CaptureDir()).filter((n) => /imported|capture\.json/.test(n));
  let captureDir = '';
  const core0CaptureDir = () => captureDir;
  afterAll(async () => {
    for (const c of cores) await c.dispose();
  });

  it('refuses a binary file at once and leaves nothing behind, opened or dropped', async () => {
    const core = await open();
    captureDir = core.index.dir;
    const zip = path.join(files, 'ticket.zip');
    writeFileSync(zip, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(4000, 7), Buffer.from([0, 0xff, 0xfe])]));
    dialogs.opens.push(zip);
    const opened = await core.handlers['import:open']('ws9');
    expect(opened.ok).toBe(false);
    if (!opened.ok) expect(opened.error.message).toMatch(/^ticket\.zip is a ZIP archive: unpack it/);

    const begin = await core.handlers['import:begin']('ws10', 'photo.bin', 9000);
    if (!begin.ok) throw new Error(begin.error.message);
    const chunk = await core.handlers['import:chunk'](begin.value, '\u0000\u0001\ufffd\ufffd'.repeat(1000));
    expect(chunk.ok).toBe(false);
    if (!chunk.ok) expect(chunk.error.message).toMatch(/photo\.bin is binary data \(it holds NUL bytes\)/);
    // The window stops sending; the import is over.
    expect((await core.handlers['import:chunk'](begin.value, 'more')).ok).toBe(false);

    const list = await core.handlers['streams:list']();
    expect(list.ok && list.value).toEqual([]);
    expect(importedFiles()).toEqual([]);
    expect(logs.join('\n')).toMatch(/import failed: ticket\.zip is a ZIP archive/);
    expect(logs.join('\n')).toMatch(/import failed: photo\.bin is binary data/);
  });

  it('an empty file or one without events also leaves nothing, and says which line was wrong', async () => {
    const core = cores[0]!;
    const empty = path.join(files, 'empty.ndjson');
    writeFileSync(empty, '');
    const junk = path.join(files, 'notes.txt');
    writeFileSync(junk, 'hello\u0007\n{"name":"x"}\n');
    dialogs.opens.push(empty, junk);
    const a = await core.handlers['import:open']('ws11');
    const b = await core.handlers['import:open']('ws12');
    expect(!a.ok && a.error.message).toMatch(/No events could be read from empty\.ndjson \(the file is empty\)/);
    expect(!b.ok && b.error.message).toMatch(/No events could be read from notes\.txt: line 1: not valid JSON/);
    // JSON.parse quotes the input: a control character in it shows as a dot, not as garbage.
    expect(!b.ok && b.error.message).toContain('hello·');
    expect(!b.ok && b.error.message).not.toContain('\u0007');
    expect(importedFiles()).toEqual([]);
    const page = await core.handlers['events:page']({ workspaceId: 'ws12', query: '', limit: 10 });
    expect(page.ok && page.value.retained).toBe(0);
  });

  it('tells a binary file from text by its first bytes', () => {
    expect(notText('{"name":"a"}\n')).toBeUndefined();
    expect(notText('\u001f\ufffd\u0008\u0000')).toMatch(/gzip/);
    expect(notText('text with one \ufffd here')).toBeUndefined();
  });

  it('brings a workspace opened from a file back after a restart, read-only, with its events', async () => {
    const first = cores[0]!;
    const file = path.join(files, 'capture.ndjson');
    writeFileSync(file, [0, 1, 2, 3].map(event).join('\n') + '\n');
    dialogs.opens.push(file);
    const r = await first.handlers['import:open']('ws20');
    if (!r.ok || !r.value) throw new Error(r.ok ? 'cancelled' : r.error.message);
    expect(r.value.events).toBe(4);
    expect(importedFiles().length).toBe(2); // its segment and its catalog: the check above can see files
    await first.handlers['workspaces:save']({
      schemaVersion: 1,
      workspaces: [{ id: 'ws20', name: 'capture.ndjson', streams: [], filter: '', savedFilters: [], readOnly: true }],
      settings: { utc: true, newestOnTop: true },
    });
    await first.dispose();
    cores.shift();

    const second = await open();
    const saved = await second.handlers['workspaces:load']();
    expect(saved.ok && saved.value.doc.workspaces[0]).toMatchObject({ id: 'ws20', readOnly: true });
    const list = await second.handlers['streams:list']();
    expect(list.ok && list.value).toEqual([
      expect.objectContaining({
        streamId: r.value.streamId,
        source: 'capture.ndjson',
        spec: expect.objectContaining({ workspaceId: 'ws20', profileId: 'imported' }),
        state: expect.objectContaining({ kind: 'stopped' }),
      }),
    ]);
    const page = await second.handlers['events:page']({ workspaceId: 'ws20', query: '', limit: 10 });
    expect(page.ok && page.value.entries.map((e) => e.name)).toEqual(Array(4).fill('as.up.data.forward'));
    // Read-only: nothing was appended to the file (no downtime gap as a live stream gets).
    expect(page.ok && page.value.retained).toBe(4);
  });
});
