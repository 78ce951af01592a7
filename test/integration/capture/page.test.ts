import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureIndex } from '../../../src-main/core/capture/capture-index.js';
import type { TtsEvent } from '../../../src-main/shared/tts/types.js';

const manager = new CaptureIndex({ dir: mkdtempSync(path.join(os.tmpdir(), 'event-desk-page-')) });
afterAll(() => manager.dispose());

/** An imported capture of workspace `ws`, as the importer opens one. */
async function imported(ws: string, id: string) {
  const r = await manager.open(id, ws, 'import');
  if (!r.ok) throw new Error(r.error.message);
  return { ok: true as const, value: { append: (raw: string, e: TtsEvent) => manager.appendEvent(id, raw, e) } };
}

const event = (i: number, name: string): TtsEvent =>
  ({
    name,
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i * 10)).toISOString(),
    identifiers: [{ device_ids: { device_id: `dev-${i % 3}`, application_ids: { application_id: 'app' } } }],
    unique_id: `u${i}`,
  }) as TtsEvent;

describe('paging through a workspace capture from main', () => {
  it('returns the newest entries before a cursor, across captures, through a query, oldest first', async () => {
    const a = await imported('w', 'i1');
    const b = await imported('w', 'i2');
    const other = await imported('x', 'i3');
    if (!a.ok || !b.ok || !other.ok) throw new Error('open');
    // Two captures interleaved in time: even events in a, odd in b.
    for (let i = 0; i < 1000; i++)
      (i % 2 ? b : a).value.append(
        JSON.stringify(event(i, i % 10 === 0 ? 'ns.up.data.drop' : 'as.up.data.forward')),
        event(i, i % 10 === 0 ? 'ns.up.data.drop' : 'as.up.data.forward'),
      );
    other.value.append(JSON.stringify(event(5000, 'as.up.data.forward')), event(5000, 'as.up.data.forward'));

    const first = manager.page({ workspaceId: 'w', query: '', limit: 100 });
    if (!first.ok) throw new Error(first.error.message);
    expect(first.value.retained).toBe(1000);
    expect(first.value.more).toBe(true);
    expect(first.value.entries.map((e) => e.ms)).toEqual(
      Array.from({ length: 100 }, (_, k) => Date.UTC(2026, 0, 1) + (900 + k) * 10),
    );

    const oldest = first.value.entries[0]!;
    const second = manager.page({ workspaceId: 'w', query: '', limit: 100, before: { ms: oldest.ms, id: oldest.id } });
    expect(second.ok && second.value.entries.map((e) => e.ms).at(-1)).toBe(Date.UTC(2026, 0, 1) + 899 * 10);

    const drops = manager.page({ workspaceId: 'w', query: '*.drop device:dev-0', limit: 1000 });
    expect(drops.ok && drops.value.entries.length).toBe(34); // i % 10 === 0 and i % 3 === 0: every 30th of 1000
    expect(drops.ok && drops.value.more).toBe(false);

    const bad = manager.page({ workspaceId: 'w', query: 'f_port:x', limit: 10 });
    expect(!bad.ok && bad.error.message).toMatch(/filter is not valid: f_port takes a number/);
  });
});
