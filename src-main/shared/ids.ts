/**
 * ULIDs as The Things Stack makes them (oklog/ulid: 48-bit ms time + 80 random bits, Crockford base32).
 *
 * Clock and randomness are parameters so the built-in stack is deterministic under a seed.
 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A random source returning floats in [0, 1). */
export type Random = () => number;

const CROCKFORD_CODES = Array.from(CROCKFORD, (c) => c.charCodeAt(0));
/** The last time part made: the built-in stack makes many IDs in one millisecond. */
let lastMs = NaN;
let lastTime = '';

export function ulid(timeMs: number, random: Random): string {
  if (timeMs !== lastMs) {
    let time = '';
    let t = Math.floor(timeMs);
    for (let i = 0; i < 10; i++) {
      time = CROCKFORD[t % 32] + time;
      t = Math.floor(t / 32);
    }
    lastMs = timeMs;
    lastTime = time;
  }
  // Sixteen draws in order, made into one string at once (appending a character at a time made 16 strings).
  // Arguments are evaluated left to right: the same draws in the same order as one at a time.
  const r = random;
  return (
    lastTime +
    String.fromCharCode(d(r), d(r), d(r), d(r), d(r), d(r), d(r), d(r), d(r), d(r), d(r), d(r), d(r), d(r), d(r), d(r))
  );
}

/** One random Crockford character code (a function of the module, not a closure made per ULID). */
const d = (random: Random): number => CROCKFORD_CODES[Math.floor(random() * 32)]!;

/** Milliseconds encoded in a ULID's first ten characters. */
export function ulidTime(id: string): number {
  let t = 0;
  for (let i = 0; i < 10; i++) t = t * 32 + CROCKFORD.indexOf(id[i] ?? '0');
  return t;
}

/** mulberry32: a tiny seeded PRNG, good enough for reproducible scenarios. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
