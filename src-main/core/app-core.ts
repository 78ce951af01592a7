/**
 * The core services the Electron main and the test harness both wire: one place, so E2E tests
 * exercise exactly what the app runs.
 */
import type { AppInfo, ProfileSummary } from '../shared/domain/profile.js';
import type { InvokeHandlers, PushSink } from '../shared/ipc/contract.js';
import { err, ok, toAppError, type Result } from '../shared/result.js';
import type { BackoffOptions } from './stream/backoff.js';
import { DemoStack, DEMO_PROFILE_ID } from './services/demo-stack.js';
import { StreamManager, type ServerEndpoint } from './services/stream-manager.js';

export interface CoreOptions {
  dataDir: string;
  sink: PushSink;
  host: AppInfo['host'];
  version: string;
  platform?: string;
  demo?: { rate?: number; seed?: number };
  backoff?: BackoffOptions;
  log?: (message: string) => void;
}

export interface Core {
  handlers: InvokeHandlers;
  streams: StreamManager;
  demo: DemoStack;
  dispose(): Promise<void>;
}

const DEMO_PROFILE: ProfileSummary = { id: DEMO_PROFILE_ID, name: 'Demo stack', baseUrl: 'built-in (127.0.0.1)', isDemo: true, color: '#0b8a6f' };

export function createCore(options: CoreOptions): Core {
  const demo = new DemoStack(options.demo);
  const resolve = async (profileId: string): Promise<Result<ServerEndpoint>> => {
    if (profileId !== DEMO_PROFILE_ID) return err('not-found', `There is no server profile "${profileId}".`);
    try {
      return ok(await demo.endpoint());
    } catch (e) {
      return err('internal', `The demo stack could not start: ${toAppError(e).message}`);
    }
  };
  const streams = new StreamManager({ dataDir: options.dataDir, sink: options.sink, resolve, ...(options.backoff ? { backoff: options.backoff } : {}), ...(options.log ? { log: options.log } : {}) });

  const handlers: InvokeHandlers = {
    'app:get-info': async () => ok({ version: options.version, platform: options.platform ?? process.platform, host: options.host }),
    'profiles:list': async () => ok([DEMO_PROFILE]),
    'streams:start': (spec) => streams.start(spec),
    'streams:stop': async (id) => streams.stop(id),
    'streams:list': async () => ok(streams.list()),
    'events:get': (id) => streams.getEvent(id),
    'renderer:ready': async () => ok(undefined),
  };

  return {
    handlers,
    streams,
    demo,
    async dispose() {
      await streams.dispose();
      await demo.dispose();
    },
  };
}
