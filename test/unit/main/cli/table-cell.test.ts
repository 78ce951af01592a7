import { describe, expect, it } from 'vitest';
import { cell } from '../../../../src-main/cli/table-cell.js';

describe('a text table cell', () => {
  it('pads what fits: text and IDs to the left, numbers to the right', () => {
    expect(cell('gs.up.receive', 16)).toBe('gs.up.receive   ');
    expect(cell('eui-1', 8, 'id')).toBe('eui-1   ');
    expect(cell(-118, 6, 'number')).toBe('  -118');
    expect(cell(undefined, 3)).toBe('   ');
    expect(cell(null, 3, 'number')).toBe('   ');
  });

  it('cuts an ID at its start, a name and a number at their end, each to exactly its width', () => {
    expect(cell('demo-app/eui-70b3d57ed0000001', 20, 'id')).toBe('…ui-70b3d57ed0000001');
    expect(cell('ns.mac.device_mode.confirmation', 30)).toBe('ns.mac.device_mode.confirmati…');
    expect(cell(1234567, 6, 'number')).toBe('12345…');
  });
});
