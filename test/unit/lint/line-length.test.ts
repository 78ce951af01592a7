import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Prettier wraps code at 120 characters but leaves strings and generated tables alone: this holds every line
 * we write to 160, so a table of 250 rows or a 400-character JSON literal cannot come back on one line (#14).
 * Markdown table rows are exempt: a row cannot be wrapped.
 */
const LIMIT = 160;
const ROOTS = ['src-main', 'src-renderer', 'test', 'bench', 'scripts', '.ci', '.'];
const SKIP = new Set(['node_modules', 'dist', 'fixtures', 'test-results', '.git']);
const TEXT = /\.(ts|js|mjs|cjs|svelte|html|css|sh|json|ya?ml|md)$|^run$/;

function files(dir: string, deep: boolean): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (deep && !SKIP.has(e.name)) out.push(...files(p, true));
    } else if (TEXT.test(e.name) && e.name !== 'package-lock.json') out.push(p);
  }
  return out;
}

function longLines(file: string, text: string): string[] {
  const markdown = file.endsWith('.md');
  return text
    .split('\n')
    .map((line, i) => ({ line, no: i + 1 }))
    .filter(({ line }) => line.length > LIMIT && !(markdown && /^\s*\|/.test(line)))
    .map(({ line, no }) => `${file}:${no} (${line.length} characters)`);
}

describe('line length', () => {
  it(`keeps every line of the sources, tests, scripts and docs within ${LIMIT} characters`, () => {
    const all = ROOTS.flatMap((r) => files(r, r !== '.'));
    expect(all.length).toBeGreaterThan(300);
    expect(all.flatMap((f) => longLines(f, readFileSync(f, 'utf8')))).toEqual([]);
  });

  it('finds a long line and lets a Markdown table row through', () => {
    const long = 'x'.repeat(LIMIT + 1);
    expect(longLines('a.ts', `ok\n${long}\n`)).toEqual([`a.ts:2 (${LIMIT + 1} characters)`]);
    expect(longLines('a.md', `| ${long} |\n  | ${long} |\n`)).toEqual([]);
    expect(longLines('a.md', `${long}\n`)).toHaveLength(1);
  });
});
