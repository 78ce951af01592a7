/**
 * The filter bar's query language (shared/query/query.ts) compiled to a ClickHouse `WHERE` clause over
 * the `events` columns (rows.ts fills them from the same `summarizeEvent`).
 *
 * The SQL is always a superset of what the query matches: a term that SQL cannot say exactly (free
 * text, whose case folding differs between re2 and JavaScript; float and time comparisons, loosened by
 * a hair) narrows as far as it safely can, or becomes `1`. The reader then runs the query's own
 * predicate on every row ClickHouse returns, so the result is exactly the live view's, whatever part SQL
 * took. `exact` says when that second pass cannot drop anything (a benchmark and test signal only).
 * A NOT is compiled only around an exact part (NOT of a superset is not a superset).
 *
 * `server:` and `profile:` need to know who delivered each row: the `server` column holds the server's
 * base URL, and `SqlOrigins` says what the app's own filter would see for it (its host, and the name of
 * this desk's profile for that host). Each term is decided once per server the window holds, by the
 * app's own matcher, and becomes `server IN (…)`; the second pass runs the query with that row's origin.
 */
import {
  compileQuery,
  TERM,
  type FrameFactsSource,
  type Predicate,
  type QueryError,
  type StreamOrigin,
} from '../../shared/query/query.js';
import type { EventSummary } from '../../shared/domain/summary.js';
import { ALIASES, FIELDS } from '../../shared/query/query-fields.js';
import { tokenize, type Token } from '../../shared/query/tokens.js';
import { sqlString } from './target.js';
import { DIRECTION_NAMES, directionWord } from '../../shared/domain/message.js';

export type SqlQuery =
  | {
      ok: true;
      where: string;
      exact: boolean;
      /** The query's own predicate for rows `server` (the column's value) delivered. */
      testFor: (server: string) => Predicate;
      empty: boolean;
    }
  | { ok: false; error: QueryError };

/** Who delivered rows, for `server:` and `profile:`: their origins, and the distinct `server` values of the window. */
export interface SqlOrigins {
  /** Unknown: the SQL keeps every server and the second pass decides. */
  servers?: readonly string[];
  originOf: (server: string) => StreamOrigin;
}

/** Whether a query has a `server:`, `host:` or `profile:` term (then the window's servers are needed). */
export function usesOrigins(input: string): boolean {
  return /(?:^|[\s(-])"?(?:server|host|profile)"?\s*[:=]/i.test(input);
}

interface Part {
  sql: string;
  exact: boolean;
}

const TRUE: Part = { sql: '1', exact: true };
const ANY: Part = { sql: '1', exact: false };
const NONE: Part = { sql: '0', exact: true };

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const hexOnly = (s: string) => s.replace(/[^0-9a-f]/gi, '').toUpperCase();

/** The same regular expression `globMatcher` builds, for re2. */
function globRe(pattern: string, children = false): string {
  const body = pattern.split('*').map(escapeRe).join('.*');
  return `(?i)^${body}${children && !pattern.includes('*') ? '(?:\\..*)?' : ''}$`;
}

const match = (column: string, re: string) => `match(${column}, ${sqlString(re)})`;

/**
 * A column against a glob, as `globMatcher` decides it. A plain printable-ASCII value (the usual ID) is an
 * equality of ASCII-lowered text, which ClickHouse answers far faster than a regular expression and means
 * the same: JavaScript's case-insensitive match without the `u` flag folds ASCII letters only.
 */
function globSql(column: string, pattern: string): string {
  if (!pattern.includes('*') && /^[\x20-\x7e]*$/.test(pattern))
    return `lower(${column}) = ${sqlString(pattern.toLowerCase())}`;
  return match(column, globRe(pattern));
}
const exact = (sql: string): Part => ({ sql, exact: true });

const NUMERIC_COLUMN: Record<string, string> = {
  fPort: 'f_port',
  fCnt: 'f_cnt',
  rssi: 'rssi',
  snr: 'snr',
  gateways: 'gateways',
  // Epoch milliseconds, as `summary.ms` (Date.parse keeps whole milliseconds).
  ms: '(toUInt64(time) * 1000 + intDiv(nanos, 1000000))',
};

function numericTerm(key: string, op: string, n: number): Part {
  const column = NUMERIC_COLUMN[key]!;
  // Integers compare exactly; floats and times are loosened so that no row the query keeps is left out.
  const slack = key === 'ms' ? 1 : key === 'rssi' || key === 'snr' ? 1e-6 : 0;
  const num = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(17));
  const cond = (sql: string): Part => ({ sql: `ifNull(${sql}, 0)`, exact: slack === 0 });
  switch (op) {
    case ':':
    case '=':
      return slack
        ? cond(`${column} >= ${num(n - slack)} AND ${column} <= ${num(n + slack)}`)
        : cond(`${column} = ${num(n)}`);
    case '<':
      return cond(`${column} < ${num(n + slack)}`);
    case '>':
      return cond(`${column} > ${num(n - slack)}`);
    case '<=':
      return cond(`${column} <= ${num(n + slack)}`);
    default:
      return cond(`${column} >= ${num(n - slack)}`);
  }
}

/** The servers whose rows a `server:`/`profile:` term keeps, decided by the field's own matcher. */
function originTerm(field: string, value: string, origins: SqlOrigins | undefined): Part {
  if (!origins?.servers) return ANY;
  const probe = { streamId: 'row' } as EventSummary;
  const keep = origins.servers.filter((server) => {
    try {
      return FIELDS[field]!.match!(value, { origin: () => origins.originOf(server) })(probe);
    } catch {
      return false;
    }
  });
  return keep.length ? exact(`server IN (${keep.map(sqlString).join(', ')})`) : NONE;
}

function fieldTerm(field: string, value: string): Part {
  switch (field) {
    case 'name':
      return exact(match('name', globRe(value, true)));
    case 'dev_eui':
      return exact(`dev_eui != '' AND ${match('dev_eui', `(?i)^${hexOnly(value)}`)}`);
    case 'dev_addr':
      return exact(`dev_addr != '' AND ${match('dev_addr', `(?i)^${hexOnly(value)}`)}`);
    case 'device':
      return exact(`entity_kind = 'device' AND ${globSql('entity', value)}`);
    case 'app':
      return exact(
        `((application != '' AND ${globSql('application', value)}) OR (entity_kind = 'application' AND ${globSql('entity', value)}))`,
      );
    case 'gateway': {
      const re = globRe(value);
      return exact(
        `((entity_kind = 'gateway' AND ${match('entity', re)}) OR arrayExists(g -> ${match('g', re)}, gateway_ids))`,
      );
    }
    case 'error':
      return exact(`error_name != '' AND ${match('error_name', globRe(value))}`);
    case 'corr':
      return exact(
        `arrayExists(c -> ${match('c', `(?i)${value.split('*').map(escapeRe).join('.*')}`)}, correlation_ids)`,
      );
    case 'dir': {
      const want = directionWord(value);
      return want
        ? exact(`(direction = ${sqlString(want)} OR (direction = '' AND ${directionOfNameSql(want)}))`)
        : NONE;
    }
    case 'kind':
      // The events table holds events only; status entries and gaps live in `status`.
      return value.toLowerCase() === 'event' ? TRUE : NONE;
    case 'stream':
      return exact(`stream = ${sqlString(value)}`);
    default:
      return ANY;
  }
}

/** Free text: a superset (re2's case folding is not JavaScript's for every script). */
function textTerm(word: string): Part {
  const re = `(?i)${escapeRe(word)}`;
  const cols = ['name', 'entity', 'application', 'dev_eui', 'dev_addr', 'error_name', 'preview'].map((c) =>
    match(c, re),
  );
  return { sql: `(${cols.join(' OR ')} OR arrayExists(g -> ${match('g', re)}, gateway_ids))`, exact: false };
}

function term(tok: Extract<Token, { t: 'word' }>, origins: SqlOrigins | undefined): Part {
  const m = tok.text.match(TERM);
  if (m && !/^[a-z]+:\/\//i.test(tok.text)) {
    const rawField = m[1]!.toLowerCase();
    const op = m[2]!;
    const value = m[3]!;
    const field = FIELDS[rawField] ? rawField : ALIASES[rawField];
    if (!field) return /^(gs|ns|as|js|rpc|pba|is):/.test(tok.text) ? fieldTerm('corr', tok.text) : ANY;
    const def = FIELDS[field]!;
    if (field === 'server' || field === 'profile') return originTerm(field, value, origins);
    if (def.numeric) {
      const n = def.parse ? def.parse(value) : Number(value);
      return Number.isFinite(n) ? numericTerm(def.numeric, op, n) : ANY;
    }
    return fieldTerm(field, value);
  }
  if (
    !tok.quoted &&
    (tok.text.includes('*') || /^[a-z0-9_-]+(\.[a-z0-9_*-]+)+$/i.test(tok.text)) &&
    /[a-z]/i.test(tok.text)
  ) {
    const name = match('name', globRe(tok.text, true));
    if (tok.text.includes('*')) return exact(name);
    return { sql: `(${name} OR ${textTerm(tok.text).sql})`, exact: false };
  }
  return textTerm(tok.text);
}

const and = (parts: Part[]): Part => {
  const kept = parts.filter((p) => p.sql !== '1');
  return {
    sql: kept.length === 0 ? '1' : kept.length === 1 ? kept[0]!.sql : kept.map((p) => `(${p.sql})`).join(' AND '),
    exact: parts.every((p) => p.exact),
  };
};
const or = (parts: Part[]): Part => {
  const isExact = parts.every((p) => p.exact);
  if (parts.some((p) => p.sql === '1')) return { sql: '1', exact: isExact };
  return { sql: parts.map((p) => `(${p.sql})`).join(' OR '), exact: isExact };
};

/** Walks the tokens with the same grammar as the app's parser (which has already accepted them). */
class SqlParser {
  i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly origins: SqlOrigins | undefined,
  ) {}

  #isOp(op: string): boolean {
    const t = this.tokens[this.i];
    return t?.t === 'op' && t.op === op;
  }

  parseOr(): Part {
    const parts = [this.parseAnd()];
    while (this.#isOp('OR')) {
      this.i++;
      parts.push(this.parseAnd());
    }
    return parts.length === 1 ? parts[0]! : or(parts);
  }

  parseAnd(): Part {
    const parts = [this.parseNot()];
    for (;;) {
      const t = this.tokens[this.i];
      if (!t || t.t === 'rparen' || this.#isOp('OR')) break;
      if (this.#isOp('AND')) this.i++;
      parts.push(this.parseNot());
    }
    return parts.length === 1 ? parts[0]! : and(parts);
  }

  parseNot(): Part {
    if (this.#isOp('NOT')) {
      this.i++;
      const inner = this.parseNot();
      return inner.exact ? { sql: `NOT (${inner.sql})`, exact: true } : ANY;
    }
    const t = this.tokens[this.i]!;
    if (t.t === 'lparen') {
      this.i++;
      const inner = this.parseOr();
      this.i++; // the closing parenthesis
      return inner;
    }
    this.i++;
    return term(t as Extract<Token, { t: 'word' }>, this.origins);
  }
}

/**
 * Compile a filter for the `events` table; errors are the filter bar's own. Without `origins.servers`, a
 * `server:`/`profile:` term is checked but left to the second pass (the SQL keeps every server). `mic:`
 * and `mac:` need `frames` (this desk's decoder, window-frames.ts) and are always left to the second pass.
 */
export function compileToSql(input: string, origins?: SqlOrigins, frames?: FrameFactsSource): SqlQuery {
  const originOf = origins?.originOf ?? ((server: string) => ({ profile: '', server }));
  const checked = compileQuery(input, { origin: () => undefined, ...(frames ? { frames } : {}) });
  if (!checked.ok) return checked;
  const tests = new Map<string, Predicate>();
  const testFor = (server: string): Predicate => {
    let t = tests.get(server);
    if (!t) {
      const q = compileQuery(input, { origin: () => originOf(server), ...(frames ? { frames } : {}) });
      t = q.ok ? q.test : () => false;
      tests.set(server, t);
    }
    return t;
  };
  if (checked.empty) return { ok: true, where: '1', exact: true, testFor, empty: true };
  const tokens = tokenize(input) as Token[];
  const part = new SqlParser(tokens, origins).parseOr();
  return { ok: true, where: part.sql, exact: part.exact, testFor, empty: false };
}

/** `directionOfName` (message.ts) in SQL: an event without data goes the way its name says. */
function directionOfNameSql(want: 'up' | 'down' | 'join'): string {
  const is = (d: keyof typeof DIRECTION_NAMES) => `match(name, ${sqlString(DIRECTION_NAMES[d].source)})`;
  if (want === 'join') return is('join');
  if (want === 'down') return `NOT ${is('join')} AND ${is('down')}`;
  return `NOT ${is('join')} AND NOT ${is('down')} AND ${is('up')}`;
}
