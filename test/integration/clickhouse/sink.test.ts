/**
 * Team recording against a real ClickHouse (Debian's clickhouse-server, started per file on a free
 * loopback port): `event-desk subscribe --clickhouse` as a user runs it, and the sink riding out a
 * ClickHouse that goes away mid-stream.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { startStack, type StackHandle } from '../../../src-main/core/stack/server.js';
import { ClickHouseSink, type SinkLag } from '../../../src-main/core/clickhouse/sink.js';
import { parseClickHouseUrl } from '../../../src-main/core/clickhouse/target.js';
import type { CliRun } from '../../helpers/cli.js';
import { captureIds, captureStatus, startSubscribe, until } from '../../helpers/subscribe-run.js';
import { clickhouseMissing, startClickHouse, type ClickHouseServer } from '../../helpers/clickhouse-server.js';

describe.skipIf(clickhouseMissing())('recording to ClickHouse', { timeout: 240_000 }, () => {
  let ch: ClickHouseServer;
  let stack: StackHandle | undefined;
  let cli: CliRun | undefined;
  let dir: string | undefined;
  const ids = async (db: string, final: boolean) =>
    (await ch.sql(`SELECT unique_id FROM ${db}.events ${final ? 'FINAL' : ''} ORDER BY unique_id`))
      .split('\n')
      .filter(Boolean);
  const count = async (query: string) => Number((await ch.sql(query)).trim());

  beforeAll(async () => {
    ch = await startClickHouse();
  }, 120_000);
  afterAll(async () => {
    await ch?.close();
  });
  afterEach(async () => {
    if (cli && cli.child.exitCode === null) cli.child.kill('SIGKILL');
    cli = undefined;
    await stack?.close();
    stack = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** `event-desk subscribe` against the built-in stack, writing a capture (and recording, with `extra`). */
  async function subscribe(extra: string[]): Promise<{ out: string; cli: CliRun }> {
    stack = await startStack({ seed: 19, scenario: { devices: 8, gateways: 3 } });
    dir = mkdtempSync(path.join(os.tmpdir(), 'ch-sink-'));
    const out = path.join(dir, 'capture.ndjson');
    cli = startSubscribe(stack, ['--output', out, ...extra]);
    await cli.until(() => /Stream started/.test(cli!.stderr()), 'the first connection', 90_000);
    return { out, cli };
  }

  it('subscribe --clickhouse: every event of the capture arrives once, with its status entries, and the tables are made on first use', async () => {
    const { out, cli: run } = await subscribe(['--clickhouse', `${ch.url}/team_a`]);
    expect(run.stderr()).toMatch(/Recording to ClickHouse http:\/\/127\.0\.0\.1:\d+\/team_a/);
    // The application's stream sees about one event in seven of a flow's (the rest are gateway-side).
    stack!.emitFlows(60);
    await run.until(() => run.lines().length >= 40, 'events on stdout');
    stack!.emitFlows(60);
    await new Promise((r) => setTimeout(r, 500));
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);

    const inCapture = captureIds(out);
    expect(inCapture.length).toBeGreaterThan(60);
    // The command waits for ClickHouse before it exits: no poll needed.
    const recorded = await ids('team_a', true);
    expect(recorded.length).toBe(inCapture.length);
    expect(new Set(recorded)).toEqual(new Set(inCapture));
    // Columns the filters use are filled from the events, not left empty.
    expect(
      await count(`SELECT count() FROM team_a.events WHERE device != '' AND length(correlation_ids) > 0`),
    ).toBeGreaterThan(0);
    expect(
      await count(`SELECT count() FROM team_a.events WHERE rssi IS NOT NULL AND length(gateway_ids) > 0`),
    ).toBeGreaterThan(0);
    // Status entries in their own table: the start and the closing entry are there, as in the capture.
    const kinds = (await ch.sql(`SELECT kind FROM team_a.status FINAL ORDER BY time, nanos`))
      .split('\n')
      .filter(Boolean);
    expect(kinds.sort()).toEqual(
      captureStatus(out)
        .map((e) => e.kind)
        .sort(),
    );
    expect(kinds).toContain('stopped');
  });

  it('ClickHouse killed mid-stream and started again: nothing lost, nothing duplicated, lag back to zero', async () => {
    const { out, cli: run } = await subscribe([]);
    const lags: SinkLag[] = [];
    const sink = await ClickHouseSink.start({
      target: parseClickHouseUrl(`${ch.url}/team_b`),
      capturePath: out,
      origin: { server: stack!.url, stream: 'application:demo-app' },
      pollMs: 50,
      backoff: { initialMs: 100, maxMs: 500 },
    });
    try {
      stack!.emitFlows(30);
      await until(async () => sink.sent.events > 20, 'the first events in ClickHouse');

      await ch.stop();
      const before = run.lines().length;
      stack!.emitFlows(80);
      await run.until(() => run.lines().length > before + 60, 'events while ClickHouse is down');
      await until(() => {
        lags.push(sink.lag);
        return sink.state.kind === 'retrying' && sink.lag.events > 60 && sink.lag.seconds >= 1;
      }, 'the sink to fall behind and say so');
      const behind = sink.lag;
      expect(behind.bytes).toBeGreaterThan(0);

      await ch.start();
      stack!.emitFlows(20);
      await new Promise((r) => setTimeout(r, 500));
      run.child.kill('SIGINT');
      expect(await run.exited).toBe(0);
      expect(await sink.drain(90_000)).toBe(true);
      expect(sink.lag).toEqual({ events: 0, bytes: 0, seconds: 0 });
      expect(sink.state.kind).not.toBe('retrying');

      const inCapture = captureIds(out);
      const recorded = await ids('team_b', true);
      expect(recorded.length).toBe(inCapture.length);
      expect(new Set(recorded)).toEqual(new Set(inCapture));
    } finally {
      await sink.close();
    }

    // Send the whole capture again, as after a lost offset file: the replacing merge tree collapses it.
    unlinkSync(`${out}.clickhouse.json`);
    const again = await ClickHouseSink.start({
      target: parseClickHouseUrl(`${ch.url}/team_b`),
      capturePath: out,
      // A fresh offset file: another writer of the old one (the earlier sink) must not race the unlink.
      offsetPath: `${out}.lost-offset.clickhouse.json`,
      origin: { server: stack!.url, stream: 'application:demo-app' },
      pollMs: 50,
    });
    try {
      expect(await again.drain(90_000)).toBe(true);
      expect(again.sent.events).toBe(captureIds(out).length);
    } finally {
      await again.close();
    }
    // OPTIMIZE … FINAL does nothing while a background merge holds some of the parts (18.16 says nothing
    // then): ask again until every partition is one part.
    for (let i = 0; i < 50; i++) {
      await ch.sql('OPTIMIZE TABLE team_b.events FINAL');
      const parts = (
        await ch.sql(
          `SELECT count() FROM system.parts WHERE database = 'team_b' AND table = 'events' AND active GROUP BY partition`,
        )
      )
        .split('\n')
        .filter(Boolean);
      if (parts.every((n) => n === '1')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const afterMerge = await ids('team_b', false);
    expect(afterMerge.length).toBe(captureIds(out).length);
    expect(new Set(afterMerge).size).toBe(afterMerge.length);
  });
});
