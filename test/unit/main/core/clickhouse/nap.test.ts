import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Nap } from '../../../../../src-main/core/clickhouse/nap.js';

describe('Nap: the wait between a sink loop’s polls and retries', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const settled = (p: Promise<void>) => {
    let done = false;
    void p.then(() => (done = true));
    return () => done;
  };

  it('sleeps the time asked for', async () => {
    const nap = new Nap();
    const done = settled(nap.sleep(1_000));
    await vi.advanceTimersByTimeAsync(999);
    expect(done()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done()).toBe(true);
  });

  it('ends at once when woken (new data or close), and leaves no timer behind', async () => {
    const nap = new Nap();
    const done = settled(nap.sleep(60_000));
    await vi.advanceTimersByTimeAsync(10);
    nap.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(done()).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a wake with nobody asleep does not cut the next sleep short', async () => {
    const nap = new Nap();
    nap.wake();
    const done = settled(nap.sleep(500));
    await vi.advanceTimersByTimeAsync(100);
    expect(done()).toBe(false);
    await vi.advanceTimersByTimeAsync(400);
    expect(done()).toBe(true);
  });
});
