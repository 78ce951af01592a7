import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createPipeline, type Pipeline } from '../../../src-main/core/pipeline.js';
import { startStack, type StackHandle } from '../../../src-main/core/stack/server.js';
import { ok } from '../../../src-main/shared/result.js';
import { RecordingSink } from '../../helpers/recording-sink.js';
import { waitFor } from '../../helpers/session.js';

describe('backfilling a chain from the server store (events/related)', () => {
  const stacks: StackHandle[] = [];
  const managers: Pipeline[] = [];
  afterAll(async () => {
    for (const m of managers) await m.dispose();
    for (const s of stacks) await s.close();
  });

  async function deviceStream(store: boolean) {
    const stack = await startStack({ seed: 31, store: { enabled: store }, scenario: { devices: 1, gateways: 2 } });
    stacks.push(stack);
    const sink = new RecordingSink();
    const pipeline = createPipeline({
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'event-desk-backfill-')),
      sink,
      resolve: async () => ok({ urls: [stack.url], apiKey: stack.demoKey }),
    });
    managers.push(pipeline);
    const manager = pipeline.streams;
    const d = stack.scenario.devices[0]!;
    // A device stream sees the NS and AS events of an uplink, not the gateway server's.
    const r = await manager.start({
      workspaceId: 'w',
      profileId: 'p',
      entities: [{ kind: 'device', id: d.deviceId, application: d.appId }],
      names: [],
    });
    if (!r.ok) throw new Error(r.error.message);
    await waitFor(() => manager.list()[0]?.state.kind === 'open', 'open');
    stack.publish(stack.scenario.flow('uplink', d, 2));
    await waitFor(() => sink.summaries().some((s) => s.name === 'as.up.data.forward'), 'the uplink');
    return {
      manager: pipeline.chains,
      index: pipeline.index,
      up: sink.summaries().find((s) => s.name === 'as.up.data.forward')!,
    };
  }

  it('adds the gateway server events the streams did not carry, marked as backfilled, and opens them', async () => {
    const { manager, index, up } = await deviceStream(true);
    const before = manager.chain(up.id);
    if (!before.ok) throw new Error(before.error.message);
    expect(before.value.lanes.map((l) => l.component)).toEqual(['ns', 'as']);
    expect(before.value.findings).toEqual([]);
    const after = await manager.backfill(up.id);
    if (!after.ok) throw new Error(after.error.message);
    const added = after.value.steps
      .filter((s) => s.event.backfilled)
      .map((s) => s.event.name)
      .sort();
    expect(added).toEqual(['gs.up.forward', 'gs.up.forward', 'gs.up.receive', 'gs.up.receive']);
    expect(after.value.backfilled).toBe(4);
    expect(after.value.lanes.filter((l) => l.component === 'gs')).toHaveLength(2);
    const one = after.value.steps.find((s) => s.event.backfilled)!;
    const full = await index.event(one.event.id);
    expect(full.ok && full.value.name).toBe(one.event.name);
    // Asking again adds nothing twice.
    const again = await manager.backfill(up.id);
    expect(again.ok && again.value.backfilled).toBe(4);
    // The chain of a backfilled event is the same chain.
    const fromBackfilled = manager.chain(one.event.id);
    expect(fromBackfilled.ok && fromBackfilled.value.steps.length).toBe(after.value.steps.length);
  });

  it('says why when the server keeps no history', async () => {
    const { manager, up } = await deviceStream(false);
    const r = await manager.backfill(up.id);
    expect(!r.ok && r.error.message).toMatch(/keeps no event history/);
  });
});
