import { describe, expect, it } from 'vitest';
import { profileInFilter, withoutProfile, withProfile } from '../../../../src-renderer/lib/logic/server-filter';
import { compileQuery } from '../../../../src-main/shared/query/query';

describe('server picker terms (#16, finding 10)', () => {
  it('adds one profile term, quoted when the name has spaces, and replaces an earlier one', () => {
    expect(withProfile('', 'TTN EU1')).toBe('profile:"TTN EU1"');
    expect(withProfile('ns.up.*', 'lab')).toBe('ns.up.* profile:lab');
    expect(withProfile('ns.up.* profile:lab rssi<-110', 'Customer X on-prem')).toBe(
      'ns.up.* rssi<-110 profile:"Customer X on-prem"',
    );
    expect(withProfile('profile:"TTN EU1" device:a', undefined)).toBe('device:a');
  });

  it('keeps the meaning of a filter with OR by putting it in parentheses first', () => {
    const f = withProfile('device:a OR device:b', 'lab');
    expect(f).toBe('(device:a OR device:b) profile:lab');
    expect(compileQuery(f, { origin: () => ({ profile: 'lab', server: 'x' }) }).ok).toBe(true);
  });

  it('reads back the profile a filter picks, and nothing for globs, negations or several terms', () => {
    expect(profileInFilter('ns.up.* profile:"TTN EU1"')).toBe('TTN EU1');
    expect(profileInFilter('profile:lab')).toBe('lab');
    expect(profileInFilter('profile:ttn*')).toBeUndefined();
    expect(profileInFilter('-profile:lab')).toBeUndefined();
    expect(profileInFilter('profile:a OR profile:b')).toBeUndefined();
    expect(profileInFilter('ns.up.*')).toBeUndefined();
    // A negated term is the user's own: the picker neither reads nor removes it.
    expect(withoutProfile('ns.up.* -profile:lab')).toBe('ns.up.* -profile:lab');
  });
});
