/**
 * Completion for the filter bar: fields, event-name families and known values for the word under the caret.
 */
import { ALIASES, FIELDS, FIELD_NAMES } from './query-fields.js';

export interface Completion {
  label: string;
  /** Replaces the text between `from` and `to`. */
  insert: string;
  detail: string;
}

export interface CompletionResult {
  from: number;
  to: number;
  items: Completion[];
}

/** Values the renderer knows (seen device IDs, gateways, …) for completing `field:` terms. */
export type ValueSource = Partial<
  Record<'device' | 'app' | 'gateway' | 'dev_eui' | 'error' | 'server' | 'profile', readonly string[]>
>;

/** A value as the tokenizer reads it back: quoted when it holds a space or a parenthesis (profile names do). */
const asValue = (v: string): string => (/[\s()"]/.test(v) ? `"${v.replace(/"/g, '')}"` : v);

/** Fields whose values are a fixed set, completed without any capture. */
const FIXED_VALUES: Record<string, readonly string[]> = {
  dir: ['up', 'down', 'join'],
  kind: ['event', 'status', 'gap'],
};

/** Suggestions for the word under the caret: fields, event names and name families, known values. */
export function completeQuery(
  input: string,
  caret: number,
  names: readonly string[],
  values: ValueSource = {},
  limit = 12,
): CompletionResult {
  let from = caret;
  while (from > 0 && !/[\s()]/.test(input[from - 1]!)) from--;
  let to = caret;
  while (to < input.length && !/[\s()]/.test(input[to]!)) to++;
  const word = input.slice(from, caret);
  const neg = word.startsWith('-') ? '-' : '';
  const w = word.slice(neg.length);
  const items: Completion[] = [];
  const fieldMatch = w.match(/^([A-Za-z_]+):(.*)$/);
  if (fieldMatch) {
    const field = FIELDS[fieldMatch[1]!.toLowerCase()]
      ? fieldMatch[1]!.toLowerCase()
      : ALIASES[fieldMatch[1]!.toLowerCase()];
    const prefix = fieldMatch[2]!.replace(/^"/, '').toLowerCase();
    const pool =
      field === 'name' ? names : field ? (FIXED_VALUES[field] ?? values[field as keyof ValueSource] ?? []) : [];
    for (const v of pool)
      if (v.toLowerCase().startsWith(prefix) && items.length < limit)
        items.push({ label: v, insert: `${neg}${fieldMatch[1]}:${asValue(v)}`, detail: field ?? '' });
    return { from, to, items };
  }
  const l = w.toLowerCase();
  for (const f of FIELD_NAMES)
    if (f.startsWith(l) && items.length < limit)
      items.push({ label: `${f}:`, insert: `${neg}${f}:`, detail: FIELDS[f]!.help });
  if (l.length > 0) {
    const families = new Set<string>();
    for (const n of names) {
      if (!n.startsWith(l)) continue;
      const parts = n.split('.');
      // Offer the family one level below what was typed (`ns.` → `ns.up.*`), then exact names.
      const depth = l.split('.').length;
      if (parts.length > depth) families.add(parts.slice(0, depth).join('.') + '.*');
    }
    for (const f of families)
      if (items.length < limit) items.push({ label: f, insert: neg + f, detail: 'event names' });
    for (const n of names)
      if (n.startsWith(l) && items.length < limit) items.push({ label: n, insert: neg + n, detail: 'event name' });
  }
  return { from, to, items };
}
