/**
 * The query language's tokens: words (quoted or not), AND / OR / NOT (or a leading -) and parentheses,
 * with their character ranges so errors point at the right place.
 */
import type { QueryError } from './query.js';

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
