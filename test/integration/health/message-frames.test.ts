/**
 * `mic:`/`mac:` in the messages view (#17 with #18): the messages window is answered from the frames
 * main has decoded so far, then main decodes the frames the filter reached and pushes the window again,
 * so the message whose downlink carried a LinkADRReq appears without the user doing anything.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ScriptedDialogs } from '../../../src-main/core/services/dialogs.js';
import { Scenario } from '../../../src-main/core/stack/scenario.js';
import type { MessagesWindow } from '../../../src-main/shared/ipc/contract.js';
import { RecordingSink } from '../../helpers/recording-sink.js';
import { testCore } from '../../helpers/core.js';

describe('mic: and mac: filters in the messages view', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-msg-frames-'));
  const files = mkdtempSync(path.join(os.tmpdir(), 'event-desk-msg-frames-files-'));
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(files, { recursive: true, force: true });
  });

  it('decodes the frames the filter reached and pushes the messages that match', async () => {
    const sink = new RecordingSink();
    const dialogs = new ScriptedDialogs();
    const core = await testCore(dataDir, { sink, dialogs });
    try {
      // A LoRaWAN 1.0 device (FOpts in clear): uplinks, the NS's LinkADR request, and the downlink carrying it.
      let t = Date.parse('2026-01-01T00:00:00Z');
      const s = new Scenario({ devices: 1, gateways: 1, seed: 3 }, () => (t += 500));
      const d = s.devices[0]!;
      const flows = [...s.flow('join', d), ...s.flow('uplink', d), ...s.flow('mac', d), ...s.flow('downlink', d)];
      const file = path.join(files, 'adr.ndjson');
      writeFileSync(file, flows.map((e) => e.json).join('\n') + '\n');
      dialogs.opens.push(file);
      const opened = await core.handlers['import:open']('wsF');
      if (!opened.ok || !opened.value) throw new Error('import failed');

      const req = { workspaceId: 'wsF', query: 'mac:LinkADRReq', newestFirst: true, start: 0, count: 50 };
      const first = await core.handlers['messages:watch'](req);
      if (!first.ok || !first.value) throw new Error('watch failed');
      const pushed = () =>
        sink.all
          .filter((m) => m.channel === 'messages:window')
          .map((m) => m.payload as MessagesWindow)
          .filter((w) => w.query === req.query);
      // Nothing was decoded when the window was first answered; the push after decoding has the message.
      await expect.poll(() => pushed().at(-1)?.total ?? 0, { timeout: 10_000 }).toBe(1);
      const row = pushed().at(-1)!.rows[0]!;
      expect(row.direction).toBe('down');
      expect(row.device).toBe(d.deviceId);
      // The join and the uplink carry no LinkADRReq: the unfiltered view has more messages.
      const all = await core.handlers['messages:watch']({ ...req, query: '' });
      expect(all.ok && all.value!.total).toBeGreaterThan(1);
    } finally {
      await core.handlers['messages:watch'](null);
      await core.dispose();
    }
  });
});
