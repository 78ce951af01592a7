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
import type { FrameFacts } from '../domain/frame.js';
import { ALIASES, FIELDS, FIELD_NAMES, FieldValueError, globMatcher, textMatcher, type Op } from './query-fields.js';
import { tokenize, type Token } from './tokens.js';

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
  /**
   * The origin of a row read from a team's recording, by the server it names (`EventSummary.server`);
   * without it such rows go by their stream's origin.
   */
  serverOrigin?: (server: string) => StreamOrigin;
  /** Answers `mic:` and `mac:` (main's frame decoder, #18). */
  frames?: FrameFactsSource;
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
