/**
 * Runtime checks for every invoke payload: the renderer is untrusted (Electron security checklist §17).
 *
 * The map is complete at compile time, so a new channel cannot ship without a validator.
 */
import { ENTITY_KINDS, type EntityRef } from '../tts/types.js';
import type { Preferences } from '../domain/preferences.js';
import type { WindowContext } from '../domain/shell.js';
import type { StreamSpec } from '../domain/stream.js';
import { COMPONENTS, PROFILES_FILE_MAX_BYTES, type ProfileInput } from '../domain/profile.js';
import type { WorkspacesDoc } from '../domain/workspace.js';
import type { Thresholds } from '../health/thresholds.js';
import { MAX_QUERY_LENGTH } from '../query/query.js';
import type { ExportRequest } from '../export/types.js';
import type { MessagesRequest, PageRequest } from './contract.js';
import { DEVICE_KEY_NAMES, MAX_FACTS_REQUEST, type DeviceKeyName } from '../domain/frame.js';
import type { InvokeArgs, InvokeChannel } from './contract.js';
import { isRecordingInput, isRecordingWindow, type RecordingInput, type RecordingWindow } from '../domain/recording.js';

type Validators = { [C in InvokeChannel]: (args: unknown[]) => args is InvokeArgs<C> };

const isString = (v: unknown, max = 1024): v is string => typeof v === 'string' && v.length <= max;
const isId = (v: unknown): v is string => isString(v, 128) && v.length > 0;
const none = (args: unknown[]): args is [] => args.length === 0;

function isEntityRef(v: unknown): v is EntityRef {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    (ENTITY_KINDS as readonly string[]).includes(r.kind as string) &&
    isId(r.id) &&
    (r.application === undefined || isId(r.application))
  );
}

export function isStreamSpec(v: unknown): v is StreamSpec {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return (
    isId(s.workspaceId) &&
    isId(s.profileId) &&
    Array.isArray(s.entities) &&
    s.entities.length > 0 &&
    s.entities.length <= 100 &&
    s.entities.every(isEntityRef) &&
    Array.isArray(s.names) &&
    s.names.length <= 300 &&
    s.names.every((n) => isString(n, 256)) &&
    (s.tail === undefined || (Number.isInteger(s.tail) && (s.tail as number) >= 0 && (s.tail as number) <= 100000)) &&
    (s.after === undefined || (isString(s.after, 64) && !Number.isNaN(Date.parse(s.after))))
  );
}

/** Shape only; field rules (URL, colour, PEM) are checked by the profile store with messages for the form. */
export function isProfileInput(v: unknown): v is ProfileInput {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  const allowed = new Set(['name', 'baseUrl', 'components', 'caPem', 'color', 'notes']);
  if (Object.keys(p).some((k) => !allowed.has(k))) return false;
  const comps = p.components;
  const compsOk =
    comps === undefined ||
    (typeof comps === 'object' &&
      comps !== null &&
      Object.entries(comps).every(
        ([k, u]) => (COMPONENTS as readonly string[]).includes(k) && (u === undefined || isString(u, 2048)),
      ));
  return (
    isString(p.name, 200) &&
    isString(p.baseUrl, 2048) &&
    isString(p.color, 16) &&
    compsOk &&
    (p.caPem === undefined || isString(p.caPem, 256 * 1024)) &&
    (p.notes === undefined || isString(p.notes, 8000))
  );
}

/** A saved workspaces document (from the renderer, or from disk on load). */
export function isWorkspacesDoc(v: unknown): v is WorkspacesDoc {
  if (typeof v !== 'object' || v === null) return false;
  const d = v as Record<string, unknown>;
  const settings = d.settings as Record<string, unknown> | undefined;
  if (d.schemaVersion !== 1 || !Array.isArray(d.workspaces) || d.workspaces.length > 100) return false;
  if (
    typeof settings !== 'object' ||
    settings === null ||
    typeof settings.utc !== 'boolean' ||
    typeof settings.newestOnTop !== 'boolean'
  )
    return false;
  if (d.activeId !== undefined && !isId(d.activeId)) return false;
  return d.workspaces.every((w: unknown) => {
    if (typeof w !== 'object' || w === null) return false;
    const x = w as Record<string, unknown>;
    // Names past 200 characters are shortened by the store, not refused: one long name must not stop every save.
    return (
      isId(x.id) &&
      isString(x.name, 1024) &&
      isString(x.filter, MAX_QUERY_LENGTH) &&
      Array.isArray(x.streams) &&
      x.streams.length <= 50 &&
      x.streams.every((s) => isStreamSpec({ ...(s as object), workspaceId: x.id })) &&
      Array.isArray(x.savedFilters) &&
      x.savedFilters.length <= 100 &&
      x.savedFilters.every(
        (f) =>
          typeof f === 'object' &&
          f !== null &&
          isString((f as Record<string, unknown>).name, 200) &&
          isString((f as Record<string, unknown>).query, MAX_QUERY_LENGTH),
      )
    );
  });
}

const REDACTION_KEYS = ['apiKeyIds', 'remoteIps', 'userAgents', 'payloads', 'locations', 'pseudonymize'];

export function isExportRequest(v: unknown): v is ExportRequest {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  const scope = r.scope as Record<string, unknown> | undefined;
  const red = r.redaction as Record<string, unknown> | undefined;
  if (
    !isId(r.workspaceId) ||
    !isString(r.workspaceName, 200) ||
    typeof r.displayUtc !== 'boolean' ||
    !['json', 'ndjson', 'bundle'].includes(r.format as string)
  )
    return false;
  if (
    typeof red !== 'object' ||
    red === null ||
    Object.keys(red).length !== REDACTION_KEYS.length ||
    !REDACTION_KEYS.every((k) => typeof red[k] === 'boolean')
  )
    return false;
  if (typeof scope !== 'object' || scope === null) return false;
  switch (scope.kind) {
    case 'workspace':
      return isOrderKeyOrAbsent(scope.after);
    case 'filter':
      return isString(scope.query, MAX_QUERY_LENGTH) && isOrderKeyOrAbsent(scope.after);
    case 'selection':
      return (
        Array.isArray(scope.ids) && scope.ids.length <= 1_000_000 && scope.ids.every((x) => Number.isSafeInteger(x))
      );
    case 'chain':
      return Number.isSafeInteger(scope.eventId);
    default:
      return false;
  }
}

export function isMessagesRequest(v: unknown): v is MessagesRequest {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  const allowed = new Set(['workspaceId', 'query', 'newestFirst', 'start', 'count', 'expanded']);
  return (
    Object.keys(r).every((k) => allowed.has(k)) &&
    isId(r.workspaceId) &&
    isString(r.query, MAX_QUERY_LENGTH) &&
    typeof r.newestFirst === 'boolean' &&
    Number.isSafeInteger(r.start) &&
    (r.start as number) >= 0 &&
    Number.isInteger(r.count) &&
    (r.count as number) > 0 &&
    (r.count as number) <= 1000 &&
    (r.expanded === undefined || (Number.isSafeInteger(r.expanded) && (r.expanded as number) >= 0))
  );
}

export function isPageRequest(v: unknown): v is PageRequest {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    isId(r.workspaceId) &&
    isString(r.query, MAX_QUERY_LENGTH) &&
    Number.isInteger(r.limit) &&
    (r.limit as number) > 0 &&
    (r.limit as number) <= 100_000 &&
    isOrderKeyOrAbsent(r.before)
  );
}

/** A place in event order (`OrderKey`), or nothing. */
function isOrderKeyOrAbsent(v: unknown): boolean {
  if (v === undefined) return true;
  if (typeof v !== 'object' || v === null) return false;
  const k = v as Record<string, unknown>;
  return Object.keys(k).length === 2 && Number.isFinite(k.ms) && Number.isSafeInteger(k.id);
}

const oneId = (a: unknown[]): a is [string] => a.length === 1 && isId(a[0]);

export function isWindowContext(v: unknown): v is WindowContext {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return (
    (c.activeWorkspaceId === undefined || isId(c.activeWorkspaceId)) &&
    Array.isArray(c.workspaces) &&
    c.workspaces.length <= 1000 &&
    c.workspaces.every(
      (w) =>
        typeof w === 'object' &&
        w !== null &&
        isId((w as Record<string, unknown>).id) &&
        isString((w as Record<string, unknown>).name, 300),
    ) &&
    typeof c.notify === 'boolean' &&
    ['system', 'light', 'dark'].includes(c.theme as string) &&
    typeof c.detailPane === 'boolean' &&
    typeof c.canReopen === 'boolean'
  );
}

function isThresholds(v: unknown): v is Thresholds {
  const group = (g: unknown, keys: readonly string[]) =>
    typeof g === 'object' &&
    g !== null &&
    keys.every((k) => Number.isFinite((g as Record<string, unknown>)[k])) &&
    Object.keys(g).length === keys.length;
  if (typeof v !== 'object' || v === null) return false;
  const t = v as Record<string, unknown>;
  return (
    Object.keys(t).length === 3 &&
    group(t.rssi, ['good', 'bad']) &&
    group(t.snr, ['good', 'bad']) &&
    group(t.sf, ['fair', 'bad'])
  );
}

export const INVOKE_VALIDATORS: Validators = {
  'app:get-info': none,
  'profiles:list': none,
  'profiles:create': (a): a is [ProfileInput] => a.length === 1 && isProfileInput(a[0]),
  'profiles:update': (a): a is [string, ProfileInput] => a.length === 2 && isId(a[0]) && isProfileInput(a[1]),
  'profiles:duplicate': oneId,
  'profiles:delete': oneId,
  'profiles:reorder': (a): a is [string[]] =>
    a.length === 1 && Array.isArray(a[0]) && a[0].length <= 1000 && a[0].every(isId),
  'profiles:set-key': (a): a is [string, string] => a.length === 2 && isId(a[0]) && isString(a[1], 8192),
  'profiles:clear-key': oneId,
  'profiles:check': oneId,
  'profiles:export': none,
  'profiles:import': none,
  'profiles:import-text': (a): a is [string] => a.length === 1 && isString(a[0], PROFILES_FILE_MAX_BYTES),
  'profiles:pick-ca': none,
  'workspaces:load': none,
  'workspaces:save': (a): a is [WorkspacesDoc] => a.length === 1 && isWorkspacesDoc(a[0]),
  'streams:start': (a): a is [StreamSpec] => a.length === 1 && isStreamSpec(a[0]),
  'streams:stop': (a): a is [string] => a.length === 1 && isId(a[0]),
  'streams:list': none,
  'events:get': (a): a is [number] => a.length === 1 && Number.isSafeInteger(a[0]) && (a[0] as number) >= 0,
  'events:page': (a): a is [PageRequest] => a.length === 1 && isPageRequest(a[0]),
  'correlation:chain': (a): a is [number] => a.length === 1 && Number.isSafeInteger(a[0]) && (a[0] as number) >= 0,
  'correlation:watch': (a): a is [number | null] =>
    a.length === 1 && (a[0] === null || (Number.isSafeInteger(a[0]) && (a[0] as number) >= 0)),
  'correlation:backfill': (a): a is [number] => a.length === 1 && Number.isSafeInteger(a[0]) && (a[0] as number) >= 0,
  'export:preview': (a): a is [ExportRequest] => a.length === 1 && isExportRequest(a[0]),
  'export:start': (a): a is [ExportRequest] => a.length === 1 && isExportRequest(a[0]),
  'export:cancel': oneId,
  'import:open': oneId,
  'import:begin': (a): a is [string, string, number] =>
    a.length === 3 && isId(a[0]) && isString(a[1], 1000) && Number.isSafeInteger(a[2]) && (a[2] as number) >= 0,
  'import:chunk': (a): a is [string, string] => a.length === 2 && isId(a[0]) && isString(a[1], 1024 * 1024),
  'import:end': oneId,
  'import:cancel': oneId,
  'settings:get': none,
  'settings:set-retention': (a): a is [{ maxEvents: number; maxBytes: number }] => {
    const r = a[0] as Record<string, unknown> | undefined;
    return (
      a.length === 1 &&
      typeof r === 'object' &&
      r !== null &&
      Number.isSafeInteger(r.maxEvents) &&
      Number.isSafeInteger(r.maxBytes)
    );
  },
  // Shape only (finite numbers in three groups); the settings store checks ranges and order with a message.
  'settings:set-thresholds': (a): a is [Thresholds] => a.length === 1 && isThresholds(a[0]),
  'renderer:ready': none,
  'frames:decode': (a): a is [number] => a.length === 1 && Number.isSafeInteger(a[0]) && (a[0] as number) >= 0,
  'frames:key-state': (a): a is [string, string] => a.length === 2 && isId(a[0]) && isId(a[1]),
  'frames:set-key': (a): a is [string, string, DeviceKeyName, string] =>
    a.length === 4 &&
    isId(a[0]) &&
    isId(a[1]) &&
    (DEVICE_KEY_NAMES as readonly unknown[]).includes(a[2]) &&
    isString(a[3], 128),
  'frames:clear-keys': (a): a is [string, string] => a.length === 2 && isId(a[0]) && isId(a[1]),
  'frames:facts': (a): a is [number[]] =>
    a.length === 1 &&
    Array.isArray(a[0]) &&
    a[0].length <= MAX_FACTS_REQUEST &&
    a[0].every((id) => Number.isSafeInteger(id) && (id as number) >= 0),
  'prefs:get': none,
  // Any object of modest size: main normalises it field by field (normalizePreferences).
  'prefs:set': (a): a is [Preferences] =>
    a.length === 1 &&
    typeof a[0] === 'object' &&
    a[0] !== null &&
    !Array.isArray(a[0]) &&
    JSON.stringify(a[0]).length <= 16_384,
  'export:reveal': oneId,
  'shell:context': (a): a is [WindowContext] => a.length === 1 && isWindowContext(a[0]),
  'health:overview': (a): a is [string, number] =>
    a.length === 2 && isId(a[0]) && Number.isInteger(a[1]) && (a[1] as number) >= 1 && (a[1] as number) <= 5000,
  'health:list': oneId,
  'health:device': (a): a is [string, string] =>
    a.length === 2 && isId(a[0]) && isString(a[1], 300) && (a[1] as string).includes('/'),
  'health:gateway': (a): a is [string, string] => a.length === 2 && isId(a[0]) && isId(a[1]),
  'messages:watch': (a): a is [MessagesRequest | null] => a.length === 1 && (a[0] === null || isMessagesRequest(a[0])),
  'recording:get': oneId,
  'recording:set': (a): a is [string, RecordingInput] => a.length === 2 && isId(a[0]) && isRecordingInput(a[1]),
  'recording:open-window': (a): a is [string, string, RecordingWindow] =>
    a.length === 3 && isId(a[0]) && isId(a[1]) && isRecordingWindow(a[2]),
};

/** True when `channel` names an invoke channel (renderer-supplied strings are checked before lookup). */
export function isInvokeChannel(channel: unknown): channel is InvokeChannel {
  return typeof channel === 'string' && Object.prototype.hasOwnProperty.call(INVOKE_VALIDATORS, channel);
}
