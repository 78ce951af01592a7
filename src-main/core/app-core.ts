/**
 * The core services the Electron main and the test harness both wire: one place, so E2E tests
 * exercise exactly what the app runs.
 */
import type { AppInfo } from '../shared/domain/profile.js';
import type { InvokeHandlers, PushSink } from '../shared/ipc/contract.js';
import { err, ok } from '../shared/result.js';
import { promises as fs } from 'node:fs';
import { PreferencesStore } from './persistence/preferences-store.js';
import type { WindowContext } from '../shared/domain/shell.js';
import { redactSecrets } from '../shared/redact.js';
import { cutDepth, exceedsDepth } from '../shared/json/bounded.js';
import type { BackoffOptions } from './stream/backoff.js';
import { DemoStack } from './services/demo-stack.js';
import type { StreamManager } from './services/stream-manager.js';
import { ProfileService } from './services/profile-service.js';
import { KeytarSecretStore, type SecretStore } from './secrets/secret-store.js';
import type { Dialogs } from './services/dialogs.js';
import { WorkspaceStore } from './services/workspace-store.js';
import { SettingsStore, checkRetention, checkThresholds } from './services/settings-store.js';
import { ExportService } from './exchange/export-service.js';
import { ImportService } from './exchange/import-service.js';
import type { CaptureIndex } from './capture/capture-index.js';
import type { ChainService } from './correlation/chain-service.js';
import { createPipeline } from './pipeline.js';
import { sameSpec } from '../shared/domain/same-spec.js';
import type { QueryContext } from '../shared/query/query.js';
import { streamOrigin } from '../shared/query/origin.js';
import { HealthService } from './health/health-service.js';
import { MessageService } from './health/message-service.js';
import { MessageWatch } from './health/message-watch.js';
import { openFrames } from './frames/frames-core.js';
import { RecordingService } from './clickhouse/recording-service.js';
import { WindowService } from './clickhouse/window-service.js';
import { routeWindows } from './clickhouse/window-routes.js';

export interface CoreOptions {
  dataDir: string;
  sink: PushSink;
  host: AppInfo['host'];
  version: string;
  dialogs: Dialogs;
  /** Defaults to the OS keychain (service `event-desk`). */
  secrets?: SecretStore;
  platform?: string;
  demo?: { rate?: number; seed?: number };
  backoff?: BackoffOptions;
  log?: (message: string) => void;
  /** Desktop app: shows a file in the OS file manager ("Show in folder" after an export). */
  reveal?: (file: string) => void;
  /** Desktop app: the window said which workspace is in front (menu state, notifications). */
  onWindowContext?: (context: WindowContext) => void;
  /** Rows each ClickHouse window keeps in memory (default `MAX_KEPT_ROWS`); tests set a small one. */
  windowRows?: number;
}

export interface Core {
  handlers: InvokeHandlers;
  exports: ExportService;
  imports: ImportService;
  streams: StreamManager;
  index: CaptureIndex;
  chains: ChainService;
  profiles: ProfileService;
  demo: DemoStack;
  recording: RecordingService;
  /** Workspaces that read a window of a ClickHouse recording live (#19). */
  windows: WindowService;
  /** The messages view's and the Devices/Gateways lists' state per workspace (#17). */
  messages: MessageService;
  health: HealthService;
  dispose(): Promise<void>;
}

export async function createCore(options: CoreOptions): Promise<Core> {
  // Every log line passes the redactor: a key must never reach a log, whatever code path wrote it.
  const log = (m: string) => options.log?.(redactSecrets(m));
  const demo = new DemoStack(options.demo);
  const secrets = options.secrets ?? new KeytarSecretStore();
  const profiles = await ProfileService.open({
    dataDir: options.dataDir,
    secrets,
    demo,
    dialogs: options.dialogs,
    log,
  });
  // The index owns every entry; the feed pushes them per workspace once written; sessions only append.
  const pipeline = createPipeline({
    dataDir: options.dataDir,
    sink: options.sink,
    resolve: (id) => profiles.resolve(id),
    ...(options.backoff ? { backoff: options.backoff } : {}),
    log,
  });
  const { index, streams: manager, chains } = pipeline;

  const workspaces = new WorkspaceStore(options.dataDir);
  const settings = new SettingsStore(options.dataDir);
  index.retention = (await settings.load(log)).retention;
  const imports = new ImportService({ index, dialogs: options.dialogs, sink: options.sink, log });
  // Windows of a team's ClickHouse recording read live (#19); made once the recording settings are loaded.
  const late: { windows?: WindowService } = {};
  const streamList = () => [...manager.list(), ...imports.list(), ...(late.windows?.list() ?? [])];
  // `server:` and `profile:` in a page or export filter: the same origins the window uses.
  const queryContext: QueryContext = {
    origin: (streamId) => {
      const info = streamList().find((s) => s.streamId === streamId);
      return info && streamOrigin(info, profiles.store.get(info.spec.profileId) ?? info.profile);
    },
  };
  const exports = new ExportService({
    index,
    streamsOf: (ws) => streamList().filter((s) => s.spec.workspaceId === ws),
    chainIds: (id) => chains.chainIds(id),
    dialogs: options.dialogs,
    sink: options.sink,
    version: options.version,
    profile: (id) => profiles.store.get(id),
    queryContext,
    log,
    // A ClickHouse window's entries are read from ClickHouse, and written the same way (#19).
    sources: () => {
      const windows = late.windows;
      return windows && { owns: (ws) => windows.owns(ws), select: (req) => windows.exportSelection(req) };
    },
  });

  // After a restart, the saved workspaces' streams continue in their captures, with the downtime as a gap.
  const saved = (await workspaces.load()).doc;
  const catalog = await index.catalog();
  await manager.resume(catalog, (spec) =>
    saved.workspaces.some((w) => w.id === spec.workspaceId && w.streams.some((x) => sameSpec(x, spec))),
  );
  // Workspaces opened from a file get their imported capture back, read-only (#16).
  await imports.resume(catalog, (id) => saved.workspaces.some((w) => w.id === id && w.readOnly));

  const health = new HealthService(index);
  // "Also record to ClickHouse": follows the captures' files, so it never slows or loses the local capture.
  const recording = await RecordingService.open({
    dataDir: options.dataDir,
    captureDir: index.dir,
    secrets,
    catalog: () => index.catalog(),
    serverOf: (profileId) => profiles.store.get(profileId)?.baseUrl ?? '',
    push: (view) => options.sink.send('recording:state', view),
    log,
  });
  // Device keys share the API keys' keychain service, in their own account namespace (device:<app>/<device>).
  // A window's frames find their joins in the window's rows (root keys work there too).
  const { service: frames, facts: frameFacts } = await openFrames(index, secrets, log, () => {
    const w = late.windows;
    return (
      w && {
        owns: (id) => w.ownsId(id),
        at: (id) => w.at(id),
        page: (req) => w.page(req),
        event: (id) => w.event(id),
      }
    );
  });
  const windows = await WindowService.open(
    {
      decode: (event, id) => frames.decode(event, id),
      dataDir: options.dataDir,
      targetOf: (ws) => recording.targetOf(ws),
      // A deleted profile's name still names its server's rows, as its streams' labels still do.
      profiles: () => [...profiles.store.list(), ...manager.list().flatMap((s) => (s.profile ? [s.profile] : []))],
      push: (count) => options.sink.send('recording:window-count', count),
      log,
      ...(options.windowRows ? { keptRows: options.windowRows } : {}),
    },
    (id) => saved.workspaces.some((w) => w.id === id && w.readOnly),
  );
  late.windows = windows;
  frames.onKeysChanged(() => windows.frames?.invalidate());
  const preferences = new PreferencesStore(options.dataDir);
  // Thresholds an earlier version kept with the window's preferences move to the settings once (#16).
  if (!settings.current.thresholdsSaved) {
    const legacy = await preferences.legacyThresholds();
    const moved = legacy && checkThresholds(legacy);
    if (moved?.ok) await settings.update({ thresholds: moved.value });
  }
  /** Where each export of this session went, for "Show in folder" (the renderer names the job, never a path). */
  const exported = new Map<string, string>();

  // The messages view's rows are grouped here as the capture grows, and pushed after each batch (#17).
  const messages = new MessageService(index, () => ({ ...queryContext, frames: frameFacts.source }));
  const messageWatch = new MessageWatch(messages, options.sink, undefined, frameFacts);
  const chainSent = pipeline.feed.onSent;
  pipeline.feed.onSent = (workspaceId, summaries) => {
    chainSent(workspaceId, summaries);
    messageWatch.onEntries(workspaceId);
  };
  // `recording:open-window` and the channels of ClickHouse windows are routed by routeWindows below.
  const handlers: Omit<InvokeHandlers, 'recording:open-window'> = {
    'app:get-info': async () =>
      ok({ version: options.version, platform: options.platform ?? process.platform, host: options.host }),
    'profiles:list': async () => ok(await profiles.view()),
    'profiles:create': (input) => profiles.create(input),
    'profiles:update': (id, input) => profiles.update(id, input),
    'profiles:duplicate': (id) => profiles.duplicate(id),
    'profiles:delete': async (id) => {
      const p = profiles.store.get(id);
      const r = await profiles.remove(id);
      // Gone from the profile file even when the keychain kept its key (`r` then says so): its streams stop.
      if (p && !profiles.store.get(id)) await manager.profileDeleted(id, { name: p.name, baseUrl: p.baseUrl });
      return r;
    },
    'profiles:reorder': (ids) => profiles.reorder(ids),
    'profiles:set-key': (id, key) => profiles.setKey(id, key),
    'profiles:clear-key': (id) => profiles.clearKey(id),
    'profiles:check': (id) => profiles.check(id),
    'profiles:export': () => profiles.exportToFile(),
    'profiles:import': () => profiles.importFromFile(),
    'profiles:import-text': (text) => profiles.importText(text),
    'profiles:pick-ca': () => profiles.pickCaFile(),
    'workspaces:load': async () => ok(await workspaces.load()),
    'workspaces:save': async (doc) => {
      // A workspace gone from the saved tabs was closed: its messages and lists are not kept for it.
      const open = new Set(doc.workspaces.map((w) => w.id));
      for (const id of messages.workspaces()) if (!open.has(id)) messages.forget(id);
      for (const id of health.workspaces()) if (!open.has(id)) health.forget(id);
      return workspaces.save(doc);
    },
    'streams:start': (spec) => manager.start(spec),
    'streams:stop': async (id) => manager.stop(id),
    'streams:list': async () => ok(streamList()),
    // An event nested deeper than any walker copes with is shown cut, not refused (#13).
    'events:get': async (id) => {
      const r = await index.event(id);
      return r.ok && exceedsDepth(r.value) ? ok(cutDepth(r.value) as typeof r.value) : r;
    },
    'events:page': (req) => frameFacts.page(req, queryContext),
    'correlation:chain': async (id) => chains.chain(id),
    'correlation:watch': async (id) => pipeline.watch.watch(id),
    'correlation:backfill': (id) => chains.backfill(id),
    'export:preview': (req) => exports.preview(req),
    'export:start': async (req) => {
      const r = await exports.start(req);
      if (r.ok && r.value) exported.set(r.value.jobId, r.value.path);
      return r;
    },
    'export:reveal': async (jobId) => {
      const file = exported.get(jobId);
      if (!options.reveal)
        return err(
          'invalid-input',
          'Show in folder works in the desktop app; in a browser the file is in your downloads.',
        );
      if (
        !file ||
        !(await fs.access(file).then(
          () => true,
          () => false,
        ))
      )
        return err('not-found', 'That export is no longer where it was saved.');
      options.reveal(file);
      return ok(undefined);
    },
    'prefs:get': async () => ok({ prefs: await preferences.load(), dataDir: options.dataDir }),
    'prefs:set': (prefs) => preferences.save(prefs),
    'shell:context': async (context) => {
      options.onWindowContext?.(context);
      return ok(undefined);
    },
    'export:cancel': async (id) => exports.cancel(id),
    'import:open': (ws) => imports.openFile(ws),
    'import:begin': (ws, name, total) => imports.begin(ws, name, total),
    'import:chunk': async (id, text) => imports.chunk(id, text),
    'import:end': (id) => imports.end(id),
    'import:cancel': async (id) => imports.cancel(id),
    'settings:get': async () => ok(settings.current),
    'settings:set-retention': async (r) => {
      const checked = checkRetention(r);
      if (!checked.ok) return checked;
      index.retention = checked.value;
      return settings.update({ retention: checked.value });
    },
    'settings:set-thresholds': async (t) => {
      const checked = checkThresholds(t);
      return checked.ok ? settings.update({ thresholds: checked.value }) : checked;
    },
    'renderer:ready': async () => ok(undefined),
    'frames:decode': (id) => frames.decodeEvent(id),
    'frames:key-state': (app, dev) => frames.keyState(app, dev),
    'frames:set-key': (app, dev, name, hex) => frames.setKey(app, dev, name, hex),
    'frames:clear-keys': (app, dev) => frames.clearKeys(app, dev),
    'frames:facts': (ids) => frameFacts.factsFor(ids),
    'health:overview': (ws, bins) => health.overview(ws, bins),
    'health:list': (ws) => health.list(ws),
    'health:device': (ws, key) => health.device(ws, key),
    'health:gateway': (ws, id) => health.gateway(ws, id),
    'messages:watch': async (req) => messageWatch.watch(req),
    'recording:get': async (ws) => ok(recording.view(ws)),
    'recording:set': (ws, input) => recording.set(ws, input),
  };

  return {
    handlers: routeWindows(handlers, windows, {
      sink: options.sink,
      decode: (event, id) => frames.decode(event, id),
    }),
    windows: windows,
    exports,
    imports,
    streams: manager,
    index,
    chains,
    profiles,
    demo,
    recording,
    messages,
    health,
    async dispose() {
      messageWatch.dispose();
      await recording.dispose();
      await windows.dispose();
      await pipeline.dispose();
      await demo.dispose();
    },
  };
}
