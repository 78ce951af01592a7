/** Which column a health table is sorted by (none: main's order), and its rows in that order. */
import { nextSort, sortRows, type Sort, type SortColumn, type SortDir } from '../logic/table-sort';

export class TableSort<K extends string, T> {
  sort = $state<Sort<K> | undefined>(undefined);

  constructor(readonly columns: Record<K, SortColumn<T>>) {}

  /** `list` in the chosen order; as it is until a header is clicked. */
  rows(list: readonly T[]): readonly T[] {
    const s = this.sort;
    return s ? sortRows(list, this.columns[s.key], s.dir) : list;
  }

  click(key: K): void {
    this.sort = nextSort(this.sort, key, this.columns[key].first);
  }

  dirOf(key: K): SortDir | undefined {
    return this.sort?.key === key ? this.sort.dir : undefined;
  }

  /** The columns in their order, with their keys. */
  get list(): [K, SortColumn<T>][] {
    return Object.entries(this.columns) as [K, SortColumn<T>][];
  }
}
