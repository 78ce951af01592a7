import { describe, expect, it } from 'vitest';
import { nextSort, sortRows, type SortColumn } from '../../../../src-renderer/lib/logic/table-sort';

interface Row {
  id: string;
  per?: number;
}
const rows: Row[] = [
  { id: 'eui-10', per: 0.1 },
  { id: 'eui-9' },
  { id: 'eui-2', per: 0.25 },
  { id: 'eui-1', per: 0.1 },
];
const per: SortColumn<Row> = { label: 'PER', numeric: true, first: 'desc', value: (r) => r.per };
const id: SortColumn<Row> = { label: 'device', first: 'asc', value: (r) => r.id };

describe('sorting a health table', () => {
  it('puts the worst first on the first click, rows without a value last, ties in their order', () => {
    expect(sortRows(rows, per, 'desc').map((r) => r.id)).toEqual(['eui-2', 'eui-10', 'eui-1', 'eui-9']);
    expect(sortRows(rows, per, 'asc').map((r) => r.id)).toEqual(['eui-10', 'eui-1', 'eui-2', 'eui-9']);
  });

  it('orders IDs as people count: eui-2 before eui-10', () => {
    expect(sortRows(rows, id, 'asc').map((r) => r.id)).toEqual(['eui-1', 'eui-2', 'eui-9', 'eui-10']);
  });

  it('a click on another column starts in its first direction; a click on the same one flips it', () => {
    expect(nextSort(undefined, 'per', 'desc')).toEqual({ key: 'per', dir: 'desc' });
    expect(nextSort({ key: 'per', dir: 'desc' }, 'per', 'desc')).toEqual({ key: 'per', dir: 'asc' });
    expect(nextSort({ key: 'per', dir: 'asc' }, 'id', 'asc')).toEqual({ key: 'id', dir: 'asc' });
  });

  it('leaves the rows it was given as they were', () => {
    const before = rows.map((r) => r.id);
    sortRows(rows, per, 'desc');
    expect(rows.map((r) => r.id)).toEqual(before);
  });
});
