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
 * Count frames, retransmissions and missing frames. `transmissions` and `joins` (times of accepted joins)
 * may be in any order; they are sorted by time here.
 */
export function countFrames(
  transmissions: readonly Transmission[],
  joins: readonly number[],
  gaps: readonly GapWindow[],
): FrameCount {
  const tx = [...transmissions].sort((a, b) => a.ms - b.ms);
  const joinTimes = [...joins].sort((a, b) => a - b);
  const out: FrameCount = {
    frames: 0,
    retransmissions: 0,
    lost: 0,
    unknown: 0,
    per: 0,
    sessions: tx.length ? 1 : 0,
    holes: [],
  };
  let j = 0;
  let prev: { ms: number; fCnt: number } | undefined;
  /** Set after an observed join: the session's counter starts at 0 at this time. */
  let joinedAt: number | undefined;
  const missing = (fromMs: number, toMs: number, afterFCnt: number, count: number) => {
    if (count <= 0) return;
    const unknown = overlapsGap(fromMs, toMs, gaps);
    if (unknown) out.unknown += count;
    else out.lost += count;
    out.holes.push({ ms: toMs, afterFCnt, count, unknown });
  };
  for (const t of tx) {
    // Joins accepted before this transmission start a new session.
    while (j < joinTimes.length && joinTimes[j]! <= t.ms) {
      joinedAt = joinTimes[j++]!;
      if (prev) out.sessions++;
      prev = undefined;
    }
    if (out.fCntFirst === undefined) out.fCntFirst = t.fCnt;
    out.fCntLast = t.fCnt;
    if (!prev) {
      out.frames++;
      // The first frame after an observed join should be 0: the ones before it were sent and not seen.
      if (joinedAt !== undefined && t.fCnt <= MAX_JUMP) missing(joinedAt, t.ms, -1, t.fCnt);
      joinedAt = undefined;
      prev = t;
      continue;
    }
    let delta = t.fCnt - prev.fCnt;
    if (delta < 0 && prev.fCnt < WRAP && t.fCnt < WRAP) {
      const wrapped = (delta + WRAP) % WRAP;
      // Close to the top going to close to the bottom: the 16-bit counter rolled over.
      if (wrapped <= MAX_JUMP && prev.fCnt >= WRAP - MAX_JUMP) delta = wrapped;
    }
    if (delta === 0) {
      out.retransmissions++;
      continue;
    }
    out.frames++;
    if (delta < 0 || delta > MAX_JUMP) {
      // A reset without a join, or a jump we cannot believe: a new session, nothing counted missing.
      out.sessions++;
    } else {
      missing(prev.ms, t.ms, prev.fCnt, delta - 1);
    }
    prev = t;
  }
  const judged = out.frames + out.lost;
  out.per = judged > 0 ? Math.round((out.lost / judged) * 10_000) / 10_000 : 0;
  return out;
}
