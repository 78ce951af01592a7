/**
 * Child process for the kill-under-load test: the app's capture pipeline streaming from a stack at full
 * speed, with a consumer standing in for the renderer. For every batch it is pushed, it prints what it
 * has seen so far (`seen <events> <time> <name>`), then waits to be killed.
 *
 * argv: dataDir, stack URL, API key
 */
import { createPipeline } from '../../src-main/core/pipeline.js';
import type { PushChannels } from '../../src-main/shared/ipc/contract.js';
import { ok } from '../../src-main/shared/result.js';

const [dataDir, url, key] = process.argv.slice(2) as [string, string, string];
let seen = 0;
const pipeline = createPipeline({
  dataDir,
  resolve: async () => ok({ urls: [url], apiKey: key }),
  sink: {
    send(channel, payload) {
      if (channel !== 'events:batch') return;
      const batch = payload as PushChannels['events:batch'];
      const events = batch.summaries.filter((s) => s.kind === 'event');
      if (events.length === 0) return;
      seen += events.length;
      const last = events.at(-1)!;
      process.stdout.write(`seen ${seen} ${last.time} ${last.name}\n`);
    },
  },
});
const entities = [
  { kind: 'application' as const, id: 'demo-app' },
  ...Array.from({ length: 10 }, (_, i) => ({ kind: 'gateway' as const, id: `demo-gateway-${i + 1}` })),
];
const r = await pipeline.streams.start({ workspaceId: 'w', profileId: 'p', entities, names: [] });
if (!r.ok) throw new Error(r.error.message);
setInterval(() => {}, 1000);
