/**
 * Queries evaluated on a segment's columns, a column chunk (16,384 rows) at a time into a byte mask.
 * The query language (shared/query) tests summaries; here each term of a query is compiled on its own by
 * that same code, and then tested once per distinct value instead of once per row where the index allows
 * it: a name or error term once per "what" tuple, an ID term once per "who" tuple (both remembered by the
 * plan across segments and calls, since tuple ids never change), a gateway term once per gateway (rows
 * then come from its postings), free text's preview part as one search of the chunk's preview bytes. A
 * chunk's mask is then a loop over a typed array. Any other term runs on a row view, and only on the rows
 * where its answer still matters (after AND's earlier parts, before OR's later ones). The result is the
 * same as the summary predicate's (a test compares them); only the cost differs.
 */
import type { EventSummary } from '../../shared/domain/summary.js';
import { TERM, type CompiledQuery } from '../../shared/query/query.js';
import { ALIASES, FIELDS } from '../../shared/query/query-fields.js';
import { tokenize, type Token } from '../../shared/query/tokens.js';
import { CHUNK_ROWS, CHUNK_SHIFT } from './columns.js';
import type { Segment } from './segment.js';
import { WHO_WIDTH, type SharedTables } from './shared-tables.js';

type Word = Extract<Token, { t: 'word' }>;
type Test = (s: EventSummary) => boolean;

/** How a term reads an entry, which decides how it can be evaluated on columns. */
type Shape = 'what' | 'who' | 'gateway' | 'text' | 'row';

const WHAT_FIELDS = new Set(['name', 'error', 'dir', 'mtype', 'adr', 'ack']);
const WHO_FIELDS = new Set(['dev_eui', 'dev_addr', 'device', 'app']);

type Node =
  | { t: 'and' | 'or'; parts: Node[] }
  | { t: 'not'; inner: Node }
  | { t: 'term'; shape: Shape; test: Test; word: string; memo: TermMemo };

/** Rows `from … to - 1` of one column chunk: `mask[i]` is 1 when row `from + i` matches, else 0. */
export interface ChunkMatcher {
  /** The mask is reused by the next call. */
  match(from: number, to: number): Uint8Array;
}

/** A query ready to run on segments. */
export interface SegmentQuery {
  /** A matcher for one segment (for one synchronous pass: it keeps per-segment scratch). */
  on(segment: Segment): ChunkMatcher;
}

/** The rows of a segment the chunks cover: `visit(from, to)` for each chunk, newest first if `reverse`. */
export function chunksOf(rows: number, reverse: boolean, visit: (from: number, to: number) => boolean | void): void {
  const last = rows === 0 ? -1 : (rows - 1) >>> CHUNK_SHIFT;
  for (let k = 0; k <= last; k++) {
    const c = reverse ? last - k : k;
    const from = c << CHUNK_SHIFT;
    if (visit(from, Math.min(rows, from + CHUNK_ROWS)) === false) return;
  }
}

/**
 * Plan a query that `compile` accepted. `compile` is the caller's compileQuery (with its context), used
 * per term; if a term does not compile on its own, the whole query runs on a row view.
 */
export function planQuery(input: string, compile: (text: string) => CompiledQuery, whole: Test): SegmentQuery {
  const tokens = tokenize(input);
  let tree: Node | undefined;
  if (Array.isArray(tokens) && tokens.length > 0) {
    try {
      tree = new Planner(tokens, input, compile).or();
    } catch {
      tree = undefined;
    }
  }
  const root: Node = tree ?? { t: 'term', shape: 'row', test: whole, word: '', memo: new TermMemo() };
  return {
    on: (segment) => {
      const evaluate = build(root, segment);
      const mask = new Uint8Array(CHUNK_ROWS);
      return {
        match: (from, to) => {
          evaluate(from, to - from, undefined, mask);
          return mask;
        },
      };
    },
  };
}

class NotPlannable extends Error {}

class Planner {
  i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly input: string,
    private readonly compile: (text: string) => CompiledQuery,
  ) {}

  #peek(): Token | undefined {
    return this.tokens[this.i];
  }

  or(): Node {
    const parts = [this.and()];
    while (this.#peek()?.t === 'op' && (this.#peek() as { op: string }).op === 'OR') {
      this.i++;
      parts.push(this.and());
    }
    return parts.length === 1 ? parts[0]! : { t: 'or', parts };
  }

  and(): Node {
    const parts = [this.not()];
    for (;;) {
      const t = this.#peek();
      if (!t || t.t === 'rparen' || (t.t === 'op' && t.op === 'OR')) break;
      if (t.t === 'op' && t.op === 'AND') this.i++;
      parts.push(this.not());
    }
    return parts.length === 1 ? parts[0]! : { t: 'and', parts };
  }

  not(): Node {
    const t = this.#peek();
    if (t?.t === 'op' && t.op === 'NOT') {
      this.i++;
      return { t: 'not', inner: this.not() };
    }
    return this.primary();
  }

  primary(): Node {
    const t = this.tokens[this.i++];
    if (!t) throw new NotPlannable();
    if (t.t === 'lparen') {
      const inner = this.or();
      this.i++;
      return inner;
    }
    if (t.t !== 'word') throw new NotPlannable();
    const c = this.compile(this.input.slice(t.start, t.end));
    if (!c.ok) throw new NotPlannable();
    const shape = shapeOf(t);
    return {
      t: 'term',
      shape,
      test: c.test,
      word: t.text,
      memo: new TermMemo(shape === 'text' ? t.text : '', shape === 'text'),
    };
  }
}

/** Mirrors compileTerm in shared/query: which fields a term reads. */
function shapeOf(tok: Word): Shape {
  const m = tok.text.match(TERM);
  if (m && !/^[a-z]+:\/\//i.test(tok.text)) {
    const raw = m[1]!.toLowerCase();
    const field = FIELDS[raw] ? raw : ALIASES[raw];
    if (!field) return 'row';
    if (WHAT_FIELDS.has(field)) return 'what';
    if (WHO_FIELDS.has(field)) return 'who';
    if (field === 'gateway') return 'gateway';
    return 'row';
  }
  if (!tok.quoted && tok.text.includes('*') && /[a-z]/i.test(tok.text)) return 'what';
  return 'text';
}

/**
 * A term's answers per shared id (0 = not yet asked, 1 = no, 2 = yes), kept by the plan: the shared
 * tables only ever add ids, so an answer stays true for as long as the index lives.
 */
class TermMemo {
  /** Free text's search of preview bytes: one expression per plan, so it stays compiled. */
  readonly words: RegExp | undefined;
  tables: SharedTables | undefined;
  what: Uint8Array = new Uint8Array(0);
  who: Uint8Array = new Uint8Array(0);
  gateway: Uint8Array = new Uint8Array(0);
  /** Free text only: its answer per value of each "who" field (kind by `kinds` id, the others by `ids` id). */
  whoFields: Uint8Array[] = [];

  constructor(
    word = '',
    /** A free-text term (see `byWho`). */
    readonly text = false,
  ) {
    // Only an ASCII word: its letters then match only ASCII bytes of the UTF-8 previews (preview-pool.ts).
    const ascii = word.length > 0 && [...word].every((c) => c.charCodeAt(0) <= 0x7f);
    this.words = ascii ? new RegExp(word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi') : undefined;
  }

  /** Reset when a segment of another index asks; grow to cover every id the tables hold now. */
  ready(seg: Segment): void {
    const t = seg.tables;
    if (this.tables !== t) {
      this.tables = t;
      this.what = new Uint8Array(0);
      this.who = new Uint8Array(0);
      this.gateway = new Uint8Array(0);
      this.whoFields = [];
    }
    if (this.text)
      for (let f = 0; f < WHO_WIDTH; f++) {
        const n = (f === 0 ? t.kinds.size : t.ids.size) + 1;
        const a = this.whoFields[f] ?? new Uint8Array(0);
        this.whoFields[f] = a.length < n ? grown(a, n) : a;
      }
    if (this.what.length < t.what.size) this.what = grown(this.what, t.what.size);
    if (this.who.length < t.who.size) this.who = grown(this.who, t.who.size);
    if (this.gateway.length <= t.ids.size) this.gateway = grown(this.gateway, t.ids.size + 1);
  }
}

const grown = (a: Uint8Array, n: number): Uint8Array => {
  const b = new Uint8Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
};

/** Evaluates rows `from … from + n - 1` into `out` (0/1); exact at least where `care` is 1 (all rows without). */
type Evaluate = (from: number, n: number, care: Uint8Array | undefined, out: Uint8Array) => void;

const anySet = (a: Uint8Array, n: number): boolean => {
  for (let i = 0; i < n; i++) if (a[i] !== 0) return true;
  return false;
};

function build(node: Node, seg: Segment): Evaluate {
  if (node.t === 'not') {
    const inner = build(node.inner, seg);
    const tmp = new Uint8Array(CHUNK_ROWS);
    return (from, n, care, out) => {
      inner(from, n, care, tmp);
      for (let i = 0; i < n; i++) out[i] = tmp[i]! ^ 1;
    };
  }
  if (node.t === 'term') return term(node, seg);
  if (node.t === 'and') {
    const parts = node.parts.map((p) => build(p, seg));
    const tmp = new Uint8Array(CHUNK_ROWS);
    return (from, n, care, out) => {
      parts[0]!(from, n, care, out);
      for (let k = 1; k < parts.length; k++) {
        if (care) for (let i = 0; i < n; i++) out[i]! &= care[i]!;
        if (!anySet(out, n)) return;
        // Later parts are asked only about the rows still in.
        parts[k]!(from, n, out, tmp);
        for (let i = 0; i < n; i++) out[i]! &= tmp[i]!;
      }
    };
  }
  {
    const parts = node.parts.map((p) => build(p, seg));
    const tmp = new Uint8Array(CHUNK_ROWS);
    const open = new Uint8Array(CHUNK_ROWS);
    return (from, n, care, out) => {
      parts[0]!(from, n, care, out);
      for (let k = 1; k < parts.length; k++) {
        // Later parts are asked only about the rows not yet in.
        if (care) for (let i = 0; i < n; i++) open[i] = care[i]! & (out[i]! ^ 1);
        else for (let i = 0; i < n; i++) open[i] = out[i]! ^ 1;
        if (!anySet(open, n)) return;
        parts[k]!(from, n, open, tmp);
        for (let i = 0; i < n; i++) out[i]! |= tmp[i]! & open[i]!;
      }
    };
  }
}

function term(node: Extract<Node, { t: 'term' }>, seg: Segment): Evaluate {
  const { test, memo } = node;
  const rows = byRow(seg, test);
  switch (node.shape) {
    case 'what':
      return byWhat(seg, test, memo);
    case 'who':
      return byWho(seg, test, memo);
    case 'gateway': {
      const who = byWho(seg, test, memo);
      const gw = byGateway(seg, test, memo);
      return (from, n, care, out) => {
        who(from, n, care, out);
        gw(from, n, out);
      };
    }
    case 'text': {
      const what = byWhat(seg, test, memo);
      const who = byWho(seg, test, memo);
      const gw = byGateway(seg, test, memo);
      const re = memo.words;
      const tmp = new Uint8Array(CHUNK_ROWS);
      const open = new Uint8Array(CHUNK_ROWS);
      return (from, n, care, out) => {
        what(from, n, care, out);
        who(from, n, care, tmp);
        for (let i = 0; i < n; i++) out[i]! |= tmp[i]!;
        gw(from, n, out);
        if (re) return seg.searchPreviews(re, node.word.length, from, from + n, out);
        // A word with other characters: the preview is tested row by row, where nothing else matched.
        if (care) for (let i = 0; i < n; i++) open[i] = care[i]! & (out[i]! ^ 1);
        else for (let i = 0; i < n; i++) open[i] = out[i]! ^ 1;
        rows(from, n, open, tmp);
        for (let i = 0; i < n; i++) out[i]! |= tmp[i]! & open[i]!;
      };
    }
    default:
      return rows;
  }
}

/** The term tested on a view of each row that matters. */
function byRow(seg: Segment, test: Test): Evaluate {
  let view: ReturnType<Segment['view']> | undefined;
  return (from, n, care, out) => {
    const v = (view ??= seg.view());
    for (let i = 0; i < n; i++) {
      if (care && care[i] === 0) continue;
      v.row = from + i;
      out[i] = test(v) ? 1 : 0;
    }
  };
}

/** The term's answer for each row's "what" tuple, each tuple tested once. */
function byWhat(seg: Segment, test: Test, memo: TermMemo): Evaluate {
  return (from, n, _care, out) => {
    memo.ready(seg);
    const lut = memo.what;
    const ids = seg.whatChunk(from >>> CHUNK_SHIFT);
    const base = from & (CHUNK_ROWS - 1);
    for (let i = 0; i < n; i++) {
      const id = ids[base + i]!;
      let v = lut[id]!;
      if (v === 0) v = lut[id] = test(seg.tables.whatProbe(id)) ? 2 : 1;
      out[i] = v >>> 1;
    }
  };
}

/** The term's answer for each row's "who" tuple: per segment-local id, from the plan's answer per shared id. */
function byWho(seg: Segment, test: Test, memo: TermMemo): Evaluate {
  let local: Uint8Array = new Uint8Array(seg.whoCount);
  return (from, n, _care, out) => {
    memo.ready(seg);
    if (local.length < seg.whoCount) local = grown(local, seg.whoCount);
    const shared = memo.who;
    const ids = seg.whoLocalChunk(from >>> CHUNK_SHIFT);
    const base = from & (CHUNK_ROWS - 1);
    for (let i = 0; i < n; i++) {
      const id = ids[base + i]!;
      let v = local[id]!;
      if (v === 0) {
        const g = seg.whoGlobal(id);
        v = shared[g]!;
        if (v === 0) v = shared[g] = (memo.text ? textOfWho(seg, test, memo, g) : test(seg.tables.whoProbe(g))) ? 2 : 1;
        local[id] = v;
      }
      out[i] = v >>> 1;
    }
  };
}

/**
 * Free text on a "who" tuple, from its answer per field value. Free text is an OR over fields (name, IDs,
 * error, gateways, preview: query-fields.ts), so a tuple matches exactly when one of its fields does on
 * its own; a field value is tested once, not once per tuple (tens of thousands of tuples, gateway by
 * DevAddr, share a few thousand values).
 */
function textOfWho(seg: Segment, test: Test, memo: TermMemo, g: number): boolean {
  for (let f = 0; f < WHO_WIDTH; f++) {
    const lut = memo.whoFields[f]!;
    const value = seg.whoField(g, f);
    let v = lut[value]!;
    if (v === 0) v = lut[value] = test(seg.tables.whoFieldProbe(f, value)) ? 2 : 1;
    if (v === 2) return true;
  }
  return false;
}

/** Sets `out[i]` for the rows linked to a gateway the term accepts (from the postings, once per segment). */
function byGateway(seg: Segment, test: Test, memo: TermMemo): (from: number, n: number, out: Uint8Array) => void {
  let hits: Uint8Array | undefined;
  let rows = -1;
  const accept = (id: number): boolean => {
    let v = memo.gateway[id]!;
    if (v === 0) v = memo.gateway[id] = test(seg.tables.gatewayProbe(id)) ? 2 : 1;
    return v === 2;
  };
  return (from, n, out) => {
    if (rows !== seg.rows) {
      memo.ready(seg);
      rows = seg.rows;
      hits = seg.gatewayRows(accept);
    }
    if (hits) for (let i = 0; i < n; i++) out[i]! |= hits[from + i]!;
  };
}
