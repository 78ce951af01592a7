/**
 * The query language's fields (`name:`, `device:`, `rssi<`, `server:`, `mic:` …), their aliases and the
 * matchers behind them, including free text. The parser in query.ts turns terms into these predicates.
 */
import type { FrameFacts } from '../domain/frame.js';
import { FRAME_ACK, FRAME_ADR, frameFlag, frameMType } from '../domain/frame-bits.js';
import type { FrameFactsSource, Predicate, QueryContext, StreamOrigin } from './query.js';
import { directionOfName, directionWord } from '../domain/message.js';

export type NumericField = 'fPort' | 'fCnt' | 'rssi' | 'snr' | 'gateways' | 'ms';
export type Op = ':' | '=' | '<' | '>' | '<=' | '>=';

interface FieldDef {
  help: string;
  numeric?: NumericField;
  /** How a numeric field reads its value (default: a number). */
  parse?: (value: string) => number;
  match?: (value: string, context?: QueryContext) => Predicate;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `*` globs, case-insensitive; without `*` a dotted name also matches its children (`ns.up` ⇒ `ns.up.*`).
 * Compiled to one case-insensitive RegExp: no lower-cased copy of every value per test.
 */
export function globMatcher(pattern: string, children = false): (text: string) => boolean {
  const body = pattern.split('*').map(escapeRe).join('.*');
  const re = new RegExp(`^${body}${children && !pattern.includes('*') ? '(?:\\..*)?' : ''}$`, 'i');
  return memoized((t) => re.test(t));
}

/**
 * Names, IDs and EUIs repeat across a capture (the index interns them), so a test per distinct value
 * is remembered: a million events cost a few hundred regex runs plus map lookups.
 */
function memoized(test: (t: string) => boolean, limit = 100_000): (t: string) => boolean {
  const memo = new Map<string, boolean>();
  return (t) => {
    const hit = memo.get(t);
    if (hit !== undefined) return hit;
    const r = test(t);
    if (memo.size < limit) memo.set(t, r);
    return r;
  };
}

const hexOnly = (s: string) => s.replace(/[^0-9a-f]/gi, '').toUpperCase();

export const FIELDS: Record<string, FieldDef> = {
  name: {
    help: 'event name glob, e.g. name:ns.up.*',
    match: (v) => {
      const m = globMatcher(v, true);
      return (s) => m(s.name);
    },
  },
  dev_eui: {
    help: 'DevEUI (prefix, any case)',
    match: (v) => {
      const re = new RegExp(`^${hexOnly(v)}`, 'i');
      return (s) => s.devEui !== undefined && re.test(s.devEui);
    },
  },
  dev_addr: {
    help: 'DevAddr (prefix)',
    match: (v) => {
      const re = new RegExp(`^${hexOnly(v)}`, 'i');
      return (s) => s.devAddr !== undefined && re.test(s.devAddr);
    },
  },
  device: {
    help: 'device ID (glob)',
    match: (v) => {
      const m = globMatcher(v);
      return (s) => s.entityKind === 'device' && m(s.entity);
    },
  },
  app: {
    help: 'application ID (glob)',
    match: (v) => {
      const m = globMatcher(v);
      return (s) =>
        (s.application !== undefined && m(s.application)) || (s.entityKind === 'application' && m(s.entity));
    },
  },
  gateway: {
    help: 'gateway ID (glob): the event is about it or it received the uplink',
    match: (v) => {
      const m = globMatcher(v);
      return (s) => (s.entityKind === 'gateway' && m(s.entity)) || (s.gatewayIds?.some(m) ?? false);
    },
  },
  error: {
    help: 'error name of a drop/fail event (glob)',
    match: (v) => {
      const m = globMatcher(v);
      return (s) => !!s.errorName && m(s.errorName);
    },
  },
  corr: {
    help: 'correlation ID (substring, * wildcards), e.g. corr:gs:uplink:*',
    // `*` matches any run of characters, as in the ID fields; without it the value is a substring.
    match: (v) => {
      const re = new RegExp(v.split('*').map(escapeRe).join('.*'), 'i');
      const m = memoized((c) => re.test(c));
      return (s) => s.correlationIds.some(m);
    },
  },
  dir: {
    help: 'direction of the LoRaWAN message: up, down or join',
    match: (v) => {
      const want = directionWord(v);
      // Many events carry no data (gs.down.tx.success, js.join.accept, as.up.data.receive; v3.0–3.6's
      // ns.up.data.forward): no frame, so no direction of their own, but their name says which way it went.
      return (s) =>
        want !== undefined && (s.direction ?? (s.kind === 'event' ? directionOfName(s.name) : undefined)) === want;
    },
  },
  kind: {
    help: 'event, status or gap',
    match: (v) => {
      const l = v.toLowerCase();
      return l === 'gap' ? (s) => s.name === 'event-desk.gap' : (s) => s.kind === l;
    },
  },
  stream: { help: 'stream ID', match: (v) => (s) => s.streamId === v },
  server: {
    help: 'server that delivered the event: its host or its profile name (glob), e.g. server:eu1.cloud.thethings.network',
    match: (v, context) => {
      const m = globMatcher(v.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/+$/, ''));
      return originMatcher('server', context, (o) => m(o.server) || m(o.profile));
    },
  },
  profile: {
    help: 'server profile that delivered the event (name, glob), e.g. profile:"Customer X*"',
    match: (v, context) => {
      const m = globMatcher(v);
      return originMatcher('profile', context, (o) => m(o.profile));
    },
  },
  f_port: { help: 'FPort (number)', numeric: 'fPort' },
  f_cnt: { help: 'FCnt (number)', numeric: 'fCnt' },
  rssi: { help: 'RSSI in dBm, the strongest of any gateway, e.g. rssi<-110', numeric: 'rssi' },
  snr: { help: 'SNR in dB, the best of any gateway (maybe not the strongest one), e.g. snr<0', numeric: 'snr' },
  gateways: { help: 'number of gateways that received the uplink', numeric: 'gateways' },
  time: {
    help: 'event time (UTC date-time or epoch ms), e.g. time>=2026-03-01T10:00:00Z',
    numeric: 'ms',
    parse: (v) => (/^\d+$/.test(v) ? Number(v) : Date.parse(v)),
  },
  mtype: {
    help: 'LoRaWAN message type (glob), e.g. mtype:confirmed_up, mtype:join_*',
    match: (v) => {
      const m = globMatcher(v.replace(/-/g, '_'));
      return (s) => {
        const t = frameMType(s.frame);
        return t !== undefined && m(t);
      };
    },
  },
  adr: { help: 'FCtrl ADR of a data frame: adr:true or adr:false', match: (v) => flagMatcher('adr', v, FRAME_ADR) },
  ack: {
    help: 'FCtrl ACK of a data frame (a confirmed frame acknowledged): ack:true or ack:false',
    match: (v) => flagMatcher('ack', v, FRAME_ACK),
  },
  mac: {
    help: 'MAC command in the frame (FOpts, or FPort 0 with the keys), glob, e.g. mac:LinkADRReq, mac:LinkADR*',
    match: (v, context) => {
      const m = globMatcher(v);
      return frameFactsMatcher('mac', context?.frames, (f) => f.mac.some(m));
    },
  },
  mic: {
    help: "MIC check with the device's keys: mic:valid, mic:invalid (or fail), mic:unchecked",
    match: (v, context) => {
      const want = MIC_VALUES[v.toLowerCase()];
      if (!want) throw new FieldValueError(`mic takes valid, invalid (or fail) or unchecked, not "${v}".`);
      return frameFactsMatcher('mic', context?.frames, (f) => f.mic === want);
    },
  },
};

const MIC_VALUES: Record<string, FrameFacts['mic']> = {
  valid: 'valid',
  ok: 'valid',
  pass: 'valid',
  invalid: 'invalid',
  fail: 'invalid',
  failed: 'invalid',
  bad: 'invalid',
  unchecked: 'unchecked',
  unknown: 'unchecked',
};

/**
 * Entries delivered by a stream whose origin `want` accepts (an entry several streams delivered matches
 * when any of them does). Decided once per stream: a workspace has a handful of streams, a capture millions of rows.
 */
function originMatcher(
  field: string,
  context: QueryContext | undefined,
  want: (o: StreamOrigin) => boolean,
): Predicate {
  const originOf = context?.origin;
  if (!originOf)
    throw new FieldValueError(
      `${field}: needs to know which server delivered each event, and a file on its own does not say: filter by ${field} in the app's workspace.`,
    );
  const memo = new Map<string, boolean>();
  const test = (streamId: string): boolean => {
    const hit = memo.get(streamId);
    if (hit !== undefined) return hit;
    const origin = originOf(streamId);
    // A stream the caller does not know yet (its start is still on its way) is asked again next time.
    if (!origin) return false;
    const r = want(origin);
    memo.set(streamId, r);
    return r;
  };
  const serverOrigin = context?.serverOrigin;
  if (!serverOrigin) return (s) => (s.streamIds ? s.streamIds.some(test) : test(s.streamId));
  // A recorded row: the server it names delivered it (a window has a handful of servers, decided once each).
  const byServer = new Map<string, boolean>();
  const testServer = (server: string): boolean => {
    let r = byServer.get(server);
    if (r === undefined) byServer.set(server, (r = want(serverOrigin(server))));
    return r;
  };
  return (s) =>
    s.server !== undefined ? testServer(s.server) : s.streamIds ? s.streamIds.some(test) : test(s.streamId);
}

/** `adr:true` / `ack:false`: the header bit of entries whose frame header was read. */
function flagMatcher(field: string, value: string, flag: typeof FRAME_ADR | typeof FRAME_ACK): Predicate {
  const want = ({ true: true, yes: true, '1': true, false: false, no: false, '0': false } as Record<string, boolean>)[
    value.toLowerCase()
  ];
  if (want === undefined) throw new FieldValueError(`${field} takes true or false, not "${value}".`);
  return (s) => frameFlag(s.frame, flag) === want;
}

/**
 * `mic:` / `mac:`: the decoder's facts, for entries whose header says they carry a frame (the rest never
 * match, and are never decoded). Decoding belongs in main, on demand (#18: it costs nothing unless asked);
 * a caller without the decoder's facts (a file read by the command line) gets a message instead.
 */
function frameFactsMatcher(
  field: string,
  frames: FrameFactsSource | undefined,
  test: (f: FrameFacts) => boolean,
): Predicate {
  if (!frames)
    throw new FieldValueError(
      `${field}: needs every frame decoded with its device's keys, which only the app's event list does ` +
        `(not exports or files read on the command line yet). Filter with mtype:, adr: or ack: here, or in the app's list.`,
    );
  const missing = frames.missing ?? (() => false);
  return (s) => {
    if (frameMType(s.frame) === undefined) return false;
    const f = frames.facts(s);
    if (f === undefined) return missing();
    return f.mic !== undefined && test(f);
  };
}

/** A field's value is not usable; the parser places the error on the term. */
export class FieldValueError extends Error {}

/** Other spellings people type. */
export const ALIASES: Record<string, string> = {
  eui: 'dev_eui',
  deveui: 'dev_eui',
  devaddr: 'dev_addr',
  dev: 'device',
  device_id: 'device',
  application: 'app',
  app_id: 'app',
  application_id: 'app',
  gtw: 'gateway',
  gateway_id: 'gateway',
  fport: 'f_port',
  port: 'f_port',
  fcnt: 'f_cnt',
  correlation_id: 'corr',
  correlation: 'corr',
  err: 'error',
  direction: 'dir',
  host: 'server',
  profile_name: 'profile',
};

export const FIELD_NAMES = Object.keys(FIELDS);

export function textMatcher(word: string): Predicate {
  const re = new RegExp(escapeRe(word), 'i');
  const repeated = memoized((v) => re.test(v));
  const t = (v: string | undefined) => v !== undefined && repeated(v);
  // The preview is mostly unique per event: tested directly, not remembered.
  return (s) =>
    t(s.name) ||
    t(s.entity) ||
    t(s.application) ||
    t(s.devEui) ||
    t(s.devAddr) ||
    t(s.errorName) ||
    (s.gatewayIds?.some(repeated) ?? false) ||
    re.test(s.preview);
}
