/**
 * Runtime checks for every invoke payload: the renderer is untrusted (Electron security checklist §17).
 *
 * The map is complete at compile time, so a new channel cannot ship without a validator.
 */
import { ENTITY_KINDS, type EntityRef } from '../tts/types.js';
import type { StreamSpec } from '../domain/stream.js';
import type { InvokeArgs, InvokeChannel } from './contract.js';

type Validators = { [C in InvokeChannel]: (args: unknown[]) => args is InvokeArgs<C> };

const isString = (v: unknown, max = 1024): v is string => typeof v === 'string' && v.length <= max;
const isId = (v: unknown): v is string => isString(v, 128) && v.length > 0;
const none = (args: unknown[]): args is [] => args.length === 0;

function isEntityRef(v: unknown): v is EntityRef {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (ENTITY_KINDS as readonly string[]).includes(r.kind as string) && isId(r.id) && (r.application === undefined || isId(r.application));
}

export function isStreamSpec(v: unknown): v is StreamSpec {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return (
    isId(s.workspaceId) &&
    isId(s.profileId) &&
    Array.isArray(s.entities) && s.entities.length > 0 && s.entities.length <= 100 && s.entities.every(isEntityRef) &&
    Array.isArray(s.names) && s.names.length <= 300 && s.names.every((n) => isString(n, 256)) &&
    (s.tail === undefined || (Number.isInteger(s.tail) && (s.tail as number) >= 0 && (s.tail as number) <= 100000)) &&
    (s.after === undefined || (isString(s.after, 64) && !Number.isNaN(Date.parse(s.after))))
  );
}

export const INVOKE_VALIDATORS: Validators = {
  'app:get-info': none,
  'profiles:list': none,
  'streams:start': (a): a is [StreamSpec] => a.length === 1 && isStreamSpec(a[0]),
  'streams:stop': (a): a is [string] => a.length === 1 && isId(a[0]),
  'streams:list': none,
  'events:get': (a): a is [number] => a.length === 1 && Number.isSafeInteger(a[0]) && (a[0] as number) >= 0,
  'renderer:ready': none,
};

/** True when `channel` names an invoke channel (renderer-supplied strings are checked before lookup). */
export function isInvokeChannel(channel: unknown): channel is InvokeChannel {
  return typeof channel === 'string' && Object.prototype.hasOwnProperty.call(INVOKE_VALIDATORS, channel);
}
