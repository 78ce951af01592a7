import { describe, expect, it } from 'vitest';
import { describeRecording, lagText } from '../../../../src-renderer/lib/logic/recording-format';
import type { RecordingView } from '../../../../src-main/shared/domain/recording';
import { isRecordingInput } from '../../../../src-main/shared/domain/recording';

const base: RecordingView = {
  workspaceId: 'w1',
  target: { url: 'http://ch:8123', database: 'event_desk', username: '', hasPassword: false },
  enabled: true,
  phase: 'caught-up',
  lag: { events: 0, seconds: 0 },
  sent: 1234,
  lost: 0,
};

describe('the recording badge', () => {
  it('says off, and how to turn it on, before anything is set', () => {
    expect(describeRecording(undefined)).toMatchObject({ label: 'ClickHouse: off', tone: 'off' });
    expect(describeRecording({ ...base, enabled: false, phase: 'off' }).detail).toContain('http://ch:8123/event_desk');
  });

  it('shows the lag in events and seconds while behind', () => {
    const v = { ...base, phase: 'sending' as const, lag: { events: 12_345, seconds: 7 } };
    expect(lagText(v)).toBe('12,345 behind (7 s)');
    expect(describeRecording(v)).toMatchObject({ label: 'ClickHouse: 12,345 behind (7 s)', tone: 'busy' });
    expect(describeRecording(base)).toMatchObject({ label: 'ClickHouse: recording', tone: 'ok' });
  });

  it('puts the error and what to do in the tooltip while retrying', () => {
    const v: RecordingView = {
      ...base,
      phase: 'retrying',
      lag: { events: 40, seconds: 0 },
      lastError: { message: 'connect ECONNREFUSED', hint: 'ClickHouse is not answering: start it.', at: 0 },
    };
    const b = describeRecording(v);
    expect(b).toMatchObject({ label: 'ClickHouse: retrying · 40 behind', tone: 'trouble' });
    expect(b.detail).toBe('connect ECONNREFUSED ClickHouse is not answering: start it.');
  });

  it('turns a caught-up recording red when retention removed lines before they were sent', () => {
    const b = describeRecording({ ...base, lost: 500 });
    expect(b.tone).toBe('trouble');
    expect(b.detail).toContain('500 lines were removed by retention');
  });
});

describe('recording input from the renderer', () => {
  const ok = { url: 'http://ch:8123', database: '', username: '', enabled: true };
  it('accepts the form and refuses extra fields, wrong types and oversized values', () => {
    expect(isRecordingInput(ok)).toBe(true);
    expect(isRecordingInput({ ...ok, password: 'x' })).toBe(true);
    expect(isRecordingInput({ ...ok, extra: 1 })).toBe(false);
    expect(isRecordingInput({ ...ok, enabled: 'yes' })).toBe(false);
    expect(isRecordingInput({ ...ok, password: 'x'.repeat(5000) })).toBe(false);
    expect(isRecordingInput(null)).toBe(false);
  });
});
