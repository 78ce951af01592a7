/**
 * Cancelling the opening of a big file (#14's "opening a bundle" row, with the progress bar's Cancel):
 * the read stops, what was read is removed (no capture file, no catalog, no stream), the window is told
 * "cancelled" on jobs:progress, and the caller gets a 'cancelled' result it does not show as an error.
 */
import os from 'node:os';
import path from 'node:path';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src-main/core/app-core.js';
import type { JobProgress } from '../../../src-main/shared/export/types.js';
import { RecordingSink } from '../../helpers/recording-sink.js';
import { testCore } from '../../helpers/core.js';

const line = (n: number) =>
  JSON.stringify({
    name: 'as.up.data.forward',
    time: new Date(Date.UTC(2026, 0, 1) + n).toISOString(),
    identifiers: [{ device_ids: { device_id: `dev${n % 50}`, application_ids: { application_id: 'app1' } } }],
    correlation_ids: [`as:up:${n}`],
    unique_id: `u${n}`,
    data: { '@type': 'type.googleapis.com/ttn.lorawan.v3.ApplicationUp', uplink_message: { f_cnt: n } },
  });

describe('cancelling an import', () => {
  const cores: Core[] = [];
  const sink = new RecordingSink();
  const logs: string[] = [];
  const start = async () => {
    const core = await testCore(mkdtempSync(path.join(os.tmpdir(), 'event-desk-import-cancel-')), {
      sink,
      log: (m) => logs.push(m),
    });
    cores.push(core);
    return core;
  };
  afterAll(async () => {
    for (const c of cores) await c.dispose();
  });
  const progress = () => sink.all.filter((p) => p.channel === 'jobs:progress').map((p) => p.payload as JobProgress);
  /** Import captures and catalogs in the data folder (none before the first capture makes the folder). */
  const importFiles = (core: Core) =>
    existsSync(core.index.dir) ? readdirSync(core.index.dir).filter((n) => /imported|capture\.json/.test(n)) : [];

  it('a file being read stops at its next chunk and leaves nothing behind', async () => {
    const core = await start();
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'event-desk-cancel-file-')), 'big.ndjson');
    const lines: string[] = [];
    for (let n = 0; n < 200_000; n++) lines.push(line(n));
    writeFileSync(file, lines.join('\n') + '\n');
    const before = importFiles(core);

    const opening = core.imports.importFile('ws1', file);
    await expect.poll(() => progress().find((p) => p.state === 'running'), { timeout: 30_000 }).toBeDefined();
    const jobId = progress().find((p) => p.state === 'running')!.jobId;
    expect((await core.handlers['import:cancel'](jobId)).ok).toBe(true);
    const r = await opening;

    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.error).toMatchObject({
        code: 'cancelled',
        message: 'Opening big.ndjson was cancelled; nothing was kept.',
      });
    const last = progress()
      .filter((p) => p.jobId === jobId)
      .at(-1)!;
    expect(last.state).toBe('cancelled');
    expect(last.bytes).toBeLessThan(last.totalBytes!);
    expect(core.imports.list()).toEqual([]);
    expect(importFiles(core)).toEqual(before);
    expect(logs.join('\n')).toMatch(/opening big\.ndjson was cancelled after \d+ events; nothing was kept/);
    // A job that is no longer running cannot be cancelled twice.
    expect((await core.handlers['import:cancel'](jobId)).ok).toBe(false);
  });

  it('a dropped file stops at once: its next chunk and its end say cancelled', async () => {
    const core = await start();
    const before = importFiles(core);
    const begin = await core.handlers['import:begin']('ws2', 'dropped.ndjson', 10_000_000);
    if (!begin.ok) throw new Error(begin.error.message);
    expect((await core.handlers['import:chunk'](begin.value, `${line(1)}\n${line(2)}\n`)).ok).toBe(true);
    expect((await core.handlers['import:cancel'](begin.value)).ok).toBe(true);
    const next = await core.handlers['import:chunk'](begin.value, `${line(3)}\n`);
    expect(next.ok ? 'ok' : next.error.code).toBe('cancelled');
    expect(
      progress()
        .filter((p) => p.jobId === begin.value)
        .at(-1)?.state,
    ).toBe('cancelled');
    expect(importFiles(core)).toEqual(before);
  });
});
