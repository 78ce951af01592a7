/**
 * The built-in stack's fleet clock: when the scenario's flows are generated and published.
 *
 * At a set rate, a budget of events per 10 ms tick is spent in whole flows, and each flow's events are
 * published when their time comes (they are spread over the time a real stack takes: dedup window,
 * RX1/RX2, TX ack). At `Infinity` ("as fast as the clients read"), a burst is generated whenever every
 * subscriber has room for one, so the stack runs at full speed with bounded memory; otherwise the loop
 * sleeps until `wake()` (a subscriber's channel emptied, or one came or went). It used to poll with
 * setImmediate, which took a core from the client it was waiting for.
 */
import type { Scenario, StackEvent } from './scenario.js';

const byTime = (a: StackEvent, b: StackEvent) => a.ms - b.ms || (a.time < b.time ? -1 : 1);

export class FleetClock {
  #rate: number;
  #budget = 0;
  #lastTick: number;
  /** Generated events not yet due, oldest first. */
  #pending: StackEvent[] = [];
  readonly #timer: NodeJS.Timeout;
  #loop: NodeJS.Immediate | undefined;

  constructor(
    private readonly scenario: Scenario,
    private readonly clock: () => number,
    rate: number,
    private readonly publish: (events: StackEvent[]) => void,
    /** Whether someone listens and every listener's channel has room for a burst. */
    private readonly hasRoom: () => boolean,
  ) {
    this.#rate = rate;
    this.#lastTick = clock();
    this.#timer = setInterval(() => this.#tick(), 10);
    this.#timer.unref();
    this.wake();
  }

  #tick(): void {
    const now = this.clock();
    if (this.#rate === Infinity) return void (this.#lastTick = now);
    this.#budget = Math.min(this.#budget + ((now - this.#lastTick) / 1000) * this.#rate, Math.max(this.#rate, 50));
    this.#lastTick = now;
    let added = false;
    while (this.#budget >= 1) {
      const flow = this.scenario.nextFlow(true);
      this.#budget -= flow.length;
      this.#pending.push(...flow);
      added = true;
    }
    if (added) this.#pending.sort(byTime);
    let due = 0;
    while (due < this.#pending.length && this.#pending[due]!.ms <= now) due++;
    if (due > 0) {
      const batch = this.#pending.slice(0, due);
      this.#pending = this.#pending.slice(due);
      this.publish(batch);
    }
  }

  #pump(): void {
    this.#loop = undefined;
    if (this.#rate !== Infinity || !this.hasRoom()) return;
    const batch: StackEvent[] = [];
    while (batch.length < 400) for (const ev of this.scenario.nextFlow()) batch.push(ev);
    this.publish(batch);
    this.wake();
  }

  /** At full speed, generate again as soon as the event loop is free. */
  wake(): void {
    if (this.#rate === Infinity && !this.#loop) this.#loop = setImmediate(() => this.#pump());
  }

  /** Events to publish at their own time (a test's scripted flow). */
  schedule(events: StackEvent[]): void {
    this.#pending.push(...events);
    this.#pending.sort(byTime);
  }

  setRate(rate: number): void {
    this.#rate = rate;
    this.wake();
    this.#lastTick = this.clock();
  }

  close(): void {
    clearInterval(this.#timer);
    this.#rate = 0;
    this.#pending = [];
    if (this.#loop) clearImmediate(this.#loop);
  }
}
