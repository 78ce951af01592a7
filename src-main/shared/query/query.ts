/**
 * The filter bar's query language, shared by the renderer (live view) and main (export of "current filter").
 *
 *   ns.up.*  *.fail  as.up.data.forward        event name globs (a dotted name also matches its children)
 *   dev_eui:70B3…  device:dev1  app:demo-app   identifiers (device/app/gateway accept * globs)
 *   gateway:gtw1  f_port:2  rssi<-110  snr<0    numbers take : = < > <= >=
 *   error:duplicate_uplink  corr:gs:uplink:01…  kind:gap
 *   server:eu1.cloud.thethings.network  profile:prod*   who delivered it (needs a QueryContext)
 *   time>=2026-03-01T10:00:00Z time<…        a time window (the capture overview writes these)
 *   free text                                   case-insensitive, over name, IDs, preview, error
 *   AND (or just a space)  OR  NOT (or -)  ( )
 *
 * Pure and allocation-light: a compiled predicate runs over a million summaries in one pass.
 */
import type { EventSummary } from '../domain/summary.js';
import { FRAME_ACK, FRAME_ADR, frameFlag, frameMType } from '../domain/frame-bits.js';
import type { FrameFacts } from '../domain/frame.js';

export interface QueryError {
  message: string;
  /** Character range in the query the message is about. */
  start: number;
  end: number;
}

export type Predicate = (s: EventSummary) => boolean;

export type CompiledQuery = { ok: true; test: Predicate; empty: boolean } | { ok: false; error: QueryError };

/**
 * The frame decoder's answers for `mic:` and `mac:`. They need each frame decoded with its device's keys,
 * which only main can do (#18): whoever compiles such a query supplies the decoder's facts per entry
 * (main from its cache, the renderer from main's answers). Without them those fields are refused with a
 * message rather than matching nothing.
 */
export interface FrameFactsSource {
  /**
   * The decoder's facts about an entry's frame. Asked only for entries whose header says they carry a
   * frame; `undefined` = not decoded yet, and the term then answers `missing()` (default false).
   */
  facts: (s: EventSummary) => FrameFacts | undefined;
  missing?: () => boolean;
}

/** Whether a query names a field only main's decoder can answer (`mic:`, `mac:`). */
export function usesFrameFacts(input: string): boolean {
  return /(?:^|[\s(-])"?(?:mic|mac)"?\s*[:=]/i.test(input);
}

/** Which server profile delivered a stream's entries, and that server's host (`host[:port]`). */
export interface StreamOrigin {
  profile: string;
  server: string;
}

/**
 * What a query needs beyond the entries: summaries name their streams, not their servers, so `server:` and
 * `profile:` ask the caller (the window and main know their streams; a file alone does not).
 */
export interface QueryContext {
  origin?: (streamId: string) => StreamOrigin | undefined;
  /** Answers `mic:` and `mac:` (main's frame decoder, #18). */
  frames?: FrameFactsSource;
}

type NumericField = 'fPort' | 'fCnt' | 'rssi' | 'snr' | 'gateways' | 'ms';
type Op = ':' | '=' | '<' | '>' | '<=' | '>=';

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
      const want = ({ up: 'up', uplink: 'up', down: 'down', downlink: 'down', join: 'join' } as Record<string, string>)[
        v.toLowerCase()
      ];
      return (s) => want !== undefined && s.direction === want;
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
  return (s) => (s.streamIds ? s.streamIds.some(test) : test(s.streamId));
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
      `${field}: needs every frame decoded with its device's keys, which only the app's event list does (not exports or files read on the command line yet). Filter with mtype:, adr: or ack: here, or in the app's list.`,
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
class FieldValueError extends Error {}

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

function textMatcher(word: string): Predicate {
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

// ---------------------------------------------------------------- tokens

export type Token =
  | { t: 'lparen' | 'rparen'; start: number; end: number }
  | { t: 'op'; op: 'AND' | 'OR' | 'NOT'; start: number; end: number }
  | { t: 'word'; text: string; quoted: boolean; start: number; end: number };

export function tokenize(input: string): Token[] | QueryError {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      tokens.push({ t: c === '(' ? 'lparen' : 'rparen', start: i, end: i + 1 });
      i++;
      continue;
    }
    if (
      c === '-' &&
      (tokens.length === 0 || tokens[tokens.length - 1]!.t !== 'word' || /\s|\(/.test(input[i - 1] ?? ' ')) &&
      input[i + 1] !== undefined &&
      !/[\s)\d]/.test(input[i + 1]!)
    ) {
      tokens.push({ t: 'op', op: 'NOT', start: i, end: i + 1 });
      i++;
      continue;
    }
    const start = i;
    let text = '';
    let quoted = false;
    while (i < input.length && !/[\s()]/.test(input[i]!)) {
      if (input[i] === '"') {
        const close = input.indexOf('"', i + 1);
        if (close < 0) return { message: 'This quote is never closed: add a closing ".', start: i, end: input.length };
        text += input.slice(i + 1, close);
        quoted = true;
        i = close + 1;
      } else text += input[i++];
    }
    const upper = text.toUpperCase();
    if (!quoted && (upper === 'AND' || upper === 'OR' || upper === 'NOT'))
      tokens.push({ t: 'op', op: upper, start, end: i });
    else tokens.push({ t: 'word', text, quoted, start, end: i });
  }
  return tokens;
}

// ---------------------------------------------------------------- parser

class ParseFailure extends Error {
  constructor(readonly error: QueryError) {
    super(error.message);
  }
}

export const TERM = /^([A-Za-z_][A-Za-z0-9_]*)(<=|>=|:|=|<|>)(.*)$/s;

function compileTerm(tok: Extract<Token, { t: 'word' }>, context: QueryContext | undefined): Predicate {
  const fail = (message: string, start = tok.start, end = tok.end): never => {
    throw new ParseFailure({ message, start, end });
  };
  const m = tok.quoted && !tok.text.match(TERM) ? null : tok.text.match(TERM);
  if (m && !/^[a-z]+:\/\//i.test(tok.text)) {
    const rawField = m[1]!.toLowerCase();
    const op = m[2] as Op;
    const value = m[3]!;
    const field = FIELDS[rawField] ? rawField : ALIASES[rawField];
    const fieldEnd = tok.start + m[1]!.length;
    if (!field) {
      // `gs:uplink:01…` typed bare is a correlation ID, not a field.
      if (op === ':' && /^(gs|ns|as|js|rpc|pba|is):/.test(tok.text)) return FIELDS.corr!.match!(tok.text);
      fail(`Unknown field "${m[1]}". Fields: ${FIELD_NAMES.join(', ')}.`, tok.start, fieldEnd);
    }
    const def = FIELDS[field!]!;
    if (value === '') fail(`"${m[1]}${op}" needs a value, e.g. ${field === 'rssi' ? 'rssi<-110' : `${m[1]}:…`}.`);
    if (def.numeric) {
      const n = def.parse ? def.parse(value) : Number(value);
      if (!Number.isFinite(n))
        fail(
          `${field} takes ${def.parse ? 'a date-time like 2026-03-01T10:00:00Z' : 'a number'}, not "${value}".`,
          fieldEnd + op.length,
          tok.end,
        );
      const key = def.numeric;
      switch (op) {
        case ':':
        case '=':
          return (s) => s[key] === n;
        case '<':
          return (s) => s[key] !== undefined && s[key] < n;
        case '>':
          return (s) => s[key] !== undefined && s[key] > n;
        case '<=':
          return (s) => s[key] !== undefined && s[key] <= n;
        case '>=':
          return (s) => s[key] !== undefined && s[key] >= n;
      }
    }
    if (op !== ':' && op !== '=') fail(`${field} is not a number: use ${field}:value.`, fieldEnd, fieldEnd + op.length);
    try {
      return def.match!(value, context);
    } catch (e) {
      if (e instanceof FieldValueError) fail(e.message);
      throw e;
    }
  }
  if (tok.text === '') fail('Empty quotes match nothing: put text between them.');
  if (
    !tok.quoted &&
    (tok.text.includes('*') || /^[a-z0-9_-]+(\.[a-z0-9_*-]+)+$/i.test(tok.text)) &&
    /[a-z]/i.test(tok.text)
  ) {
    const g = globMatcher(tok.text, true);
    if (tok.text.includes('*')) return (s) => g(s.name);
    // A dotted word is a name if it looks like one, and free text otherwise (e.g. "1.2.3").
    const t = textMatcher(tok.text);
    return (s) => g(s.name) || t(s);
  }
  return textMatcher(tok.text);
}

/**
 * How deeply parentheses and NOTs may nest. The parser recurses per level, so without a limit a pasted
 * query of a few thousand `(` overflows the stack (#13); nobody writes a filter 50 levels deep.
 */
export const MAX_QUERY_NESTING = 50;

class Parser {
  i = 0;
  #nesting = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly length: number,
    private readonly context: QueryContext | undefined,
  ) {}

  /** Enter one level of parentheses or NOT, refusing past the limit with an error on that token. */
  enter(t: Token): void {
    if (++this.#nesting > MAX_QUERY_NESTING)
      throw new ParseFailure({
        message: `Parentheses and NOTs nest more than ${MAX_QUERY_NESTING} levels deep here: simplify the query.`,
        start: t.start,
        end: t.end,
      });
  }

  leave(): void {
    this.#nesting--;
  }

  peek(): Token | undefined {
    return this.tokens[this.i];
  }

  parseOr(): Predicate {
    const parts = [this.parseAnd()];
    while (this.peek()?.t === 'op' && (this.peek() as { op: string }).op === 'OR') {
      const op = this.tokens[this.i++]!;
      if (!this.peek() || this.peek()!.t === 'rparen')
        throw new ParseFailure({ message: 'OR needs something on its right.', start: op.start, end: op.end });
      parts.push(this.parseAnd());
    }
    return parts.length === 1 ? parts[0]! : (s) => parts.some((p) => p(s));
  }

  parseAnd(): Predicate {
    const parts = [this.parseNot()];
    for (;;) {
      const t = this.peek();
      if (!t || t.t === 'rparen' || (t.t === 'op' && t.op === 'OR')) break;
      if (t.t === 'op' && t.op === 'AND') {
        this.i++;
        const next = this.peek();
        if (!next || next.t === 'rparen' || (next.t === 'op' && next.op !== 'NOT'))
          throw new ParseFailure({ message: 'AND needs something on its right.', start: t.start, end: t.end });
      }
      parts.push(this.parseNot());
    }
    return parts.length === 1 ? parts[0]! : (s) => parts.every((p) => p(s));
  }

  parseNot(): Predicate {
    const t = this.peek();
    if (t?.t === 'op' && t.op === 'NOT') {
      this.i++;
      if (!this.peek() || this.peek()!.t === 'rparen')
        throw new ParseFailure({ message: 'NOT needs something to negate.', start: t.start, end: t.end });
      this.enter(t);
      const inner = this.parseNot();
      this.leave();
      return (s) => !inner(s);
    }
    return this.parsePrimary();
  }

  parsePrimary(): Predicate {
    const t = this.peek();
    if (!t) throw new ParseFailure({ message: 'The query ends too early.', start: this.length, end: this.length });
    if (t.t === 'lparen') {
      this.i++;
      if (this.peek()?.t === 'rparen')
        throw new ParseFailure({
          message: 'Empty parentheses: put a condition inside.',
          start: t.start,
          end: this.peek()!.end,
        });
      this.enter(t);
      const inner = this.parseOr();
      this.leave();
      const close = this.peek();
      if (close?.t !== 'rparen')
        throw new ParseFailure({ message: 'This parenthesis is never closed: add a ).', start: t.start, end: t.end });
      this.i++;
      return inner;
    }
    if (t.t === 'rparen') throw new ParseFailure({ message: 'This ) has no matching (.', start: t.start, end: t.end });
    if (t.t === 'op')
      throw new ParseFailure({ message: `${t.op} needs something on its left.`, start: t.start, end: t.end });
    this.i++;
    return compileTerm(t as Extract<Token, { t: 'word' }>, this.context);
  }
}

/**
 * Longest query accepted (saved in a workspace, sent to main for a page or an export). Generous: a filter
 * listing a few hundred device IDs is a real use (#13, failure 10: 4,000 characters failed to save).
 */
export const MAX_QUERY_LENGTH = 16_000;

/**
 * Compile a query; an empty query matches everything. `context` answers `server:` and `profile:` (its
 * `origin`) and `mic:`/`mac:` (its `frames`).
 */
export function compileQuery(input: string, context?: QueryContext): CompiledQuery {
  if (input.length > MAX_QUERY_LENGTH)
    return {
      ok: false,
      error: {
        message: `The query is longer than ${MAX_QUERY_LENGTH.toLocaleString('en')} characters: shorten it.`,
        start: MAX_QUERY_LENGTH,
        end: input.length,
      },
    };
  const tokens = tokenize(input);
  if (!Array.isArray(tokens)) return { ok: false, error: tokens };
  if (tokens.length === 0) return { ok: true, test: () => true, empty: true };
  try {
    const parser = new Parser(tokens, input.length, context);
    const test = parser.parseOr();
    const rest = parser.peek();
    if (rest)
      throw new ParseFailure({
        message: rest.t === 'rparen' ? 'This ) has no matching (.' : 'Unexpected text here.',
        start: rest.start,
        end: rest.end,
      });
    return { ok: true, test, empty: false };
  } catch (e) {
    if (e instanceof ParseFailure) return { ok: false, error: e.error };
    throw e;
  }
}
