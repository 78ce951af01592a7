/**
 * The steps event names stand for are real releases' names: a chain is judged by what a server can
 * emit. Rejoin requests are the case in point: no release has a rejoin receive or process event.
 */
import { describe, expect, it } from 'vitest';
import { STEP_NAMES, stepOf, stepsOf } from '../../../../../src-main/shared/correlation/steps.js';
import { EVENT_HISTORY } from '../../../../../src-main/shared/tts/event-history.js';

describe('correlation steps', () => {
  it('name only events some lorawan-stack release defines (v3.0–v3.32)', () => {
    const defined = new Set(EVENT_HISTORY.map(([name]) => name));
    expect([...STEP_NAMES].filter((n) => !defined.has(n))).toEqual([]);
  });

  it("take a v3.0–v3.7 network server's rejoin request as received and then processed (dropped)", () => {
    expect(stepOf('ns.up.rejoin.drop')).toContain('ns-processed');
    const steps = stepsOf(['gs.up.receive', 'ns.up.receive', 'ns.up.rejoin.drop']);
    expect([...steps].sort()).toEqual(['gs-received', 'ns-handled', 'ns-processed', 'ns-received']);
  });
});
