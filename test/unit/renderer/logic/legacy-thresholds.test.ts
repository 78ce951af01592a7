import { describe, expect, it } from 'vitest';
import { legacyThresholds } from '../../../../src-renderer/lib/logic/legacy-thresholds';
import { DEFAULT_THRESHOLDS } from '../../../../src-main/shared/health/thresholds';

describe("the network view's old localStorage thresholds (#16)", () => {
  const stored = JSON.stringify({ ...DEFAULT_THRESHOLDS, rssi: { good: -95, bad: -112 } });

  it('go to main once, when main has none saved', () => {
    expect(legacyThresholds(stored, false)).toEqual({ ...DEFAULT_THRESHOLDS, rssi: { good: -95, bad: -112 } });
  });

  it('never overwrite thresholds someone already chose in main', () => {
    expect(legacyThresholds(stored, true)).toBeUndefined();
  });

  it('nothing stored, or something unreadable, migrates nothing', () => {
    expect(legacyThresholds(null, false)).toBeUndefined();
    expect(legacyThresholds('{not json', false)).toBeUndefined();
    expect(legacyThresholds('42', false)).toBeUndefined();
  });
});
