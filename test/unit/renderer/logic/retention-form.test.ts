import { describe, expect, it } from 'vitest';
import { parseRetention, retentionFields } from '../../../../src-renderer/lib/logic/retention-form';

describe('the retention form', () => {
  it('shows the limits main applies, and its defaults before main has said', () => {
    expect(retentionFields({ maxEvents: 250_000, maxBytes: 1024 ** 3 / 2 })).toEqual({ events: '250000', gb: '0.5' });
    expect(retentionFields(undefined)).toEqual({ events: '2000000', gb: '4.0' });
  });

  it('takes event counts with thousands separators and sizes in GB', () => {
    for (const typed of ['250,000', '250 000', '250_000', '250000'])
      expect(parseRetention(typed, '1')).toEqual({ maxEvents: 250_000, maxBytes: 1024 ** 3 });
    expect(parseRetention('10000', '0.5')).toEqual({ maxEvents: 10_000, maxBytes: 1024 ** 3 / 2 });
  });

  it('says what to correct instead of sending nonsense', () => {
    for (const typed of ['', 'lots', '1.5', '-3', '0'])
      expect(parseRetention(typed, '4')).toEqual({ problem: 'Enter a whole number of events.' });
    for (const typed of ['', 'big', '0', '-1'])
      expect(parseRetention('1000', typed)).toEqual({ problem: 'Enter a size in GB, e.g. 4 or 0.5.' });
  });
});
