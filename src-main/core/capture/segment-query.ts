/**
 * Queries evaluated on a segment's columns. The query language (shared/query) tests summaries; here
 * each term of a query is compiled on its own by that same code, and then tested once per distinct
 * value instead of once per row where the index allows it: a name or error term once per "what"
 * tuple, an ID term once per "who" tuple, a gateway term once per gateway of the segment (rows then
 * come from its postings), free text's preview part as one byte search of the segment's preview pool.
 * Any other term runs on a row view, as before. The result is the same as the summary predicate's
 * (a test compares them); only the cost differs.
 */
import type { EventSummary } from '../../shared/domain/summary.js';
import { TERM, type CompiledQuery } from '../../shared/query/query.js';
import { ALIASES, FIELDS } from '../../shared/query/query-fields.js';
import { tokenize, type Token } from '../../shared/query/tokens.js';
import type { Segment } from './segment.js';

type Word = Extract<Token, { t: 'word' }>;
type RowTest = (row: number) => boolean;

/** How a term reads an entry, which decides how it can be evaluated on columns. */
type Shape = 'what' | 'who' | 'gateway' | 'text' | 'row';

const WHAT_FIELDS = new Set(['name', 'error', 'dir', 'mtype', 'adr', 'ack']);
const WHO_FIELDS = new Set(['dev_eui', 'dev_addr', 'device', 'app']);

type Node =
  | { t: 'and' | 'or'; parts: Node[] }
  | { t: 'not'; inner: Node }
  | { t: 'term'; shape: Shape; test: (s: EventSummary) => boolean; word: string };

/** A query ready to run on segments: `forSegment` gives a row test for one segment. */
export interface SegmentQuery {
  forSegment(segment: Segment): RowTest;
}

/**
 * Plan a query that `compile` accepted. `compile` is the caller's compileQuery (with its context), used
 * per term; if a term does not compile on its own, the whole query runs on a row view.
 */
export function planQuery(
  input: string,
  compile: (text: string) => CompiledQuery,
  whole: (s: EventSummary) => boolean,
): SegmentQuery {
  const tokens = tokenize(input);
  let tree: Node | undefined;
  if (Array.isArray(tokens) && tokens.length > 0) {
    try {
      tree = new Planner(tokens, input, compile).or();
    } catch {
      tree = undefined;
    }
  }
  return {
    forSegment: (segment) => {
      const view = segment.view();
      if (!tree) return (row) => ((view.row = row), whole(view));
      return build(tree, segment, view);
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
    return { t: 'term', shape: shapeOf(t), test: c.test, word: t.text };
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

function build(node: Node, seg: Segment, view: EventSummary & { row: number }): RowTest {
  if (node.t === 'not') {
    const inner = build(node.inner, seg, view);
    return (r) => !inner(r);
  }
  if (node.t !== 'term') {
    const parts = node.parts.map((p) => build(p, seg, view));
    if (parts.length === 2) {
      const [a, b] = parts as [RowTest, RowTest];
      return node.t === 'and' ? (r) => a(r) && b(r) : (r) => a(r) || b(r);
    }
    return node.t === 'and' ? (r) => parts.every((p) => p(r)) : (r) => parts.some((p) => p(r));
  }
  const test = node.test;
  switch (node.shape) {
    case 'what': {
      const memo = memoOf((id) => test(seg.whatProbe(id)));
      return (r) => memo(seg.whatId(r));
    }
    case 'who': {
      const memo = whoMemo(seg, test);
      return (r) => memo(seg.whoLocal(r));
    }
    case 'gateway': {
      const who = whoMemo(seg, test);
      const hits = seg.gatewayRows((g) => test(seg.gatewayProbe(g)));
      return (r) => hits[r] === 1 || who(seg.whoLocal(r));
    }
    case 'text': {
      const what = memoOf((id) => test(seg.whatProbe(id)));
      const who = whoMemo(seg, test);
      const hits = seg.gatewayRows((g) => test(seg.gatewayProbe(g)));
      if (!seg.searchPreviews(node.word, hits))
        return (r) => what(seg.whatId(r)) || who(seg.whoLocal(r)) || hits[r] === 1 || ((view.row = r), test(view));
      return (r) => hits[r] === 1 || what(seg.whatId(r)) || who(seg.whoLocal(r));
    }
    default:
      return (r) => ((view.row = r), test(view));
  }
}

/** A term's answer per segment-local "who" id, tested on the shared tuple once each. */
function whoMemo(seg: Segment, test: (s: EventSummary) => boolean): (local: number) => boolean {
  const memo = new Int8Array(seg.whoCount);
  return (local) => {
    // A row added after this test was made (the memo is sized when made) is tested directly.
    if (local >= memo.length) return test(seg.whoProbe(seg.whoGlobal(local)));
    const m = memo[local]!;
    if (m !== 0) return m > 0;
    const v = test(seg.whoProbe(seg.whoGlobal(local)));
    memo[local] = v ? 1 : -1;
    return v;
  };
}

/** A test remembered per id (ids are dense small numbers). */
function memoOf(test: (id: number) => boolean): (id: number) => boolean {
  let memo = new Int8Array(256);
  return (id) => {
    if (id >= memo.length) {
      const grown = new Int8Array(Math.max(id + 1, memo.length * 2));
      grown.set(memo);
      memo = grown;
    }
    const m = memo[id]!;
    if (m !== 0) return m > 0;
    const v = test(id);
    memo[id] = v ? 1 : -1;
    return v;
  };
}
