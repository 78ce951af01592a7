/** Reading fields of parsed server JSON without trusting their types (shared by the message readers). */

export type Json = Record<string, unknown>;

/** An object (not an array), or undefined. */
export const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;

/** A finite number, or a string holding one (proto3 JSON writes 64-bit integers as strings). */
export const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v)
    ? v
    : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))
      ? Number(v)
      : undefined;

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
