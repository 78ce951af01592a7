import { describe, expect, it } from 'vitest';
import { durationText } from '../../../../../src-main/shared/domain/lorawan.js';

describe('durationText', () => {
  it('reads protobuf JSON durations (the server airtime) in milliseconds or seconds', () => {
    expect(durationText('0.051456s')).toBe('51.456 ms');
    expect(durationText('0.174336s')).toBe('174.336 ms');
    expect(durationText('0.000400s')).toBe('0.4 ms');
    expect(durationText('0s')).toBe('0 ms');
    expect(durationText('1.482752s')).toBe('1.483 s');
    expect(durationText('2s')).toBe('2 s');
    expect(durationText('0.000000001s')).toBe('0 ms');
  });

  it('shows anything else as the server sent it', () => {
    for (const odd of ['51ms', '-0.5s', '0.0000000001s', '', 'soon']) expect(durationText(odd)).toBe(odd);
  });
});
