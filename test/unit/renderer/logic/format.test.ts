import { describe, expect, it } from 'vitest';
import { summarizeEvent } from '../../../../src-main/shared/domain/summary.js';
import { consoleSimulation } from '../../../helpers/tts-quirks.js';
import {
  formatDateTime,
  zoneName,
  counted,
  describeState,
  formatClock,
  previewText,
  quietHint,
  viewFill,
} from '../../../../src-renderer/lib/logic/format.js';

const T = Date.parse('2026-05-01T10:00:00Z');

describe('status words', () => {
  it('says how long a live stream has been quiet, once it is more than two minutes', () => {
    const open = { kind: 'open' as const, since: T };
    expect(quietHint(open, undefined, T + 60_000)).toBeUndefined();
    expect(quietHint(open, undefined, T + 3 * 60_000 + 5_000)).toBe('no events for 3 min');
    expect(quietHint(open, T + 60_000, T + 2 * 60_000)).toBeUndefined();
    expect(quietHint(open, T, T + 75 * 60_000)).toBe('no events for 1 h 15 min');
    expect(quietHint({ kind: 'connecting', attempt: 1 }, undefined, T + 10 * 60_000)).toBeUndefined();
  });

  it('counts down a retry and gives the reason', () => {
    expect(
      describeState(
        {
          kind: 'retrying',
          attempt: 2,
          retryAt: T + 4_200,
          lastError: { code: 'server', message: 'The server had a problem (HTTP 503); trying again.' },
        },
        T,
      ),
    ).toBe('retrying in 5 s: The server had a problem (HTTP 503); trying again.');
    expect(
      describeState(
        {
          kind: 'stopped',
          reason: 'x',
          error: { code: 'forbidden', message: 'The API key has no rights on application `app1`.' },
        },
        T,
      ),
    ).toBe('stopped: The API key has no rights on application `app1`.');
  });

  it('formats times in UTC or local time with milliseconds', () => {
    expect(formatClock(Date.parse('2026-05-01T10:02:03.045Z'), true)).toBe('10:02:03.045');
  });

  it('formats a date and time in UTC, or in local time as the UTC switch says', () => {
    const ms = Date.parse('2026-05-01T23:02:03.045Z');
    expect(formatDateTime(ms, true)).toBe('2026-05-01 23:02:03');
    const d = new Date(ms);
    const p = (n: number) => String(n).padStart(2, '0');
    expect(formatDateTime(ms, false)).toBe(
      `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:03`,
    );
    expect([zoneName(true), zoneName(false)]).toEqual(['UTC', 'local']);
  });

  it('builds the typed preview column', () => {
    expect(
      previewText({
        id: 1,
        streamId: 's',
        kind: 'event',
        ms: 0,
        time: '',
        name: 'as.up.data.forward',
        entity: 'd',
        entityKind: 'device',
        direction: 'up',
        fPort: 2,
        fCnt: 7,
        rssi: -100,
        snr: 3.5,
        gateways: 3,
        dataRate: 'SF7BW125',
        preview: '0A0B',
        correlationIds: [],
      }),
    ).toBe('↑ up · FPort 2 · FCnt 7 · best RSSI -100 · best SNR 3.5 · 3 gateways · SF7BW125 · 0A0B');
    // The first uplink after a join: FCnt 0 is shown, not left out.
    expect(
      previewText({
        id: 1,
        streamId: 's',
        kind: 'event',
        ms: 0,
        time: '',
        name: 'as.up.data.forward',
        entity: 'd',
        entityKind: 'device',
        direction: 'up',
        fPort: 1,
        fCnt: 0,
        rssi: -80,
        snr: 0,
        gateways: 1,
        preview: '',
        correlationIds: [],
      }),
    ).toBe('↑ up · FPort 1 · FCnt 0 · RSSI -80 · SNR 0');
  });

  it('says a Console simulated uplink is simulated, before its made-up reading', () => {
    const [real, , simulated] = consoleSimulation(0).map((e, i) => summarizeEvent(e, i, 's'));
    expect(previewText(simulated!)).toBe('↑ up · simulated · FPort 1 · FCnt 0 · RSSI 42 · SNR 4.2 · SF7BW125 · 01');
    expect(previewText(real!)).not.toMatch(/simulated/);
  });
});

describe('viewFill', () => {
  it('says a view holding anything is not empty, and a view is full only when it is', () => {
    expect(viewFill(0, 100_000)).toBe('0%');
    expect(viewFill(22, 100_000)).toBe('<1%');
    expect(viewFill(1_000, 100_000)).toBe('1%');
    expect(viewFill(99_999, 100_000)).toBe('99%');
    expect(viewFill(100_000, 100_000)).toBe('100%');
    expect(viewFill(150_000, 100_000)).toBe('150%');
  });
});

describe('counted', () => {
  it('makes the noun agree with the number', () => {
    expect(counted(1, 'message')).toBe('1 message');
    expect(counted(0, 'event')).toBe('0 events');
    expect(counted(1204, 'entry', 'entries')).toBe('1,204 entries');
    expect(counted(1, 'entry', 'entries')).toBe('1 entry');
  });
});
