/**
 * A segment's narrow columns give back every field the list shows, exactly, for ordinary and odd
 * entries alike (long and non-ASCII previews, odd times, huge counters, many links, gaps in the file).
 */
import { describe, expect, it } from 'vitest';
import { Segment, SharedTables, timeBits, timeParts } from '../../../../../src-main/core/capture/segment.js';
import { DIGITS_SHIFT } from '../../../../../src-main/core/capture/row-view.js';
import type { EventSummary } from '../../../../../src-main/shared/domain/summary.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A ULID of time `ms` whose random part names `n`. */
const ulidAt = (ms: number, n: number) => {
  let time = '';
  for (let i = 0, v = ms; i < 10; i++, v = Math.floor(v / 32)) time = CROCKFORD[v % 32]! + time;
  return time + String(n).padStart(16, '0');
};
const ulid = (n: number) => `01KDVDNA${String(n).padStart(18, '0')}`;

function entry(n: number): EventSummary {
  const s: EventSummary = {
    id: 0,
    streamId: 's1',
    kind: n % 17 === 0 ? 'status' : 'event',
    ms: Date.parse('2026-03-01T10:00:00Z') + n * 7,
    time: new Date(Date.parse('2026-03-01T10:00:00Z') + n * 7).toISOString().replace('Z', '456789Z'),
    name: `ns.up.data.${n % 5}`,
    entity: `dev${n % 40}`,
    entityKind: n % 3 ? 'device' : 'gateway',
    preview: n % 11 === 0 ? `température ${n} °C` : n % 13 === 0 ? 'x'.repeat(300 + n) : n % 2 ? `AB${n}` : '',
    correlationIds: [`gs:uplink:${ulid(n)}`, `as:up:${ulid(n >> 2)}`, `odd-${n % 3}`],
  };
  if (n % 3) s.application = 'app1';
  if (n % 4) s.devEui = `70B3D57ED000${String(n % 40).padStart(4, '0')}`;
  if (n % 5) s.devAddr = `2601${String(n % 9).padStart(4, '0')}`;
  if (n % 2) s.gatewayIds = [`gtw${n % 7}`, `gtw${(n + 1) % 7}`];
  if (n % 2) (s as { direction?: string }).direction = 'up';
  if (n % 6) s.fPort = n % 256;
  if (n % 7) s.fCnt = n % 10 === 0 ? 4_000_000_000 + n : n;
  if (n % 2) s.rssi = -80.5 - (n % 9);
  if (n % 2) s.snr = 7.25;
  if (n % 2) s.gateways = 2;
  if (n % 8 === 0) s.frame = 0x41;
  if (n % 9 === 0) s.dataRate = 'SF7BW125';
  if (n % 19 === 0) s.errorName = 'duplicate_uplink';
  if (n % 23 === 0) s.backfilled = true;
  if (n === 5) s.time = '2026-03-01T10:00:00.1+01:00';
  return s;
}

describe('segment columns', () => {
  it('round-trips every summary field of 5,000 varied entries, and finds them by correlation ID', () => {
    const seg = new Segment(1, { streamId: 's1', workspaceId: 'w' }, undefined, new SharedTables(), 1000);
    const added: EventSummary[] = [];
    let offset = 0;
    for (let n = 0; n < 5000; n++) {
      const s = entry(n);
      s.id = 1000 + n;
      // A gap in the file every 100 rows (a line that was not indexed).
      if (n % 100 === 99) offset += 17;
      const length = 100 + (n % 50) + (n === 42 ? 70_000 : 0);
      expect(seg.add(s, { offset, length })).toBe(n);
      offset += length;
      added.push(s);
    }
    let at = 0;
    let prev = 0;
    for (let n = 0; n < 5000; n++) {
      const got = seg.summary(n);
      expect(got).toEqual(added[n]);
      if (n % 100 === 99) at += 17;
      const slot = { offset: at, length: 100 + (n % 50) + (n === 42 ? 70_000 : 0) };
      expect(seg.slot(n)).toEqual(slot);
      // A sequential scan (exports) gets the same slots from the row before, across gaps and blocks.
      expect(seg.nextSlot(n, prev)).toEqual(slot);
      prev = slot.offset;
      at += seg.slot(n).length;
    }
    const rows: number[] = [];
    seg.withCorrelationId(`as:up:${ulid(100)}`, (r) => void rows.push(r));
    expect(rows).toEqual([403, 402, 401, 400]);
    const odd: number[] = [];
    seg.withCorrelationId('odd-1', (r) => void odd.push(r));
    expect(odd.length).toBe(Math.ceil(4999 / 3));
    const gtw: number[] = [];
    seg.withGateway('gtw3', (r) => void gtw.push(r));
    expect(gtw).toEqual(
      added
        .filter((s) => s.gatewayIds?.includes('gtw3'))
        .map((s) => s.id - 1000)
        .reverse(),
    );
    seg.seal();
    expect(seg.summary(4999)).toEqual(added[4999]);
  });

  it('finds the rows of long-lived IDs and of gateways seen again 30,000 rows later (links that do not fit)', () => {
    const seg = new Segment(1, { streamId: 's1', workspaceId: 'w' }, undefined, new SharedTables(), 0);
    // Three gateway connections' IDs, one in each row, while each row brings two new IDs: past 8,192 new
    // terms they no longer fit a link. Gateways rare-0..2 come back 30,000 rows (120,000 links) later.
    // IDs with random tails, as servers make them (the helper's decimal tails would cluster the term table).
    const random = (n: number) => {
      let h = Math.imul(n + 1, 0x9e3779b1) >>> 0;
      let tail = '';
      for (let i = 0; i < 16; i++, h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0) tail += CROCKFORD[h % 32];
      return `01KDVDNA00${tail}`;
    };
    const conn = [0, 1, 2].map((k) => `gs:conn:${random(1 + k)}`);
    const ids = (n: number) => [conn[n % 3]!, `gs:uplink:${random(10 + 2 * n)}`, `as:up:${random(11 + 2 * n)}`];
    const rows = 30_003;
    for (let n = 0; n < rows; n++) {
      const gatewayIds = n < 3 || n >= rows - 3 ? [`rare-${n % 3}`] : [`gtw${n % 5}`];
      seg.add({ ...entry(n), correlationIds: ids(n), gatewayIds }, { offset: n * 10, length: 10 });
    }
    const walk = (visit: (v: (r: number) => void) => void) => {
      const out: number[] = [];
      visit((r) => void out.push(r));
      return out;
    };
    const check = () => {
      for (let k = 0; k < 3; k++) {
        const got = walk((v) => seg.withCorrelationId(conn[k]!, v));
        expect(got).toHaveLength(10_001);
        expect(got.every((r, i) => r === rows - 1 - ((rows - 1 - k) % 3) - 3 * i)).toBe(true);
        expect(walk((v) => seg.withGateway(`rare-${k}`, v))).toEqual([rows - 3 + ((((k - rows) % 3) + 3) % 3), k]);
      }
      for (const n of [0, 1, 4_095, 4_096, 8_192, 8_193, 20_000, 29_999, rows - 1]) {
        expect(seg.summary(n).correlationIds).toEqual(ids(n));
        expect(walk((v) => seg.withCorrelationId(ids(n)[1]!, v))).toEqual([n]);
      }
    };
    check();
    seg.seal();
    check();
  });

  it.each([
    ['40 days (32-bit times)', 1_152_000],
    ['3 seconds (24-bit times)', 1],
  ])('a sealed segment whose IDs span %s answers exactly as it did open, and takes rows again', (_, step) => {
    const t = new SharedTables();
    const open = new Segment(1, { streamId: 's1', workspaceId: 'w' }, undefined, t, 0);
    const sealed = new Segment(2, { streamId: 's1', workspaceId: 'w' }, undefined, t, 0);
    const ids = (n: number) => [
      ...entry(n).correlationIds,
      // ULIDs of many classes, and a few not ULIDs.
      `c${n % 40}:${ulidAt(Date.parse('2026-01-01T00:00:00Z') + n * step, n)}`,
      ...(n % 100 === 7 ? [`c1:${ulidAt(0, n).toLowerCase()}x`] : []),
    ];
    for (let n = 0; n < 3000; n++)
      for (const seg of [open, sealed])
        seg.add({ ...entry(n), correlationIds: ids(n) }, { offset: n * 10, length: 10 });
    sealed.seal();
    // Sealing packed the terms (a smaller index), so what follows tests the sealed layout.
    expect(sealed.columnBytes).toBeLessThan(open.columnBytes - 3000 * 10);
    const rowsOf = (seg: Segment, id: string) => {
      const rows: number[] = [];
      seg.withCorrelationId(id, (r) => void rows.push(r));
      return rows;
    };
    for (let n = 0; n < 3000; n += 7) {
      expect(sealed.summary(n)).toEqual(open.summary(n));
      for (const id of ids(n)) expect(rowsOf(sealed, id)).toEqual(rowsOf(open, id));
    }
    expect(rowsOf(sealed, `c1:${ulidAt(0, 107).toLowerCase()}x`)).toEqual([107]);
    expect(rowsOf(sealed, `c0:${ulidAt(Date.parse('2026-01-01T00:00:00Z'), 0)}`)).toEqual([0]);
    expect(rowsOf(sealed, `gs:uplink:${ulid(99_999)}`)).toEqual([]);
    expect(rowsOf(sealed, `as:up:01KDVDNA${'9'.repeat(18)}`)).toEqual([]);
    // Appending after all (never done today) reopens the layout and keeps every term.
    const more = { ...entry(3000), correlationIds: [`gs:uplink:${ulid(5)}`, `new:${ulid(1)}`] };
    sealed.add(more, { offset: 30_000, length: 10 });
    open.add(more, { offset: 30_000, length: 10 });
    expect(rowsOf(sealed, `gs:uplink:${ulid(5)}`)).toEqual([3000, 5]);
    for (let n = 0; n <= 3000; n += 13) expect(sealed.summary(n)).toEqual(open.summary(n));
  });

  it('a segment whose IDs span more than 32 bits of ms stays open when sealed, and still finds them', () => {
    const seg = new Segment(1, { streamId: 's1', workspaceId: 'w' }, undefined, new SharedTables(), 0);
    const far = [`as:up:${ulidAt(0, 1)}`, `as:up:${ulidAt(2 ** 48 - 1, 2)}`];
    seg.add({ ...entry(1), correlationIds: far }, { offset: 0, length: 10 });
    seg.seal();
    for (const id of far) {
      const rows: number[] = [];
      seg.withCorrelationId(id, (r) => void rows.push(r));
      expect(rows).toEqual([0]);
    }
    expect(seg.summary(0).correlationIds).toEqual(far);
  });

  it('keeps a time as bits exactly when it formats back to the same text, for every shape of time', () => {
    const base = Date.parse('2026-03-01T10:00:00Z');
    const times: [string, number][] = [];
    for (let n = 0; n < 3000; n++) {
      const ms = base + n * 337 + (n % 7 === 0 ? 86_400_000 * n : 0);
      const iso = new Date(ms).toISOString();
      const frac = String(n * 7919)
        .padStart(6, '0')
        .slice(0, 6);
      times.push(
        [iso, ms],
        [iso.slice(0, 19) + 'Z', ms],
        [iso.slice(0, 19) + 'Z', ms - (ms % 1000)],
        [iso.replace('Z', frac.slice(0, 3) + 'Z'), ms],
        [iso.replace('Z', frac + 'Z'), ms],
        [iso, ms + 1],
        [iso, ms + 1000],
        [iso.replace('Z', '+00:00'), ms],
        [iso.replace('Z', '1Z'), ms],
        [iso.replace('Z', '12Z'), ms],
        [iso.replace('Z', '1e3Z'), ms],
        [iso.replace('Z', '12345a789Z').slice(0, 30), ms],
        [iso.replace('T', ' '), ms],
        [iso.toLowerCase(), ms],
      );
    }
    times.push(['', 0], ['1970-01-01T00:00:00.000Z', 0], ['1970-01-01T00:00:00Z', NaN], ['x'.repeat(24), 5]);
    times.push(
      ['+275760-09-13T00:00:00.000Z', 8.64e15],
      ['0999-01-01T00:00:00.000Z', Date.parse('0999-01-01T00:00:00Z')],
    );
    for (const [time, ms] of times) {
      const p = timeParts(time, ms);
      const bits = timeBits(time, ms);
      expect(bits >= 0, time).toBe(p.exact);
      if (p.exact) expect(bits, time).toBe(p.nanos | ((p.digits / 3) << DIGITS_SHIFT));
    }
  });
});
