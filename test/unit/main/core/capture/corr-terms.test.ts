import { describe, expect, it } from 'vitest';
import { CorrKeys } from '../../../../../src-main/core/capture/corr-key.js';
import { CorrTerms } from '../../../../../src-main/core/capture/corr-terms.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** `count` IDs of a few classes, ULID-shaped, and a few of other shapes (kept as strings). */
function ids(count: number): string[] {
  let seed = 3;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const classes = ['as:up:', 'gs:uplink:', 'rpc:/ttn.lorawan.v3.GsNs/HandleUplink:', 'gs:conn:'];
  return Array.from({ length: count }, (_, i) => {
    if (i % 97 === 0) return `odd-${i}`;
    let t = 1_764_000_000_000 + i * 7;
    let time = '';
    for (let c = 0; c < 10; c++, t = Math.floor(t / 32)) time = CROCKFORD[t % 32] + time;
    const tail = Array.from({ length: 16 }, () => CROCKFORD[Math.floor(rand() * 32)]).join('');
    return `${classes[i % classes.length]}${time}${tail}`;
  });
}

describe('CorrTerms', () => {
  it('reads back every ID by its term, far past the texts it keeps, before and after sealing', () => {
    const terms = new CorrTerms(new CorrKeys());
    const all = ids(5_000);
    const byTerm = all.map((id) => terms.id(id));
    expect(new Set(byTerm).size).toBe(all.length);
    // The ULID-shaped ones pack as records (ten-byte keys); the odd ones are kept as strings.
    expect(all.filter((id) => new CorrKeys().key(id)?.length === 10)).toHaveLength(
      all.length - Math.ceil(all.length / 97),
    );
    // Read in page order (repeats close together) and in no order, so kept texts are hit and replaced.
    for (let i = 0; i < all.length; i++) {
      expect(terms.str(byTerm[i]!)).toBe(all[i]);
      expect(terms.str(byTerm[Math.max(0, i - 3)]!)).toBe(all[Math.max(0, i - 3)]);
    }
    for (let i = 0; i < all.length; i += 7)
      expect(terms.str(byTerm[(i * 31) % all.length]!)).toBe(all[(i * 31) % all.length]);
    terms.seal();
    for (let i = all.length - 1; i >= 0; i--) expect(terms.str(byTerm[i]!)).toBe(all[i]);
    expect(terms.find(all[1234]!)).toBe(byTerm[1234]);
  });
});
