/**
 * A closed workspace leaves nothing behind in main's network view (#17): its grouped messages and its
 * Devices/Gateways lists are forgotten when the window saves tabs without it, and a workspace still open
 * keeps them.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ScriptedDialogs } from '../../../src-main/core/services/dialogs.js';
import type { SavedWorkspace } from '../../../src-main/shared/domain/workspace.js';
import { testCore } from '../../helpers/core.js';

const uplink = (n: number) =>
  JSON.stringify({
    name: 'as.up.data.forward',
    time: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(),
    identifiers: [{ device_ids: { device_id: 'dev1', application_ids: { application_id: 'app1' } } }],
    data: { uplink_message: { f_cnt: n, f_port: 1 } },
    correlation_ids: [`as:up:${n}`],
    unique_id: `u${n}`,
  });

describe('a closed workspace in the network view', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-closed-ws-'));
  const files = mkdtempSync(path.join(os.tmpdir(), 'event-desk-closed-ws-files-'));
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(files, { recursive: true, force: true });
  });

  it('forgets its messages and lists when the tabs are saved without it, and keeps those of one still open', async () => {
    const dialogs = new ScriptedDialogs();
    const core = await testCore(dataDir, { dialogs });
    try {
      const tab = (id: string): SavedWorkspace => ({
        id,
        name: id,
        streams: [],
        filter: '',
        savedFilters: [],
        readOnly: true,
      });
      for (const id of ['wsA', 'wsB']) {
        const file = path.join(files, `${id}.ndjson`);
        writeFileSync(file, [1, 2, 3].map(uplink).join('\n') + '\n');
        dialogs.opens.push(file);
        const opened = await core.handlers['import:open'](id);
        if (!opened.ok || !opened.value) throw new Error('import failed');
        const w = await core.handlers['messages:watch']({
          workspaceId: id,
          query: '',
          newestFirst: true,
          start: 0,
          count: 50,
        });
        expect(w.ok && w.value?.total).toBe(3);
        const list = await core.handlers['health:list'](id);
        expect(list.ok && list.value.devices.map((d) => d.deviceId)).toEqual(['dev1']);
      }
      await core.handlers['messages:watch'](null);
      expect(core.messages.workspaces().sort()).toEqual(['wsA', 'wsB']);
      expect(core.health.workspaces().sort()).toEqual(['wsA', 'wsB']);

      const saved = await core.handlers['workspaces:save']({
        schemaVersion: 1,
        workspaces: [tab('wsB')],
        settings: { utc: true, newestOnTop: true },
      });
      expect(saved.ok).toBe(true);
      expect(core.messages.workspaces()).toEqual(['wsB']);
      expect(core.health.workspaces()).toEqual(['wsB']);
    } finally {
      await core.dispose();
    }
  });
});
