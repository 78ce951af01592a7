/**
 * Frame-counter accounting for one device: how many frames it sent that the capture saw, how many are
 * missing, and whether a missing frame was lost on the radio or simply not captured.
 *
 * - A frame is one FCnt of one session; a second transmission of the same FCnt (NbTrans, a confirmed
 *   retry) is a retransmission, not a new frame.
 * - A join starts a new session: the counter restarts at 0, and the frames before the first one seen
 *   after the join are missing (the device sent them after it joined).
 * - The 16-bit counter on the air rolls over from 65535 to 0: that is the next frame, not a reset.
 * - A counter that goes back without a join (an ABP device reset) or jumps by more than `MAX_JUMP` starts
 *   a new session and counts nothing missing: we cannot tell what happened.
 * - Missing frames between two frames whose interval overlaps a capture gap (the stream was down or the
 *   server's buffer dropped events) are `unknown`, never `lost`: the radio may well have delivered them.
 */

/** A gap in the capture: events between these times may not be in it. */
export interface GapWindow {
  fromMs: number;
  toMs: number;
  /** The stream that had the gap; a gap applies to the devices whose events that stream delivers. Absent: every stream. */
  streamId?: string;
}

/** One transmission of an uplink as the capture saw it. */
export interface Transmission {
  ms: number;
  fCnt: number;
}

export interface FrameCount {
  /** Distinct frames received (retransmissions not counted again). */
  frames: number;
  retransmissions: number;
  /** Missing frames outside capture gaps: lost between device and network. */
  lost: number;
  /** Missing frames inside capture gaps: the capture cannot say. */
  unknown: number;
  /** lost / (frames + lost): the packet error rate over what the capture can judge; 0 with no frames. */
  per: number;
  fCntFirst?: number;
  fCntLast?: number;
  /** Sessions seen: 1 + joins and counter resets inside the capture. */
  sessions: number;
  /** Each hole: after which frame, how many, and whether lost or unknown (for the timeline). */
  holes: { ms: number; afterFCnt: number; count: number; unknown: boolean }[];
}

/** Larger forward jumps are treated as a counter reset rather than thousands of lost frames. */
export const MAX_JUMP = 16_384;
const WRAP = 65_536;

function overlapsGap(fromMs: number, toMs: number, gaps: readonly GapWindow[]): boolean {
  for (const g of gaps) if (g.fromMs <= toMs && g.toMs >= fromMs) return true;
  return false;
}

/**
 * The frame counter of one device fed in time order, one transmission or accepted join at a time, so a
 * list over a growing capture costs its holes, not its frames. `add`/`join` return false when the entry
 * is older than one already counted (a stream delivering late): the caller then starts a new tracker
 * and feeds it everything in time order (`countFrames` does exactly that). Holes are judged lost or
 * unknown only when asked (`result`), against the gaps known then: a gap is often recorded after the
 * frames around it.
 */
export class FrameTracker {
  #frames = 0;
  #retransmissions = 0;
  #sessions = 0;
  #fCntFirst: number | undefined;
  #fCntLast: number | undefined;
  readonly #holes: { fromMs: number; ms: number; afterFCnt: number; count: number }[] = [];
  #prev: Transmission | undefined;
  /** Set after an observed join: the session's counter starts at 0 at this time. */
  #joinedAt: number | undefined;
  /** Joins not yet followed by a transmission, oldest first (a join with no frame after it changes nothing). */
  readonly #pending: number[] = [];
  #lastTxMs = -Infinity;

  /** An accepted join at `ms`. */
  join(ms: number): boolean {
    if (ms <= this.#lastTxMs) return false;
    const at = this.#pending.length;
    if (at > 0 && this.#pending[at - 1]! > ms) {
      this.#pending.push(ms);
      this.#pending.sort((a, b) => a - b);
    } else this.#pending.push(ms);
    return true;
  }

  add(t: Transmission): boolean {
    if (t.ms < this.#lastTxMs) return false;
    this.#lastTxMs = t.ms;
    // Joins accepted before this transmission start a new session.
    let used = 0;
    while (used < this.#pending.length && this.#pending[used]! <= t.ms) {
      this.#joinedAt = this.#pending[used++]!;
      if (this.#prev) this.#sessions++;
      this.#prev = undefined;
    }
    if (used) this.#pending.splice(0, used);
    if (this.#sessions === 0) this.#sessions = 1;
    if (this.#fCntFirst === undefined) this.#fCntFirst = t.fCnt;
    this.#fCntLast = t.fCnt;
    const prev = this.#prev;
    if (!prev) {
      this.#frames++;
      // The first frame after an observed join should be 0: the ones before it were sent and not seen.
      if (this.#joinedAt !== undefined && t.fCnt <= MAX_JUMP) this.#missing(this.#joinedAt, t.ms, -1, t.fCnt);
      this.#joinedAt = undefined;
      this.#prev = t;
      return true;
    }
    let delta = t.fCnt - prev.fCnt;
    if (delta < 0 && prev.fCnt < WRAP && t.fCnt < WRAP) {
      const wrapped = (delta + WRAP) % WRAP;
      // Close to the top going to close to the bottom: the 16-bit counter rolled over.
      if (wrapped <= MAX_JUMP && prev.fCnt >= WRAP - MAX_JUMP) delta = wrapped;
    }
    if (delta === 0) {
      this.#retransmissions++;
      return true;
    }
    this.#frames++;
    // A reset without a join, or a jump we cannot believe: a new session, nothing counted missing.
    if (delta < 0 || delta > MAX_JUMP) this.#sessions++;
    else this.#missing(prev.ms, t.ms, prev.fCnt, delta - 1);
    this.#prev = t;
    return true;
  }

  #missing(fromMs: number, ms: number, afterFCnt: number, count: number): void {
    if (count > 0) this.#holes.push({ fromMs, ms, afterFCnt, count });
  }

  /** The count so far, holes judged against `gaps`. */
  result(gaps: readonly GapWindow[]): FrameCount {
    const out: FrameCount = {
      frames: this.#frames,
      retransmissions: this.#retransmissions,
      lost: 0,
      unknown: 0,
      per: 0,
      sessions: this.#sessions,
      holes: [],
    };
    if (this.#fCntFirst !== undefined) out.fCntFirst = this.#fCntFirst;
    if (this.#fCntLast !== undefined) out.fCntLast = this.#fCntLast;
    for (const h of this.#holes) {
      const unknown = overlapsGap(h.fromMs, h.ms, gaps);
      if (unknown) out.unknown += h.count;
      else out.lost += h.count;
      out.holes.push({ ms: h.ms, afterFCnt: h.afterFCnt, count: h.count, unknown });
    }
    const judged = out.frames + out.lost;
    out.per = judged > 0 ? Math.round((out.lost / judged) * 10_000) / 10_000 : 0;
    return out;
  }
}

/**
 * The packet error rate, or undefined when the capture holds no frame of the device to judge: its `per` is
 * then 0, which a table would show (and sort) as a perfect 0.0 %.
 */
export function perOf(f: { per: number; lost: number }, received: number): number | undefined {
  return received + f.lost > 0 ? f.per : undefined;
}

/** The packet error rate as a person reads it: "—" when there is none (`perOf`). */
export function perText(f: { per: number; lost: number }, received: number): string {
  const per = perOf(f, received);
  return per === undefined ? '—' : `${(per * 100).toFixed(1)}%`;
}

/**
 * Count frames, retransmissions and missing frames. `transmissions` and `joins` (times of accepted joins)
 * may be in any order; they are sorted by time here.
 */
export function countFrames(
  transmissions: readonly Transmission[],
  joins: readonly number[],
  gaps: readonly GapWindow[],
): FrameCount {
  return trackerOf(transmissions, joins).result(gaps);
}

/** A tracker fed `transmissions` and `joins` in time order (a join at a frame's time comes before it). */
export function trackerOf(transmissions: readonly Transmission[], joins: readonly number[]): FrameTracker {
  const tx = [...transmissions].sort((a, b) => a.ms - b.ms);
  const joinTimes = [...joins].sort((a, b) => a - b);
  const t = new FrameTracker();
  let j = 0;
  for (const x of tx) {
    while (j < joinTimes.length && joinTimes[j]! <= x.ms) t.join(joinTimes[j++]!);
    t.add(x);
  }
  while (j < joinTimes.length) t.join(joinTimes[j++]!);
  return t;
}
