/**
 * A team's recording for the ClickHouse window tests: a real clickhouse-server, the stack's events recorded
 * into database `team` by the real CLI (`subscribe --clickhouse`), the capture read the app's way (the
 * capturing desk's ground truth: summaries, unique_ids, raw lines, an independent chain index), and desks
 * (cores with their own data folders) that open windows of it through the app's IPC handlers.
 */
import { expect } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { startStack } from '../../src-main/core/stack/server.js';
import type { Core, CoreOptions } from '../../src-main/core/app-core.js';
import { ScriptedDialogs } from '../../src-main/core/services/dialogs.js';
import type { EventSummary } from '../../src-main/shared/domain/summary.js';
import { capturedEvents, recordBursts, type CapturedEvent } from './subscribe-run.js';
import { ChainIndex } from './chain-index.js';
import { testCore } from './core.js';
import { RecordingSink } from './recording-sink.js';
import { startClickHouse, type ClickHouseServer } from './clickhouse-server.js';

export type Local = CapturedEvent;

export class TeamRecording {
  ch!: ClickHouseServer;
  dir = '';
  readonly local: Local[] = [];
  readonly chain = new ChainIndex();
  readonly cores: Core[] = [];
  readonly sinks = new Map<Core, RecordingSink>();

  async start(): Promise<void> {
    this.ch = await startClickHouse();
    const stack = await startStack({ seed: 11, scenario: { devices: 5, gateways: 2 } });
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'ch-window-'));
    const out = path.join(this.dir, 'capture.ndjson');
    try {
      const args = ['--gateway-id', 'demo-gateway-1,demo-gateway-2', '-o', out, '--clickhouse', `${this.ch.url}/team`];
      await recordBursts(stack, args, { flows: 25, pauseMs: 1200, lines: 120, spread: 3 });
    } finally {
      await stack.close();
    }
    for (const e of capturedEvents(out, 'application:demo-app')) {
      this.local.push(e);
      this.chain.add(e.summary);
    }
  }

  async close(): Promise<void> {
    for (const c of this.cores) await c.dispose();
    await this.ch?.close();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** A desk: its own data folder, the team's ClickHouse set up (not recording) on workspace `rec`. */
  async desk(
    dataDir = mkdtempSync(path.join(this.dir, 'desk-')),
    dialogs = new ScriptedDialogs(),
    options: Partial<CoreOptions> = {},
  ): Promise<Core> {
    const sink = new RecordingSink();
    const core = await testCore(dataDir, { sink, dialogs, ...options });
    this.cores.push(core);
    this.sinks.set(core, sink);
    const set = await core.handlers['recording:set']('rec', {
      url: this.ch.url,
      database: 'team',
      username: '',
      enabled: false,
    });
    if (!set.ok) throw new Error(set.error.message);
    return core;
  }

  /** From the first event to the last, to the millisecond. */
  around(): { from: string; to: string } {
    const ms = this.local.map((l) => l.summary.ms);
    return { from: new Date(Math.min(...ms)).toISOString(), to: new Date(Math.max(...ms)).toISOString() };
  }

  async open(core: Core, ws: string, filter: string, window = this.around()) {
    const r = await core.handlers['recording:open-window'](ws, 'rec', { ...window, filter });
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  }

  /** The list's way: the newest page, then older ones before the oldest entry, to the end. */
  async readList(core: Core, ws: string, limit: number, query = ''): Promise<EventSummary[]> {
    let entries: EventSummary[] = [];
    for (let pages = 0; pages < 1000; pages++) {
      const oldest = entries[0];
      const r = await core.handlers['events:page']({
        workspaceId: ws,
        query,
        limit,
        ...(oldest ? { before: { ms: oldest.ms, id: oldest.id } } : {}),
      });
      if (!r.ok) throw new Error(r.error.message);
      expect(r.value.entries.filter((e) => e.kind === 'event').length).toBeLessThanOrEqual(limit);
      // As the list does, an entry already held (a status entry at a page's edge) is not added twice.
      const held = new Set(entries.map((e) => e.id));
      entries = [...r.value.entries.filter((e) => !held.has(e.id)), ...entries];
      if (!r.value.more) break;
    }
    return entries;
  }

  async uidOf(core: Core, id: number): Promise<string> {
    const r = await core.handlers['events:get'](id);
    if (!r.ok) throw new Error(r.error.message);
    return r.value.unique_id!;
  }

  uids(core: Core, list: EventSummary[]): Promise<string[]> {
    return Promise.all(list.filter((e) => e.kind === 'event').map((e) => this.uidOf(core, e.id)));
  }
}
