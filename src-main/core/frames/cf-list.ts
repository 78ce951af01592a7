/**
 * A join-accept's CFList in words (LoRaWAN 1.0.3 §6.2.4, 1.1 §6.2.4, RP002): 16 bytes whose last is the
 * CFListType. Type 0 gives the frequencies of five more channels (regions with a dynamic channel plan:
 * EU868, AS923, IN865, …); type 1 the channel masks of the fixed-plan regions (US915, AU915, CN470). The
 * frame does not name its region, so channels are numbered as the masks number them, from 0.
 */
import type { CfList } from '../../shared/domain/frame.js';
import { channelRanges, freq, hex, mhzNumber } from './frame-bytes.js';

/** ChMask0…ChMask5, 16 bits each: CN470 uses all six (96 channels); in US915/AU915 the sixth is RFU, zero. */
const MASK_BYTES = 12;

/** The CFList read from its 16 bytes. */
export function decodeCfList(bytes: Buffer): CfList {
  const type = bytes[15] ?? 0;
  if (type === 0) return { type, frequencies_hz: [0, 1, 2, 3, 4].map((i) => freq(bytes, i * 3)) };
  if (type === 1) {
    // Each mask is little-endian, bit 0 first: channel n is bit n % 8 of byte n / 8.
    const channels: number[] = [];
    for (let n = 0; n < MASK_BYTES * 8; n++) if (bytes[n >> 3]! & (1 << (n & 7))) channels.push(n);
    return { type, channels };
  }
  return { type };
}

/** One line for the Frame tab, e.g. "867.1, 867.3, 867.5, 867.7, 867.9 MHz" or "channels 8–15, 65 enabled". */
export function cfListText(cf: CfList, bytes: Buffer): string {
  if (cf.frequencies_hz) {
    const used = cf.frequencies_hz.filter((hz) => hz > 0);
    if (used.length === 0) return 'no extra channels (all five frequencies are 0)';
    // 0 is "no channel" in that place (the device keeps none there).
    const empty = cf.frequencies_hz.length - used.length;
    return `${used.map(mhzNumber).join(', ')} MHz${empty ? `; ${empty} of 5 unused (frequency 0)` : ''}`;
  }
  if (cf.channels) return cf.channels.length ? `channels ${channelRanges(cf.channels)} enabled` : 'no channels enabled';
  return `CFListType ${cf.type} (unknown): ${hex(bytes)}`;
}
