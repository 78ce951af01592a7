/**
 * The rows a ClickHouse window keeps in memory are bounded (row-store.ts): a desk that has looked at more
 * rows than it keeps holds no more than its bound, and a row it let go still opens, with the same id, its
 * raw JSON as recorded and the same chain as on a desk that kept everything. Real clickhouse-server, real
 * stack, real CLI recording (test/helpers/team-recording.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickhouseMissing } from '../../helpers/clickhouse-server.js';
import { TeamRecording } from '../../helpers/team-recording.js';

describe.skipIf(clickhouseMissing())('the rows a ClickHouse window keeps', { timeout: 300_000 }, () => {
  const team = new TeamRecording();
  beforeAll(() => team.start(), 240_000);
  afterAll(() => team.close());

  it('are bounded, and a row let go opens again with its id, its JSON and its chain', async () => {
    const bound = 40;
    const small = await team.desk(undefined, undefined, { windowRows: bound });
    const big = await team.desk();
    await team.open(small, 'w', '');
    await team.open(big, 'w', '');
    const list = (await team.readList(small, 'w', 25)).filter((e) => e.kind === 'event');
    expect(list.length).toBe(team.local.length);
    expect(list.length).toBeGreaterThan(3 * bound);
    const held = small.windows.rowsHeld('w')!;
    expect(held.kept).toBeLessThanOrEqual(bound);
    expect(held.known).toBe(list.length);

    // The list read newest first: its newest rows were let go first.
    const rawOf = new Map(team.local.map((l) => [l.uid, l.raw]));
    const gone = list.slice(-10);
    for (const e of gone) {
      const got = await small.handlers['events:get'](e.id);
      if (!got.ok) throw new Error(got.error.message);
      expect(JSON.stringify(got.value)).toBe(JSON.stringify(JSON.parse(rawOf.get(got.value.unique_id!)!)));
    }
    expect(small.windows.rowsHeld('w')!.kept).toBeLessThanOrEqual(bound);

    // Its chain is the chain a desk that kept every row shows (by unique_id), and it keeps its id.
    const bigList = (await team.readList(big, 'w', 25)).filter((e) => e.kind === 'event');
    const bigId = new Map(await Promise.all(bigList.map(async (e) => [await team.uidOf(big, e.id), e.id] as const)));
    for (const e of gone.slice(0, 4)) {
      const uid = await team.uidOf(small, e.id);
      const mine = await small.handlers['correlation:chain'](e.id);
      const theirs = await big.handlers['correlation:chain'](bigId.get(uid)!);
      if (!mine.ok || !theirs.ok) throw new Error('no chain');
      expect(mine.value.steps.some((s) => s.event.id === e.id)).toBe(true);
      const uids = (c: typeof mine.value, core: typeof small) =>
        Promise.all(c.steps.map((s) => team.uidOf(core, s.event.id))).then((u) => u.sort());
      expect(await uids(mine.value, small)).toEqual(await uids(theirs.value, big));
    }
    // More rows asked for at once than the window keeps (an export of a big selection): every one comes.
    const all = await small.windows.rowsOf(list.map((e) => e.id));
    expect(all.map((r) => r.summary.id)).toEqual(list.map((e) => e.id));
    expect(all.every((r) => rawOf.get(r.key) === r.raw)).toBe(true);
    // Read again from the start: every row has the id it had.
    const again = (await team.readList(small, 'w', 25)).filter((e) => e.kind === 'event');
    expect(again.map((e) => e.id).sort()).toEqual(list.map((e) => e.id).sort());
    expect(small.windows.rowsHeld('w')!.kept).toBeLessThanOrEqual(bound);
  });
});
