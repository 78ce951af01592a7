/**
 * The read side of the capture index over a workspace's segments: pages through a query, scans,
 * stored lines merged by time, and an entry's event parsed back. The index finds the segments
 * (capture-index.ts); nothing here changes them.
 */
import type { EventSummary } from '../../shared/domain/summary.js';
import type { PageRequest, PageResult } from '../../shared/ipc/contract.js';
import { compileQuery, type Predicate, type QueryContext } from '../../shared/query/query.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { TtsEvent } from '../../shared/tts/types.js';
import { STATUS_KEY } from './capture-file.js';
import { byCapture, mergeByEventTime, readLines } from './capture-lines.js';
import type { RowView, Segment } from './segment.js';
import { chunksOf, planQuery, type SegmentQuery } from './segment-query.js';

/** The key of plans made without a query context. */
const NO_CONTEXT = {};

/**
 * Queries compiled to run on the index's columns (segment-query.ts); `undefined` for the empty query
 * (everything matches). The last few plans are kept per context: a plan remembers its terms' answers
 * per tuple, which pages through the same filter (scrolling, live updates) then reuse.
 */
export class QueryPlans {
  readonly #plans = new WeakMap<object, Map<string, SegmentQuery | undefined>>();

  plan(input: string, context?: QueryContext): Result<SegmentQuery | undefined> {
    const plans = this.#plans.get(context ?? NO_CONTEXT) ?? new Map<string, SegmentQuery | undefined>();
    if (plans.has(input)) return ok(plans.get(input));
    const q = compileQuery(input, context);
    if (!q.ok) return err('invalid-input', `The filter is not valid: ${q.error.message}`);
    const plan = q.empty ? undefined : planQuery(input, (text) => compileQuery(text, context), q.test);
    if (plans.size >= 8) plans.delete(plans.keys().next().value!);
    plans.set(input, plan);
    this.#plans.set(context ?? NO_CONTEXT, plans);
    return ok(plan);
  }
}

/**
 * A page of entries before a cursor, through a query plan. Each segment is in arrival order (close to
 * time order), so it is matched from its newest chunk back and stops once it has `limit` matches: a
 * page costs about what it returns, not the size of the capture. Summaries are built only for the rows
 * the page returns.
 */
export function pageOf(segments: readonly Segment[], req: PageRequest, q: SegmentQuery | undefined): PageResult {
  const b = req.before;
  const found: { segment: Segment; row: number; ms: number; id: number }[] = [];
  let more = false;
  let retained = 0;
  for (const segment of segments) {
    retained += segment.rows;
    const matcher = q?.on(segment);
    let taken = 0;
    chunksOf(segment.rows, true, (from, to) => {
      const mask = matcher?.match(from, to);
      for (let row = to - 1; row >= from; row--) {
        if (mask && mask[row - from] === 0) continue;
        const ms = segment.ms(row);
        const id = segment.base + row;
        if (b && !(ms < b.ms || (ms === b.ms && id < b.id))) continue;
        if (taken === req.limit) {
          more = true;
          return false;
        }
        found.push({ segment, row, ms, id });
        taken++;
      }
    });
  }
  found.sort((x, y) => x.ms - y.ms || x.id - y.id);
  if (found.length > req.limit) more = true;
  const entries = found.slice(Math.max(0, found.length - req.limit)).map((f) => f.segment.summary(f.row));
  return { entries, more, retained };
}

/** Visit every entry of the segments through a reusable view (counting, manifests): no summaries built. */
export function scanSegments(
  segments: readonly Segment[],
  visit: (view: RowView) => void,
  test?: Predicate | SegmentQuery,
): void {
  for (const segment of segments) {
    const view = segment.view();
    if (test && typeof test !== 'function') {
      const matcher = test.on(segment);
      chunksOf(segment.rows, false, (from, to) => {
        const mask = matcher.match(from, to);
        for (let i = 0; i < to - from; i++) {
          if (mask[i] === 0) continue;
          view.row = from + i;
          visit(view);
        }
      });
      continue;
    }
    for (let row = 0; row < segment.rows; row++) {
      view.row = row;
      if (!test || test(view)) visit(view);
    }
  }
}

/**
 * Every entry of the segments `want` accepts, with its stored line (newline included), merged by event
 * time across captures and read sequentially from each file: memory stays at a window per file.
 */
export function linesOf(
  segments: readonly Segment[],
  want: Predicate,
): AsyncGenerator<{ summary: EventSummary; line: Buffer }> {
  return mergeByEventTime(byCapture(segments).map((list) => readLines(list, want)));
}

/** Stored lines as text without their newline; `lines` is called when the first one is asked for. */
export async function* textOf(
  lines: () => AsyncGenerator<{ summary: EventSummary; line: Buffer }>,
): AsyncGenerator<{ summary: EventSummary; raw: string }> {
  for await (const { summary, line } of lines()) {
    const end = line[line.length - 1] === 10 ? line.length - 1 : line.length;
    yield { summary, raw: line.toString('utf8', 0, end) };
  }
}

/** Entry `id`'s stored text as its event (status entries are not events). */
export function eventOf(id: number, raw: string | undefined): Result<TtsEvent> {
  if (raw === undefined)
    return err(
      'not-found',
      `Event ${id} is no longer in the capture (removed by retention, or its workspace was closed).`,
    );
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(raw) as Record<string, unknown>;
  } catch (e) {
    return err('io', `Entry ${id} could not be read back from its capture file: ${(e as Error).message}.`);
  }
  if (parsed[STATUS_KEY]) return err('not-found', `Entry ${id} is a status entry, not an event.`);
  return ok(parsed as unknown as TtsEvent);
}
