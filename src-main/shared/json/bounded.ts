/**
 * Limits for walking JSON of unknown depth. Server-sent JSON can nest thousands of levels (JSON.parse
 * copes: V8 parses iteratively), but every recursive walk over it (JSON.stringify, a redactor, a
 * component tree) overflows the stack and throws a RangeError. The helpers here never recurse, so
 * they are safe on any input, and callers use them to decide before they walk.
 */

/**
 * How deep the app walks an event. Real events nest about 15 levels, decoded payloads a few more; 64
 * leaves room for odd payload formatters and keeps recursive walkers far from the stack limit.
 */
export const MAX_JSON_DEPTH = 64;

/** What previews and the JSON tree say when a value nests deeper than they show. */
export const TOO_DEEP_TEXT = 'too deep to show';

const isContainer = (v: unknown): v is object => typeof v === 'object' && v !== null;

/**
 * Whether `value` nests more than `limit` containers deep (a scalar is depth 0, `{}` is depth 1).
 * Iterative, and stops at the first branch past the limit.
 */
export function exceedsDepth(value: unknown, limit: number = MAX_JSON_DEPTH): boolean {
  return jsonSize(value, 0, limit) === 'too-deep';
}

export type BoundedText = { ok: true; text: string; truncated: boolean } | { ok: false; reason: 'too-deep' };

/**
 * `JSON.stringify(value)` for parsed JSON (plain objects, arrays, strings, numbers, booleans, null),
 * without recursion: stops after `maxLength` characters (the text is then cut and `truncated`), and
 * refuses values that nest deeper than `maxDepth` (checked as it goes, so a deep branch past the
 * length budget costs nothing).
 */
export function boundedStringify(value: unknown, options: { maxLength?: number; maxDepth?: number } = {}): BoundedText {
  const maxLength = options.maxLength ?? Number.POSITIVE_INFINITY;
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  const parts: string[] = [];
  let length = 0;
  const emit = (s: string): boolean => {
    parts.push(s);
    length += s.length;
    return length < maxLength;
  };
  // One frame per open container: children are visited by index, so a huge array costs no copy.
  interface Frame {
    v: object;
    keys: string[] | undefined;
    i: number;
    wrote: boolean;
  }
  const stack: Frame[] = [];
  /** Write a scalar, or open a container; false when the text is long enough or too deep. */
  const open = (v: unknown): boolean | 'too-deep' => {
    if (!isContainer(v)) return emit(scalarText(v));
    if (stack.length + 1 > maxDepth) return 'too-deep';
    stack.push({ v, keys: Array.isArray(v) ? undefined : Object.keys(v), i: 0, wrote: false });
    return emit(Array.isArray(v) ? '[' : '{');
  };
  let go = open(value);
  while (go === true && stack.length > 0) {
    const f = stack[stack.length - 1]!;
    const n = f.keys ? f.keys.length : (f.v as unknown[]).length;
    if (f.i >= n) {
      stack.pop();
      go = emit(f.keys ? '}' : ']');
      continue;
    }
    const i = f.i++;
    let child: unknown;
    if (f.keys) {
      child = (f.v as Record<string, unknown>)[f.keys[i]!];
      // JSON.stringify leaves out object members that are undefined or functions.
      if (child === undefined || typeof child === 'function') continue;
      go = emit(`${f.wrote ? ',' : ''}${JSON.stringify(f.keys[i])}:`);
    } else {
      child = (f.v as unknown[])[i];
      // …and writes them as null inside arrays.
      if (child === undefined || typeof child === 'function') child = null;
      go = emit(f.wrote ? ',' : '');
    }
    f.wrote = true;
    if (go === true) go = open(child);
  }
  if (go === 'too-deep') return { ok: false, reason: 'too-deep' };
  const text = parts.join('');
  if (text.length > maxLength) return { ok: true, text: text.slice(0, maxLength), truncated: true };
  return { ok: true, text, truncated: stack.length > 0 };
}

function scalarText(v: unknown): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'bigint') return String(v);
  return JSON.stringify(v) ?? 'null';
}

/**
 * A one-line preview of a value for a list row: compact JSON cut at `maxLength`, or `too deep to show`
 * when it nests deeper than the app walks.
 */
export function jsonPreview(value: unknown, maxLength: number): string {
  // Checked over the whole value, not only the part that fits: the row must not look complete.
  const size = jsonSize(value, SMALL_JSON);
  if (size === 'too-deep') return TOO_DEEP_TEXT;
  // A small value (the usual decoded payload: a few fields) through the native stringify, which writes the
  // same text for parsed JSON ~5× faster than walking it here; a big one is not written past the preview.
  if (size <= SMALL_JSON) return (JSON.stringify(value) ?? 'null').slice(0, maxLength);
  const r = boundedStringify(value, { maxLength });
  return r.ok ? r.text : TOO_DEEP_TEXT;
}

/** Values whose JSON is at most about this long are stringified whole for a preview. */
const SMALL_JSON = 2048;

/**
 * About how long `value`'s JSON is (at least; escapes not counted), or 'too-deep' when it nests more than
 * `limit` containers deep (a scalar is depth 0, `{}` is depth 1). Iterative; the count stops growing once it
 * passes `enough`, and the depth is checked over the whole value until a branch is past the limit.
 */
function jsonSize(value: unknown, enough: number, limit = MAX_JSON_DEPTH): number | 'too-deep' {
  if (!isContainer(value)) return typeof value === 'string' ? value.length + 2 : 8;
  let size = 0;
  const stack: Array<{ v: object; depth: number }> = [{ v: value, depth: 1 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (depth > limit) return 'too-deep';
    size += 2;
    const keys = Array.isArray(v) ? undefined : Object.keys(v);
    const n = keys ? keys.length : (v as unknown[]).length;
    for (let i = 0; i < n; i++) {
      const c: unknown = keys ? (v as Record<string, unknown>)[keys[i]!] : (v as unknown[])[i];
      if (size <= enough) size += (keys ? keys[i]!.length + 4 : 1) + (typeof c === 'string' ? c.length + 2 : 8);
      if (isContainer(c)) stack.push({ v: c, depth: depth + 1 });
    }
  }
  return size;
}

/**
 * `JSON.stringify` that returns undefined instead of throwing on a value too deep for it (or with a
 * cycle), for boundaries that must not throw (a socket reply, a preview).
 */
export function tryStringify(value: unknown, space?: number): string | undefined {
  if (exceedsDepth(value, MAX_JSON_DEPTH * 4)) return undefined;
  try {
    return JSON.stringify(value, null, space);
  } catch {
    return undefined;
  }
}

/**
 * `JSON.stringify(value)` for parsed JSON at any depth (no recursion, no limit): for keeping a value
 * as text exactly, e.g. an event unwrapped from `{"result":…}`, where refusing would lose it.
 */
export function stringifyDeep(value: unknown): string {
  // The usual event nests ~15 levels: the native stringify, several times faster than the walk below.
  const native = tryStringify(value);
  if (native !== undefined) return native;
  const r = boundedStringify(value, { maxDepth: Number.POSITIVE_INFINITY });
  // Without limits boundedStringify always succeeds; the fallback only satisfies the type.
  return r.ok ? r.text : 'null';
}

/**
 * A copy of `value` in which every container deeper than `maxDepth` is replaced by a short text, for
 * showing an event that nests too deep (the detail pane): the copy can be cloned, sent and walked.
 * Recursion stops at `maxDepth`, so it is safe on any input.
 */
export function cutDepth(value: unknown, maxDepth: number = MAX_JSON_DEPTH): unknown {
  const walk = (v: unknown, depth: number): unknown => {
    if (!isContainer(v)) return v;
    if (depth >= maxDepth) return `[${TOO_DEEP_TEXT}: nested more than ${maxDepth} levels]`;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x, depth + 1);
    return out;
  };
  return walk(value, 0);
}
