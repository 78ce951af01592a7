/**
 * One cell of a command's text table, cut to its width with "…" and padded. Numbers align right and keep
 * their start; IDs align left and keep their end, where the IDs of one application or fleet differ
 * ("…-70b3d57ed0000001"); names keep their start.
 */
export type CellKind = 'number' | 'id' | 'text';

export function cell(v: unknown, width: number, kind: CellKind = 'text'): string {
  const t = v === undefined || v === null ? '' : String(v);
  if (kind === 'number') return (t.length > width ? `${t.slice(0, width - 1)}…` : t).padStart(width);
  if (t.length <= width) return t.padEnd(width);
  return kind === 'id' ? `…${t.slice(t.length - width + 1)}` : `${t.slice(0, width - 1)}…`;
}
