/**
 * The uplinks a LoRaWAN 1.1 downlink with ACK may answer. Its MIC signs the FCnt of the uplink it
 * acknowledges (ConfFCnt: The Things Stack takes the uplink being answered, pkg/networkserver/downlink.go),
 * which the downlink does not carry; the app only knows the uplinks it happened to decode, so these are
 * candidates to try, never a counter to judge the MIC by.
 */

/** Frames kept per device: enough for the uplinks between two downlinks, bounded for long captures. */
const MAX_FRAMES = 256;
/** Candidates tried per downlink: each costs one AES-CMAC. */
const MAX_CANDIDATES = 16;

interface Seen {
  ms: number;
  up: boolean;
  fCnt: number;
}

export class AckCandidates {
  readonly #frames = new Map<string, Seen[]>();

  /** Remember a data frame whose MIC checked (time order, so frames opened in any order agree). */
  record(device: string, ms: number, up: boolean, fCnt: number): void {
    let list = this.#frames.get(device);
    if (!list) this.#frames.set(device, (list = []));
    if (list.some((s) => s.ms === ms && s.up === up && s.fCnt === fCnt)) return;
    let at = list.length;
    while (at > 0 && list[at - 1]!.ms > ms) at--;
    list.splice(at, 0, { ms, up, fCnt });
    if (list.length > MAX_FRAMES) list.shift();
  }

  /** The 16-bit counters of the uplinks decoded before `ms` and after the device's previous downlink, newest first. */
  before(device: string, ms: number): number[] {
    const out: number[] = [];
    const list = this.#frames.get(device) ?? [];
    for (let i = list.length - 1; i >= 0 && out.length < MAX_CANDIDATES; i--) {
      const s = list[i]!;
      if (s.ms >= ms) continue;
      if (!s.up) break;
      if (!out.includes(s.fCnt & 0xffff)) out.push(s.fCnt & 0xffff);
    }
    return out;
  }
}
