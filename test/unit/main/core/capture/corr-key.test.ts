import { describe, expect, it } from 'vitest';
import { CorrKeys } from '../../../../../src-main/core/capture/corr-key.js';

describe('compact correlation-ID keys', () => {
  it('round-trips every shape of ID and makes `<class>:<ULID>` ten characters', () => {
    const keys = new CorrKeys();
    const ids = [
      'gs:uplink:01KDVDNA0059VWJN66MGS79Y8W',
      'rpc:/ttn.lorawan.v3.GsNs/HandleUplink:01KDVDNA00G3VAQWGNRM9839ZJ',
      'as:up:7ZZZZZZZZZZZZZZZZZZZZZZZZZ',
      'as:up:01kdvdna0059vwjn66mgs79y8w',
      'plain',
      'x:short',
      '\ue001odd',
      '\uf000odd',
      ':01KDVDNA0059VWJN66MGS79Y8W',
      '',
    ];
    for (const id of ids) expect(keys.id(keys.key(id)!)).toBe(id);
    expect(keys.key(ids[1]!)).toHaveLength(10);
    expect(new Set(ids.map((id) => keys.key(id))).size).toBe(ids.length);
  });

  it('finds without adding: an unknown class has no key', () => {
    const keys = new CorrKeys();
    expect(keys.key('ns:uplink:01KDVDNA0059VWJN66MGS79Y8W', false)).toBeUndefined();
    const k = keys.key('ns:uplink:01KDVDNA0059VWJN66MGS79Y8W');
    expect(keys.key('ns:uplink:01KDVDNA0059VWJN66MGS79Y8W', false)).toBe(k);
  });
});
