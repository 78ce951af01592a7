/**
 * Byte, key and radio-field helpers shared by the data-frame and join-frame decoders, the MAC commands
 * and the CFList (one way to write a frequency or a channel list everywhere).
 */
import type { DeviceKeys } from '../../shared/domain/frame.js';

/** Upper-case hex of bytes in the order given. */
export const hex = (b: Buffer) => b.toString('hex').toUpperCase();
/** Display form of a little-endian field (DevAddr, EUIs, nonces): most significant byte first. */
export const beHex = (b: Buffer) => hex(Buffer.from(b).reverse());
/** Wire (little-endian) bytes of a display-form hex value. */
export const wire = (displayHex: string) => Buffer.from(displayHex, 'hex').reverse();

/** A 16-byte key from hex, or undefined when absent or malformed (the keys file and the keychain are checked on entry). */
export function key(keys: DeviceKeys | undefined, name: keyof DeviceKeys): Buffer | undefined {
  const v = keys?.[name];
  return typeof v === 'string' && /^[0-9a-fA-F]{32}$/.test(v) ? Buffer.from(v, 'hex') : undefined;
}

/** Whether the keys are a LoRaWAN 1.1 session (separate network keys) rather than 1.0.x. */
export const is11Session = (keys: DeviceKeys | undefined) =>
  !!(key(keys, 'f_nwk_s_int_key') ?? key(keys, 's_nwk_s_int_key') ?? key(keys, 'nwk_s_enc_key'));

/** Frequencies are 24-bit little-endian in units of 100 Hz (MAC commands, CFList). */
export const freq = (b: Buffer, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) * 100;
/** MHz to 100 Hz, trailing zeros dropped: channels sit on 62.5 kHz steps (865.0625 MHz), not only 100 kHz. */
export const mhzNumber = (hz: unknown) => String(Number((Number(hz) / 1e6).toFixed(4)));
export const mhz = (hz: unknown) => `${mhzNumber(hz)} MHz`;

/** Channel numbers (ascending) as ranges: "0–2, 8"; "none" for none. */
export function channelRanges(on: readonly number[]): string {
  if (on.length === 0) return 'none';
  const parts: string[] = [];
  for (let i = 0; i < on.length;) {
    let j = i;
    while (j + 1 < on.length && on[j + 1] === on[j]! + 1) j++;
    parts.push(j > i ? `${on[i]}–${on[j]}` : String(on[i]));
    i = j + 1;
  }
  return parts.join(', ');
}

/** Channels enabled by a 16-bit mask, as ranges: "0–2, 8". */
export function channelList(mask: number, base = 0): string {
  const on: number[] = [];
  for (let i = 0; i < 16; i++) if (mask & (1 << i)) on.push(base + i);
  return channelRanges(on);
}
