import { describe, expect, it } from 'vitest';
import { gridTemplate, visibleColumns } from '../../../../src-renderer/lib/logic/columns.js';
import { DEFAULT_PREFERENCES, normalizePreferences } from '../../../../src-main/shared/domain/preferences.js';

describe('event list columns', () => {
  it('shows time, the chosen columns around the event name, and leaves the rest to the preview', () => {
    const p = normalizePreferences({ ...DEFAULT_PREFERENCES, columns: ['rssi', 'entity', 'fCnt'] });
    expect(visibleColumns(p)).toEqual(['time', 'entity', 'name', 'fCnt', 'rssi']);
    expect(gridTemplate(p)).toMatch(/ minmax\(160px, 1fr\)$/);
  });

  it('keeps a width the user dragged, within bounds, and lets columns give way to the preview', () => {
    const p = normalizePreferences({ ...DEFAULT_PREFERENCES, columnWidths: { name: 300, entity: 5, bogus: 100 } });
    expect(p.columnWidths).toEqual({ name: 300, entity: 40 });
    expect(gridTemplate(p)).toContain('minmax(150px, 300px)');
  });
});

describe('preferences from a file or the renderer', () => {
  it('falls back per field: a bad split keeps the theme', () => {
    const p = normalizePreferences({
      theme: 'dark',
      split: 7,
      columns: ['nope', 'snr'],
      // Thresholds moved to main's settings (#16): an old file's are left out, not an error.
      rssi: { good: -120, poor: -100 },
    });
    expect(p.theme).toBe('dark');
    expect(p.split).toBe(DEFAULT_PREFERENCES.split);
    expect(p.columns).toEqual(['snr']);
    expect(p).not.toHaveProperty('rssi');
  });
});
