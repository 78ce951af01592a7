/**
 * A join-accept's CFList in words: five channel frequencies (CFListType 0), the channels a fixed-plan
 * region's masks enable (type 1), and an unknown type named with its bytes rather than guessed at.
 */
import { describe, expect, it } from 'vitest';
import { cfListText, decodeCfList } from '../../../../../src-main/core/frames/cf-list.js';

/** A CFList of type 0 from frequencies in Hz (24-bit little-endian, 100 Hz units), as a join server writes it. */
function frequencies(hz: number[]): Buffer {
  const b = Buffer.alloc(16);
  hz.forEach((f, i) => b.writeUIntLE(f / 100, i * 3, 3));
  return b;
}
const read = (b: Buffer) => {
  const cf = decodeCfList(b);
  return { cf, text: cfListText(cf, b) };
};

describe('CFList', () => {
  it("type 0: the five extra channels' frequencies in MHz", () => {
    const hz = [867_100_000, 867_300_000, 867_500_000, 867_700_000, 867_900_000];
    expect(read(frequencies(hz))).toEqual({
      cf: { type: 0, frequencies_hz: hz },
      text: '867.1, 867.3, 867.5, 867.7, 867.9 MHz',
    });
  });

  it('type 0: a frequency of 0 is no channel, and 62.5 kHz steps are not rounded away', () => {
    const { cf, text } = read(frequencies([865_062_500, 0, 868_800_000, 0, 0]));
    expect(cf.frequencies_hz).toEqual([865_062_500, 0, 868_800_000, 0, 0]);
    expect(text).toBe('865.0625, 868.8 MHz; 3 of 5 unused (frequency 0)');
    expect(read(Buffer.alloc(16)).text).toBe('no extra channels (all five frequencies are 0)');
  });

  it('type 1: the channels the 16-bit masks enable, as ranges', () => {
    // ChMask0 = 0xFF00 (channels 8–15), ChMask4 bit 1 (channel 65): US915's second sub-band and a 500 kHz channel.
    const b = Buffer.alloc(16);
    b.writeUInt16LE(0xff00, 0);
    b.writeUInt16LE(0x0002, 8);
    b[15] = 1;
    expect(read(b)).toEqual({
      cf: { type: 1, channels: [8, 9, 10, 11, 12, 13, 14, 15, 65] },
      text: 'channels 8–15, 65 enabled',
    });
    const none = Buffer.alloc(16);
    none[15] = 1;
    expect(read(none).text).toBe('no channels enabled');
  });

  it('another type: named as unknown, with its bytes', () => {
    const b = Buffer.from('0102030405060708090A0B0C0D0E0F02', 'hex');
    expect(read(b)).toEqual({
      cf: { type: 2 },
      text: 'CFListType 2 (unknown): 0102030405060708090A0B0C0D0E0F02',
    });
  });
});
