/**
 * Byte and key helpers shared by the data-frame and join-frame decoders.
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
