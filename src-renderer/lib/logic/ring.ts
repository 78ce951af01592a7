/** Append `incoming` to `prev` keeping at most `capacity` newest items; returns a new array. */
export function appendBounded<T>(prev: readonly T[], incoming: readonly T[], capacity: number): T[] {
  const total = prev.length + incoming.length;
  if (total <= capacity) return prev.concat(incoming);
  const dropPrev = Math.min(prev.length, total - capacity);
  return prev.slice(dropPrev).concat(incoming.slice(Math.max(0, incoming.length - capacity)));
}
