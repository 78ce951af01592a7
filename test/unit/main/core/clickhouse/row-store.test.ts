/**
 * The rows a ClickHouse window keeps (row-store.ts): at most its bound, the least recently used let go
 * first, every row keeping its id and its place (so it can be read again), and rows outside the window's
 * own time marked as backfilled.
 */
import { describe, expect, it } from 'vitest';
import { RowStore } from '../../../../../src-main/core/clickhouse/row-store.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const line = (i: number, ms = T0 + i) =>
  JSON.stringify({ name: 'as.up.data.forward', time: new Date(ms).toISOString(), unique_id: `u${i}` });
const at = (i: number, ms = T0 + i) => ({ time: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6, key: `u${i}` });

describe('RowStore', () => {
  it('keeps at most its bound, letting the least recently used go, and every row keeps its id and place', () => {
    const rows = new RowStore(1, true, 'w', 3);
    const ids = [0, 1, 2, 3].map((i) => rows.row(at(i), 's', line(i), 'srv')!.summary.id);
    expect(rows.size).toBe(3);
    expect(rows.known).toBe(4);
    expect(rows.get(ids[0]!)).toBeUndefined();
    expect(rows.placeOf(ids[0]!)).toEqual(at(0));
    // Used again: row 1 is now the most recent, so row 2 goes next.
    expect(rows.get(ids[1]!)?.key).toBe('u1');
    rows.row(at(4), 's', line(4), 'srv');
    expect(rows.get(ids[2]!)).toBeUndefined();
    expect(rows.get(ids[1]!)?.key).toBe('u1');
    // A row let go and read again has its old id.
    const again = rows.row(at(0), 's', line(0), 'srv')!;
    expect(again.summary.id).toBe(ids[0]);
    expect(rows.size).toBe(3);
  });

  it("marks rows outside the window's own time as backfilled", () => {
    const rows = new RowStore(1, true, 'w', 10, { fromMs: T0, toMs: T0 + 1000 });
    expect(rows.row(at(1), 's', line(1), 'srv')!.summary.backfilled).toBeUndefined();
    expect(rows.row(at(2, T0 + 1000), 's', line(2, T0 + 1000), 'srv')!.summary.backfilled).toBeUndefined();
    expect(rows.row(at(3, T0 - 1), 's', line(3, T0 - 1), 'srv')!.summary.backfilled).toBe(true);
    expect(rows.row(at(4, T0 + 1001), 's', line(4, T0 + 1001), 'srv')!.summary.backfilled).toBe(true);
  });

  it("names the server that delivered a row: the window's stream only says where it was read", () => {
    const rows = new RowStore(1, true, 'w');
    const r = rows.row(at(0), 's', line(0), 'https://eu1.cloud.thethings.network')!;
    expect(r.summary.streamId).toBe('w');
    expect(r.summary.server).toBe('https://eu1.cloud.thethings.network');
  });

  it('keeps nothing for a pass over a whole window', () => {
    const rows = new RowStore(1, false);
    rows.row(at(0), 's', line(0), 'srv');
    expect(rows.size).toBe(0);
    expect(rows.known).toBe(0);
  });
});
