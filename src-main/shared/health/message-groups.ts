/**
 * Grouping entries into messages, one entry at a time: the rules of `assembleMessages` (`linkDecision`'s
 * classes: only message-class IDs link, never across two devices or two uplink frame counters of one
 * device, never across more than `MAX_MESSAGE_SPAN_MS`), kept as state so main can group a capture as
 * it grows and drop what retention removed, instead of grouping the whole list again per batch.
 * A group holds member ids only; rows are laid out from the entries when a view asks for them.
 */
import type { EventSummary } from '../domain/summary.js';
import { deviceKey, isLinkingId, MAX_MESSAGE_SPAN_MS } from '../correlation/chain.js';
import { sameFrameCounter } from '../domain/message.js';

/** What grouping reads of an entry: a summary, or the index's row view. */
export type GroupInput = Pick<
  EventSummary,
  'id' | 'kind' | 'name' | 'ms' | 'direction' | 'entity' | 'entityKind' | 'application' | 'fCnt' | 'correlationIds'
>;

export interface MessageGroup {
  /** Member ids, in the order they were added. */
  ids: number[];
  /** The earliest member (time, then id): the message is named by it. */
  firstMs: number;
  firstId: number;
  lastMs: number;
  device?: string;
  upFCnt?: number;
  /** A member carries a direction (a frame): only such groups are messages. */
  framed: boolean;
  /** Set when merged into another group (which now holds its members). */
  into?: MessageGroup;
  /**
   * The device's previous uplink carried the same frame counter: the device sent the frame again (ADR's
   * NbTrans, or a confirmed uplink not yet acknowledged), which the Network Server processes but forwards once.
   */
  retransmission?: boolean;
}

/** How long after an uplink the same counter of the device is taken as a retransmission, not a reset. */
const RETRANSMISSION_MS = 10 * 60_000;

/** The group a (possibly merged) group now lives in. */
export function rootOf(g: MessageGroup): MessageGroup {
  let r = g;
  while (r.into) r = r.into;
  if (g.into && g.into !== r) g.into = r;
  return r;
}

/** Whether an entry is part of a message (a frame, or a step a message takes). */
export function isMessageEvent(s: Pick<EventSummary, 'kind' | 'direction' | 'name'>): boolean {
  if (s.kind !== 'event') return false;
  if (s.direction) return true;
  return /^(gs\.(up|down|txack)|ns\.(up|down)|as\.(up|down)|js\.join|pba\.)/.test(s.name);
}

interface Facts {
  firstMs: number;
  lastMs: number;
  device?: string | undefined;
  upFCnt?: number | undefined;
}

function compatible(a: Facts, b: Facts): boolean {
  if (a.device && b.device && a.device !== b.device) return false;
  if (a.upFCnt !== undefined && b.upFCnt !== undefined && !sameFrameCounter(a.upFCnt, b.upFCnt)) return false;
  return Math.max(a.lastMs, b.lastMs) - Math.min(a.firstMs, b.firstMs) <= MAX_MESSAGE_SPAN_MS;
}

const before = (ms: number, id: number, g: MessageGroup) => ms < g.firstMs || (ms === g.firstMs && id < g.firstId);

/** IDs older than this behind the newest entry can no longer link (the span rule): forgotten. */
const FORGET_MS = MAX_MESSAGE_SPAN_MS * 2;

export class MessageGrouper {
  /** Each device's newest uplink message and its counter (one per device). */
  #lastUplink = new Map<string, { fCnt: number; ms: number; group: MessageGroup }>();
  /** Linking ID → the group that last took it. */
  #byId = new Map<string, MessageGroup>();
  #sweepAt = 10_000;
  /** Groups in creation order; merged ones stay until the next `groups()`. */
  #groups: MessageGroup[] = [];
  #merged = 0;
  #newestMs = -Infinity;
  /** Since `takeChanges`: groups made or newly framed, the earliest time whose order may have moved, a reset. */
  #fresh: MessageGroup[] = [];
  #dirtyFromMs = Infinity;
  #reset = false;
  /** Called when `other` is merged into `target` (a filter's matches follow). */
  onMerge: (target: MessageGroup, other: MessageGroup) => void = () => undefined;

  /** Add one entry; its group (a root), or undefined for an entry that is not part of a message. */
  add(s: GroupInput): MessageGroup | undefined {
    if (!isMessageEvent(s)) return undefined;
    const ms = s.ms;
    const id = s.id;
    const dev = deviceKey(s);
    const fc = s.direction === 'up' && dev && s.fCnt !== undefined ? s.fCnt : undefined;
    const ids = s.correlationIds.filter((c) => isLinkingId(c) && !c.startsWith('rpc:'));
    const probe: Facts = { firstMs: ms, lastMs: ms, device: dev, upFCnt: fc };
    let home: MessageGroup | undefined;
    for (const c of ids) {
      const g = this.#byId.get(c);
      if (!g) continue;
      const r = rootOf(g);
      if (!compatible(r, probe)) continue;
      if (!home) home = r;
      else if (home !== r && compatible(home, r)) this.#merge(home, r);
    }
    if (!home) {
      home = { ids: [], firstMs: ms, firstId: id, lastMs: ms, framed: false };
      this.#groups.push(home);
      this.#fresh.push(home);
      this.#mark(ms);
    }
    home.ids.push(id);
    if (before(ms, id, home)) {
      home.firstMs = ms;
      home.firstId = id;
      this.#mark(ms);
    }
    if (ms > home.lastMs) home.lastMs = ms;
    if (s.direction && !home.framed) {
      home.framed = true;
      this.#fresh.push(home);
      this.#mark(home.firstMs);
    }
    if (dev) home.device ??= dev;
    if (fc !== undefined && home.upFCnt === undefined) {
      home.upFCnt = fc;
      this.#noteUplink(dev!, fc, ms, home);
    }
    for (const c of ids) {
      const g = this.#byId.get(c);
      // An ID seen again long after (a long-lived ID the class rules do not know) starts over.
      if (!g || rootOf(g) !== home) this.#byId.set(c, home);
    }
    if (ms > this.#newestMs) this.#newestMs = ms;
    if (this.#byId.size >= this.#sweepAt) this.#sweep();
    return home;
  }

  /** The device's uplinks by counter, in arrival order: the same counter again soon after is a retransmission. */
  #noteUplink(dev: string, fCnt: number, ms: number, group: MessageGroup): void {
    const last = this.#lastUplink.get(dev);
    if (
      last &&
      rootOf(last.group) !== group &&
      sameFrameCounter(last.fCnt, fCnt) &&
      Math.abs(ms - last.ms) <= RETRANSMISSION_MS
    )
      group.retransmission = true;
    this.#lastUplink.set(dev, { fCnt, ms, group });
  }

  #mark(ms: number): void {
    if (ms < this.#dirtyFromMs) this.#dirtyFromMs = ms;
  }

  /**
   * What changed since the last call, for a caller keeping the groups sorted by their first event: the
   * groups made or newly framed, and the earliest first-event time at or after which the order may have
   * moved (a new group, a merge, an earlier member); `reset` when retention changed everything.
   */
  takeChanges(): { fresh: MessageGroup[]; fromMs: number; reset: boolean } {
    const out = { fresh: this.#fresh, fromMs: this.#dirtyFromMs, reset: this.#reset };
    this.#fresh = [];
    this.#dirtyFromMs = Infinity;
    this.#reset = false;
    return out;
  }

  #merge(target: MessageGroup, other: MessageGroup): void {
    this.#mark(other.firstMs);
    if (other.framed && !target.framed) this.#fresh.push(target);
    other.into = target;
    for (const id of other.ids) target.ids.push(id);
    other.ids = [];
    target.device ??= other.device;
    target.upFCnt ??= other.upFCnt;
    target.retransmission ||= other.retransmission;
    target.framed ||= other.framed;
    if (before(other.firstMs, other.firstId, target)) {
      target.firstMs = other.firstMs;
      target.firstId = other.firstId;
    }
    target.lastMs = Math.max(target.lastMs, other.lastMs);
    this.#mark(target.firstMs);
    // Merged groups leave the list now and then (not at every merge: that would cost the list each time).
    if (++this.#merged > 1000 && this.#merged * 2 > this.#groups.length) this.groups();
    this.onMerge(target, other);
  }

  /** Forget IDs whose message ended too long ago to take another entry (memory stays bounded by the live end). */
  #sweep(): void {
    const horizon = this.#newestMs - FORGET_MS;
    for (const [c, g] of this.#byId) if (rootOf(g).lastMs < horizon) this.#byId.delete(c);
    this.#sweepAt = Math.max(10_000, this.#byId.size * 2);
  }

  /** The groups (not merged away), in the order they were made. */
  groups(): MessageGroup[] {
    if (this.#merged > 0) {
      this.#groups = this.#groups.filter((g) => !g.into);
      this.#merged = 0;
    }
    return this.#groups;
  }

  /**
   * Keep only members `keep` accepts (retention removed the others): a group left empty goes, one that
   * lost its first members is named by its earliest remaining one (`msOf` gives a member's time).
   */
  retain(keep: (id: number) => boolean, msOf: (id: number) => number): void {
    const out: MessageGroup[] = [];
    for (const g of this.groups()) {
      if (g.ids.every(keep)) {
        out.push(g);
        continue;
      }
      g.ids = g.ids.filter(keep);
      if (g.ids.length === 0) {
        g.lastMs = -Infinity;
        continue;
      }
      g.firstMs = Infinity;
      g.lastMs = -Infinity;
      for (const id of g.ids) {
        const ms = msOf(id);
        if (before(ms, id, g)) {
          g.firstMs = ms;
          g.firstId = id;
        }
        g.lastMs = Math.max(g.lastMs, ms);
      }
      out.push(g);
    }
    this.#groups = out;
    this.#reset = true;
    // Emptied groups have lastMs -Infinity: the sweep forgets their IDs.
    for (const [c, g] of this.#byId) if (rootOf(g).ids.length === 0) this.#byId.delete(c);
  }
}
