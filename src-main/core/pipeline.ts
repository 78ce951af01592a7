/**
 * The capture pipeline, wired once for the app, the harness, the benchmarks and the tests: the index
 * owns the entries, stream sessions append to it, the feed pushes them per workspace once written, and
 * chains are answered from its postings.
 */
import path from 'node:path';
import type { PushSink } from '../shared/ipc/contract.js';
import { CaptureIndex, type Retention } from './capture/capture-index.js';
import { LiveFeed } from './capture/live-feed.js';
import { ChainService } from './correlation/chain-service.js';
import { ChainWatch } from './correlation/chain-watch.js';
import { StreamManager, type ResolveEndpoint } from './services/stream-manager.js';
import type { BackoffOptions } from './stream/backoff.js';

export interface PipelineOptions {
  dataDir: string;
  sink: PushSink;
  resolve: ResolveEndpoint;
  backoff?: BackoffOptions;
  retention?: Retention;
  log?: (m: string) => void;
  clock?: () => number;
  /** Milliseconds between pushes to the renderer. */
  batchMs?: number;
}

export interface Pipeline {
  index: CaptureIndex;
  streams: StreamManager;
  chains: ChainService;
  /** The chain on screen, pushed when it grows. */
  watch: ChainWatch;
  feed: LiveFeed;
  dispose(): Promise<void>;
}

export function createPipeline(o: PipelineOptions): Pipeline {
  // The index reports disk errors to the manager, which is built after it.
  const late: { streams?: StreamManager } = {};
  const index: CaptureIndex = new CaptureIndex({
    dir: path.join(o.dataDir, 'captures'),
    onEntry: (workspaceId, summary) => feed.add(workspaceId, summary.id, summary),
    onDiskError: (streamId, e) => late.streams?.diskError(streamId, e),
    ...(o.log ? { log: o.log } : {}),
    ...(o.clock ? { clock: o.clock } : {}),
  });
  if (o.retention) index.retention = { ...o.retention };
  const feed = new LiveFeed(
    o.sink,
    () => index.written(),
    (id) => index.get(id),
    o.batchMs,
    undefined,
    (id) => index.has(id),
  );
  const manager = new StreamManager({
    index,
    sink: o.sink,
    resolve: o.resolve,
    ...(o.backoff ? { backoff: o.backoff } : {}),
    ...(o.log ? { log: o.log } : {}),
    ...(o.clock ? { clock: o.clock } : {}),
  });
  late.streams = manager;
  const chains = new ChainService({
    index,
    resolve: o.resolve,
    profileOf: (streamId) => manager.info(streamId)?.spec.profileId,
  });
  const watch = new ChainWatch({ index, chains, sink: o.sink });
  feed.onSent = (workspaceId, summaries) => watch.onEntries(workspaceId, summaries);
  return {
    index,
    streams: manager,
    chains,
    watch,
    feed,
    async dispose() {
      manager.dispose();
      feed.dispose();
      await index.dispose();
    },
  };
}
