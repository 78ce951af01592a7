import { describe, expect, it } from 'vitest';
import { deltaText } from '../../../../src-renderer/lib/logic/chain-layout';

describe('deltaText', () => {
  it('says how far apart two events are in the unit that fits, down to nanoseconds', () => {
    // One server's events of an uplink can be under a microsecond apart: not "+0 µs".
    expect(deltaText(0.00035)).toBe('+350 ns');
    expect(deltaText(0)).toBe('+0 ns');
    expect(deltaText(0.0042)).toBe('+4 µs');
    expect(deltaText(0.76)).toBe('+760 µs');
    expect(deltaText(2.74)).toBe('+2.7 ms');
    expect(deltaText(29.4)).toBe('+29 ms');
    expect(deltaText(4_600)).toBe('+4.6 s');
    expect(deltaText(42_000)).toBe('+42 s');
    expect(deltaText(180_000)).toBe('+3 min');
  });

  it('never rounds up to a thousand of a unit: the next unit takes over', () => {
    expect(deltaText(0.0009998)).toBe('+1 µs');
    expect(deltaText(0.9998)).toBe('+1.0 ms');
    expect(deltaText(9.97)).toBe('+10 ms');
    expect(deltaText(999.7)).toBe('+1.0 s');
    expect(deltaText(9_970)).toBe('+10 s');
    expect(deltaText(59_700)).toBe('+1 min');
  });
});
