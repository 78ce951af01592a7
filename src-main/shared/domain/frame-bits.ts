/**
 * A frame header's cheap bits packed in one byte for the capture index and the query language (#18):
 * the message type (its MHDR code + 1, so 0 means "no frame"), FCtrl ADR and ACK. They come free with
 * the header parse the summary already does; anything deeper is decoded in main on demand.
 */
export const MTYPE_NAMES = [
  'JOIN_REQUEST',
  'JOIN_ACCEPT',
  'UNCONFIRMED_UP',
  'UNCONFIRMED_DOWN',
  'CONFIRMED_UP',
  'CONFIRMED_DOWN',
  'REJOIN_REQUEST',
  'PROPRIETARY',
] as const;

const MTYPE_MASK = 0x0f;
export const FRAME_ADR = 0x10;
export const FRAME_ACK = 0x20;
/** ADR and ACK are known (a data frame's header was read). */
export const FRAME_FCTRL = 0x40;

export function packFrameBits(mType: string | undefined, adr: boolean | undefined, ack: boolean | undefined): number {
  const code = mType ? (MTYPE_NAMES as readonly string[]).indexOf(mType) : -1;
  let bits = code >= 0 ? code + 1 : 0;
  if (adr !== undefined || ack !== undefined) bits |= FRAME_FCTRL | (adr ? FRAME_ADR : 0) | (ack ? FRAME_ACK : 0);
  return bits;
}

/** The message type of packed bits, if any. */
export function frameMType(bits: number | undefined): string | undefined {
  const code = (bits ?? 0) & MTYPE_MASK;
  return code ? MTYPE_NAMES[code - 1] : undefined;
}

/** FCtrl ADR or ACK of packed bits; undefined when the entry has no data frame header. */
export function frameFlag(bits: number | undefined, flag: typeof FRAME_ADR | typeof FRAME_ACK): boolean | undefined {
  if (!bits || !(bits & FRAME_FCTRL)) return undefined;
  return (bits & flag) !== 0;
}
