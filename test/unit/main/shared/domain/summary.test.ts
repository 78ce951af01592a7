/** The list summary of events that carry no data: the reference samples and the real 2019 Console story. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { summarizeEvent } from '../../../../../src-main/shared/domain/summary.js';
import { compileQuery } from '../../../../../src-main/shared/query/query.js';
import { computeHealth } from '../../../../../src-main/shared/health/health.js';
import type { TtsEvent } from '../../../../../src-main/shared/tts/types.js';

const samples = JSON.parse(readFileSync('test/fixtures/sample-events.json', 'utf8')) as TtsEvent[];
const sample = (name: string) => samples.find((e) => e.name === name && e.data === undefined)!;

describe('an event without data', () => {
  it('is found by dir: as its name says, though it carries no frame', () => {
    const dirs = (name: string) =>
      ['up', 'down', 'join'].filter((d) => {
        const q = compileQuery(`dir:${d}`);
        return q.ok && q.test(summarizeEvent(sample(name), 0, 's'));
      });
    expect(dirs('gs.down.tx.success')).toEqual(['down']);
    expect(dirs('js.join.accept')).toEqual(['join']);
    expect(dirs('as.up.data.receive')).toEqual(['up']);
    expect(dirs('application.create')).toEqual([]);
    // Not a message of its own in the Messages view: it has no frame.
    expect(summarizeEvent(sample('js.join.accept'), 0, 's').direction).toBeUndefined();
  });

  it('is not what frames are counted from: v3.0’s data-less ns.up.data.forward beside as.up.data.forward', () => {
    const story = (
      JSON.parse(readFileSync('test/fixtures/real/tts-console-story-2019.json', 'utf8')) as { events: TtsEvent[] }
    ).events;
    const { devices } = computeHealth(story.map((e, i) => summarizeEvent(e, i, 's')));
    const counted = devices.filter((d) => d.frames.frames > 0);
    expect(counted.map((d) => [d.deviceId, d.countedFrom, d.frames.frames])).toEqual([
      ['admin-dev-otaa', 'as.up.data.forward', 1],
    ]);
  });
});
