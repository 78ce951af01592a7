/**
 * Sorting the Devices and Gateways tables by a column: "which devices lose the most frames" is the first
 * question a support engineer asks of a capture with a thousand devices.
 */
export type SortDir = 'asc' | 'desc';
export type SortValue = number | string | undefined;

export interface Sort<K extends string> {
  key: K;
  dir: SortDir;
}

/** A column a table sorts by: its header, its value of a row, and the direction its first click sorts in. */
export interface SortColumn<T> {
  label: string;
  /** Numbers align right. */
  numeric?: boolean;
  value: (row: T) => SortValue;
  /** Numbers mostly start highest first (most lost, highest PER); text A to Z. */
  first: SortDir;
}

/** Rows ordered by a column. A row without a value goes last either way; ties keep their order. */
export function sortRows<T>(rows: readonly T[], column: SortColumn<T>, dir: SortDir): T[] {
  const keyed = rows.map((row, i) => ({ row, i, v: column.value(row) }));
  keyed.sort((a, b) => {
    if (a.v === undefined || b.v === undefined)
      return (a.v === undefined ? 1 : 0) - (b.v === undefined ? 1 : 0) || a.i - b.i;
    const c =
      typeof a.v === 'number' && typeof b.v === 'number'
        ? a.v - b.v
        : String(a.v).localeCompare(String(b.v), 'en', { numeric: true });
    return (dir === 'asc' ? c : -c) || a.i - b.i;
  });
  return keyed.map((k) => k.row);
}

/** After a click on a column's header: another column starts in its first direction, the same one flips. */
export function nextSort<K extends string>(current: Sort<K> | undefined, key: K, first: SortDir): Sort<K> {
  if (current?.key !== key) return { key, dir: first };
  return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
}
