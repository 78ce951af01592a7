/**
 * The one IPC contract between main and the renderer (house style C).
 *
 * Invoke channels are request → Result; push channels carry plain, structured-clone-safe data from main.
 * Preload exposes exactly one method per channel as `window.eventDesk`; nothing generic.
 */
import type { Result } from '../result.js';
import type { AppInfo, ProfileInput, ProfileSummary, ProfilesView } from '../domain/profile.js';
import type { ConnectionCheck } from '../domain/auth-check.js';
import type { WorkspacesDoc } from '../domain/workspace.js';
import type { Chain } from '../correlation/chain.js';
import type { ExportPreview, ExportRequest, ImportResult, JobProgress } from '../export/types.js';
import type { StreamInfo, StreamSpec, StreamStateChange } from '../domain/stream.js';
import type { EventSummary } from '../domain/summary.js';
import type { TtsEvent } from '../tts/types.js';
import type { DeviceKeyName, DeviceKeyState, FrameFactsBatch, FrameView } from '../domain/frame.js';
import type { Preferences } from '../domain/preferences.js';
import type { ShellCommand, WindowContext } from '../domain/shell.js';
import type { Overview } from '../health/overview.js';
import type { DeviceHealth, DeviceSeries, GatewayHealth, GatewaySeries } from '../health/health.js';
import type { IntegrationFailureGroup } from '../health/integrations.js';
import type { MessageRow } from '../health/messages.js';
import type { Thresholds } from '../health/thresholds.js';
import type { RecordingInput, RecordingView, RecordingWindow, WindowCount } from '../domain/recording.js';

/** A page of a workspace's retained capture, before a cursor, optionally through a filter query. */
export interface PageRequest {
  workspaceId: string;
  query: string;
  /** Entries strictly older than this (event time ms, then id); none = from the newest. */
  before?: { ms: number; id: number };
  limit: number;
}

export interface PageResult {
  /** Oldest first, like the view. */
  entries: EventSummary[];
  /** Whether older matching entries remain. */
  more: boolean;
  /** Entries the workspace's captures retain in main (all, not only matches). */
  retained: number;
  /** A workspace that reads a ClickHouse window: how many events the window holds (#19). */
  window?: WindowCount;
}

/** A batch of new capture entries, sent about every 50 ms and bounded in size. */
export interface EventBatch {
  /** The workspace these entries belong to: the renderer routes nothing. */
  workspaceId: string;
  /**
   * New entries, and entries sent before that changed (same id: another stream delivered the same
   * event), oldest first. Sent only once their lines are written to the capture file.
   */
  summaries: EventSummary[];
}

/** The rows the messages view shows: a range of a workspace's messages through its filter (#17). */
export interface MessagesRequest {
  workspaceId: string;
  /** The workspace's filter: a message shows when one of its events matches. */
  query: string;
  /** Row 0 is the newest message (else the oldest). */
  newestFirst: boolean;
  /** The first row wanted, in that order, and how many. */
  start: number;
  count: number;
  /** An expanded message, by any of its events' ids: where it is, and its events through the filter. */
  expanded?: number;
}

export interface MessagesWindow {
  workspaceId: string;
  query: string;
  newestFirst: boolean;
  /** Messages through the filter. */
  total: number;
  /** Row index of `rows[0]`. */
  start: number;
  rows: MessageRow[];
  /** The expanded message: its row index, its row, and its events through the filter, oldest first. */
  expanded?: { at: number; row: MessageRow; events: EventSummary[] };
  /** Entries of the capture grouped so far. */
  entries: number;
  /** Present while main is still grouping a big capture (after a reopen): entries read of all. */
  building?: { read: number; total: number };
  /** Present when the messages are grouped from part of what the workspace holds (a big ClickHouse window): says which. */
  partial?: string;
}

/** Renderer → main request/response channels. */
export interface InvokeChannels {
  'app:get-info': { args: []; result: AppInfo };
  'profiles:list': { args: []; result: ProfilesView };
  'profiles:create': { args: [input: ProfileInput]; result: ProfileSummary };
  'profiles:update': { args: [id: string, input: ProfileInput]; result: ProfileSummary };
  'profiles:duplicate': { args: [id: string]; result: ProfileSummary };
  'profiles:delete': { args: [id: string]; result: void };
  'profiles:reorder': { args: [ids: string[]]; result: void };
  /** Write-only: a key goes in, and nothing ever returns it. */
  'profiles:set-key': { args: [id: string, key: string]; result: void };
  'profiles:clear-key': { args: [id: string]; result: void };
  'profiles:check': { args: [id: string]; result: ConnectionCheck };
  /**
   * Main asks where to save; `null` = the user cancelled. In browser mode the file goes to a download:
   * `download` is its one-time URL path and `path` only the file's name (never a folder of the backend's).
   */
  'profiles:export': { args: []; result: { path: string; count: number; download?: string } | null };
  'profiles:import': { args: []; result: ProfileSummary[] | null };
  /** Browser mode: the text of a profiles export the user picked in the page (the renderer never names a path). */
  'profiles:import-text': { args: [text: string]; result: ProfileSummary[] };
  /** Main asks for a PEM file and returns its (public) certificate text for the form; `null` = cancelled. */
  'profiles:pick-ca': { args: []; result: string | null };
  'workspaces:load': { args: []; result: { doc: WorkspacesDoc; problem?: string } };
  'workspaces:save': { args: [doc: WorkspacesDoc]; result: void };
  'streams:start': { args: [spec: StreamSpec]; result: StreamInfo };
  'streams:stop': { args: [streamId: string]; result: void };
  'streams:list': { args: []; result: StreamInfo[] };
  'events:get': { args: [id: number]; result: TtsEvent };
  /** Older entries of a workspace from main's index, newest first up to `limit`, for scrolling past the view. */
  'events:page': { args: [request: PageRequest]; result: PageResult };
  'correlation:chain': { args: [id: number]; result: Chain };
  /** Push this event's chain on `correlation:chain` now and whenever it grows; `null` stops. */
  'correlation:watch': { args: [id: number | null]; result: void };
  /** Fill the chain from the server's events store (`events/related`). */
  'correlation:backfill': { args: [id: number]; result: Chain };
  'export:preview': { args: [request: ExportRequest]; result: ExportPreview };
  /** Main asks where to save, then streams the file; progress arrives on `jobs:progress`. `null` = cancelled at the dialog. */
  'export:start': { args: [request: ExportRequest]; result: { jobId: string; path: string } | null };
  'export:cancel': { args: [jobId: string]; result: void };
  /** Main asks which file to open; `null` = cancelled. */
  'import:open': { args: [workspaceId: string]; result: ImportResult | null };
  /** A dropped file, sent as text in chunks (the renderer never hands main a path). */
  'import:begin': { args: [workspaceId: string, name: string, totalBytes: number]; result: string };
  'import:chunk': { args: [importId: string, text: string]; result: void };
  'import:end': { args: [importId: string]; result: ImportResult };
  /** Stop opening a file (by its job id on `jobs:progress`): what was read is removed, no tab is made. */
  'import:cancel': { args: [jobId: string]; result: void };
  'settings:get': { args: []; result: AppSettings };
  'settings:set-retention': { args: [retention: AppSettings['retention']]; result: AppSettings };
  /** The radio colour thresholds everything colours by (Settings page, network view); refused when out of range. */
  'settings:set-thresholds': { args: [thresholds: Thresholds]; result: AppSettings };
  'renderer:ready': { args: []; result: void };
  /** An event's frame decoded in main with its device's keys (#18). */
  'frames:decode': { args: [id: number]; result: FrameView };
  /** Which keys a device has in the keychain: names only, never values. */
  'frames:key-state': { args: [applicationId: string, deviceId: string]; result: DeviceKeyState };
  /** Write-only, like API keys: a key goes in, nothing returns it. */
  'frames:set-key': {
    args: [applicationId: string, deviceId: string, name: DeviceKeyName, hex: string];
    result: DeviceKeyState;
  };
  'frames:clear-keys': { args: [applicationId: string, deviceId: string]; result: DeviceKeyState };
  /** What main's decoder says of these entries' frames (MIC verdict, MAC command names), for `mic:`/`mac:`. */
  'frames:facts': { args: [ids: number[]]; result: FrameFactsBatch };
  /** The window's preferences, and the data folder they and everything else live in. */
  'prefs:get': { args: []; result: { prefs: Preferences; dataDir: string } };
  /** Saves the preferences as main normalises them (each field checked; out of range = its default). */
  'prefs:set': { args: [prefs: Preferences]; result: Preferences };
  /** Desktop app: shows a finished export in the file manager (browser mode: not-supported). */
  'export:reveal': { args: [jobId: string]; result: void };
  /** The window's title, active workspace and names, for the menu and OS notifications (desktop app). */
  'shell:context': { args: [context: WindowContext]; result: void };
  /** The capture overview: event rate over a workspace's whole capture in at most `bins` bins, with gaps, reconnects and errors. */
  'health:overview': { args: [workspaceId: string, bins: number]; result: Overview };
  /** Devices and gateways of a workspace with their health, and integration failures grouped by target and status. */
  'health:list': {
    args: [workspaceId: string];
    result: {
      devices: DeviceHealth[];
      gateways: GatewayHealth[];
      integrations: IntegrationFailureGroup[];
      gaps: number;
      /** Present while main is still building the lists over a big capture (the first call after a reopen): ask again. */
      building?: { read: number; total: number };
      /** Present when the lists are built from part of what the workspace holds (a big ClickHouse window): says which. */
      partial?: string;
    };
  };
  /** One device (`application/device`): health and time series for its panel. */
  'health:device': {
    args: [workspaceId: string, deviceKey: string];
    result: { health: DeviceHealth; series: DeviceSeries };
  };
  'health:gateway': {
    args: [workspaceId: string, gatewayId: string];
    result: { health: GatewayHealth; series: GatewaySeries };
  };
  /**
   * The messages view's rows, made in main from the capture; main pushes the same window again on
   * `messages:window` as new events change it, until the next request (`null` stops).
   */
  'messages:watch': { args: [request: MessagesRequest | null]; result: MessagesWindow | null };
  /** A workspace's "also record to ClickHouse": settings (never the password), phase, lag, last error (#19). */
  'recording:get': { args: [workspaceId: string]; result: RecordingView };
  /** Save the settings (a password goes to the keychain), then start, restart or stop recording. */
  'recording:set': { args: [workspaceId: string, input: RecordingInput]; result: RecordingView };
  /**
   * Open a window of the recording `settingsOf`'s settings point at as the new read-only workspace
   * `workspaceId`: its list, detail and chains read ClickHouse as the user looks (events:page/get,
   * correlation:chain), nothing is copied. The result's `events` is the window's count so far.
   */
  'recording:open-window': {
    args: [workspaceId: string, settingsOf: string, window: RecordingWindow];
    result: ImportResult;
  };
}

/** Settings main applies (the view's own settings live with the workspaces). */
export interface AppSettings {
  /** How much each stream's capture keeps, on disk and in the index; older segments are removed. */
  retention: { maxEvents: number; maxBytes: number };
  /** RSSI/SNR/spreading-factor colours of the event list, messages view and device and gateway panels. */
  thresholds: Thresholds;
  /** Whether anyone chose thresholds yet (a window migrates its old local ones only when not). */
  thresholdsSaved: boolean;
}

/** Main → renderer push channels. */
export interface PushChannels {
  'events:batch': EventBatch;
  /** The watched event's chain, whenever new entries joined it. */
  'correlation:chain': { eventId: number; chain: Chain };
  'streams:state': StreamStateChange;
  'jobs:progress': JobProgress;
  /** The application menu or the OS asks the window to do something (desktop app). */
  'shell:command': ShellCommand;
  /** A workspace's recording changed (phase, error) or its lag moved; about once a second while it records. */
  'recording:state': RecordingView;
  /** The watched messages window, again after new events changed it (at most every ~100 ms). */
  'messages:window': MessagesWindow;
  /** A ClickHouse window's count moved while counting, and when it is done. */
  'recording:window-count': WindowCount;
}

export type InvokeChannel = keyof InvokeChannels;
export type PushChannel = keyof PushChannels;
export type InvokeArgs<C extends InvokeChannel> = InvokeChannels[C]['args'];
export type InvokeResult<C extends InvokeChannel> = InvokeChannels[C]['result'];

/** The renderer-facing method name of every invoke channel. */
export const INVOKE_METHODS = {
  'app:get-info': 'getAppInfo',
  'profiles:list': 'listProfiles',
  'profiles:create': 'createProfile',
  'profiles:update': 'updateProfile',
  'profiles:duplicate': 'duplicateProfile',
  'profiles:delete': 'deleteProfile',
  'profiles:reorder': 'reorderProfiles',
  'profiles:set-key': 'setProfileKey',
  'profiles:clear-key': 'clearProfileKey',
  'profiles:check': 'checkProfile',
  'profiles:export': 'exportProfiles',
  'profiles:import': 'importProfiles',
  'profiles:import-text': 'importProfilesText',
  'profiles:pick-ca': 'pickCaFile',
  'workspaces:load': 'loadWorkspaces',
  'workspaces:save': 'saveWorkspaces',
  'streams:start': 'startStream',
  'streams:stop': 'stopStream',
  'streams:list': 'listStreams',
  'events:get': 'getEvent',
  'events:page': 'getPage',
  'correlation:chain': 'getChain',
  'correlation:watch': 'watchChain',
  'correlation:backfill': 'backfillChain',
  'export:preview': 'previewExport',
  'export:start': 'startExport',
  'export:cancel': 'cancelExport',
  'import:open': 'openImport',
  'import:begin': 'beginImport',
  'import:chunk': 'importChunk',
  'import:end': 'endImport',
  'import:cancel': 'cancelImport',
  'settings:get': 'getSettings',
  'settings:set-retention': 'setRetention',
  'settings:set-thresholds': 'setThresholds',
  'renderer:ready': 'rendererReady',
  'frames:decode': 'decodeFrame',
  'frames:key-state': 'getDeviceKeyState',
  'frames:set-key': 'setDeviceKey',
  'frames:clear-keys': 'clearDeviceKeys',
  'frames:facts': 'getFrameFacts',
  'prefs:get': 'getPreferences',
  'prefs:set': 'setPreferences',
  'export:reveal': 'revealExport',
  'shell:context': 'setWindowContext',
  'health:overview': 'getOverview',
  'health:list': 'getHealthList',
  'health:device': 'getDeviceHealth',
  'health:gateway': 'getGatewayHealth',
  'messages:watch': 'watchMessages',
  'recording:get': 'getRecording',
  'recording:set': 'setRecording',
  'recording:open-window': 'openRecordingWindow',
} as const satisfies Record<InvokeChannel, string>;

/** The renderer-facing subscribe method of every push channel. */
export const PUSH_METHODS = {
  'events:batch': 'onEventBatch',
  'correlation:chain': 'onChain',
  'streams:state': 'onStreamState',
  'jobs:progress': 'onJobProgress',
  'shell:command': 'onShellCommand',
  'recording:state': 'onRecordingState',
  'messages:window': 'onMessagesWindow',
  'recording:window-count': 'onWindowCount',
} as const satisfies Record<PushChannel, string>;

/** What `window.eventDesk` is: one method per channel, derived from the maps above. */
export type RendererApi = {
  [C in InvokeChannel as (typeof INVOKE_METHODS)[C]]: (...args: InvokeArgs<C>) => Promise<Result<InvokeResult<C>>>;
} & {
  [C in PushChannel as (typeof PUSH_METHODS)[C]]: (listener: (payload: PushChannels[C]) => void) => () => void;
};

/**
 * Largest frame browser mode's bridge carries from the page (the harness closes a socket that sends more).
 * The page checks its own requests against it, so a big one fails with a message instead of the connection.
 */
export const MAX_BRIDGE_FRAME_BYTES = 4 * 1024 * 1024;

/** Main-side handlers: a missing channel is a compile error. */
export type InvokeHandlers = {
  [C in InvokeChannel]: (...args: InvokeArgs<C>) => Promise<Result<InvokeResult<C>>>;
};

export const INVOKE_CHANNELS = Object.keys(INVOKE_METHODS) as InvokeChannel[];
export const PUSH_CHANNELS = Object.keys(PUSH_METHODS) as PushChannel[];

/** Where main sends pushes; implemented by the Electron shell and by the test harness. */
export interface PushSink {
  send<C extends PushChannel>(channel: C, payload: PushChannels[C]): void;
}
