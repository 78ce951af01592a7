/**
 * What the list says went wrong, for the shapes real servers send (lorawan-stack's observability.go of each
 * release, and the reference samples): the error column, the one-line preview and the `error:` filter.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeStatus } from '../../../../../src-main/shared/domain/event-errors.js';
import { summarizeEvent } from '../../../../../src-main/shared/domain/summary.js';
import { compileQuery } from '../../../../../src-main/shared/query/query.js';
import { computeHealth } from '../../../../../src-main/shared/health/health.js';
import { messageRow } from '../../../../../src-main/shared/health/messages.js';
import type { TtsEvent } from '../../../../../src-main/shared/tts/types.js';

const samples = JSON.parse(readFileSync('test/fixtures/sample-events.json', 'utf8')) as TtsEvent[];
const real = (file: string) =>
  (JSON.parse(readFileSync(`test/fixtures/real/${file}`, 'utf8')) as { events: TtsEvent[] }).events;

const gateway = [{ gateway_ids: { gateway_id: 'gtw-1', eui: 'B827EBFFFE000001' } }];
const txFail = (data: Record<string, unknown>, n = 0): TtsEvent => ({
  name: 'gs.down.tx.fail',
  time: `2026-03-01T10:00:0${n}Z`,
  identifiers: gateway,
  data,
  correlation_ids: [`gs:tx_ack:0${n}`],
});
const VALUE = 'type.googleapis.com/google.protobuf.Value';
const matches = (q: string, e: TtsEvent) => {
  const c = compileQuery(q);
  if (!c.ok) throw new Error(c.error.message);
  return c.test(summarizeEvent(e, 0, 's'));
};

describe('gs.down.tx.fail: why the gateway did not transmit', () => {
  it('reads the result as a number (v3.9–3.14, v3.16–3.21.1, v3.32+: {"value":4} is COLLISION_PACKET)', () => {
    const s = summarizeEvent(txFail({ '@type': VALUE, value: 4 }), 0, 's');
    expect(s.errorName).toBe('COLLISION_PACKET');
    expect(s.preview).toMatch(/collision.*already transmitting/);
    expect(s.direction).toBe('down');
  });

  it('reads it by name (v3.15) and inside a TxAcknowledgment with the downlink it acknowledges (v3.21.2–3.31)', () => {
    expect(summarizeEvent(txFail({ '@type': VALUE, value: 'TOO_LATE' }), 0, 's')).toMatchObject({
      errorName: 'TOO_LATE',
      preview: expect.stringMatching(/^too late/),
    });
    const ack = samples.find((e) => e.name === 'gs.txack.receive')!;
    const s = summarizeEvent(txFail({ ...(ack.data as object), result: 'TOO_EARLY' }), 0, 's');
    expect(s).toMatchObject({ errorName: 'TOO_EARLY', direction: 'join', dataRate: 'SF7BW125' });
    expect(s.preview).toMatch(/^too early/);
  });

  it('an unknown number is named as such; anything else is no result', () => {
    expect(summarizeEvent(txFail({ '@type': VALUE, value: 42 }), 0, 's').errorName).toBe('result 42');
    expect(summarizeEvent(txFail({ '@type': VALUE, value: -1 }), 0, 's').errorName).toBeUndefined();
    expect(summarizeEvent(txFail({ '@type': VALUE, value: 'no such <b>' }), 0, 's').errorName).toBeUndefined();
  });

  it('error: finds it, and the gateway panel counts failures by what went wrong', () => {
    const fails = [txFail({ '@type': VALUE, value: 4 }, 1), txFail({ '@type': VALUE, value: 2 }, 2)];
    expect(matches('error:COLLISION*', fails[0]!)).toBe(true);
    expect(matches('error:TOO_LATE', fails[0]!)).toBe(false);
    const [g] = computeHealth(fails.map((e, i) => summarizeEvent(e, i, 's'))).gateways;
    expect(g?.downlinks.txFailed).toBe(2);
    expect(g?.downlinks.errors).toEqual(
      expect.arrayContaining([
        { name: 'COLLISION_PACKET', count: 1 },
        { name: 'TOO_LATE', count: 1 },
      ]),
    );
  });
});

describe('other failures', () => {
  it('a TxAcknowledgment names the downlink it acknowledges (sample gs.txack.receive: a join-accept)', () => {
    const ack = samples.find((e) => e.name === 'gs.txack.receive')!;
    expect(summarizeEvent(ack, 0, 's')).toMatchObject({
      direction: 'join',
      dataRate: 'SF7BW125',
      preview: 'join-accept',
      errorName: undefined,
    });
  });

  it('a failed application downlink says why (as.down.data.failed.forward: downlink_failed.error)', () => {
    const s = summarizeEvent(
      {
        name: 'as.down.data.failed.forward',
        time: '2026-03-01T10:00:00Z',
        identifiers: [{ device_ids: { device_id: 'dev1', application_ids: { application_id: 'app1' } } }],
        data: {
          '@type': 'type.googleapis.com/ttn.lorawan.v3.ApplicationUp',
          downlink_failed: {
            downlink: { f_port: 15, frm_payload: 'AQ==' },
            error: {
              namespace: 'pkg/networkserver',
              name: 'application_downlink_too_long',
              message_format: 'application downlink payload is too long: {length} > {maximum_length}',
              attributes: { length: 60, maximum_length: 51 },
              code: 3,
            },
          },
        },
      },
      0,
      's',
    );
    expect(s).toMatchObject({ errorName: 'application_downlink_too_long', direction: 'down', fPort: 15 });
    expect(s.preview).toBe('application downlink payload is too long: 60 > 51');
  });

  it('a downlink that could not be scheduled says why, per Rx window and gateway path (io.go, grpc_nsgs.go)', () => {
    const tooLate = (window: number) => ({
      namespace: 'pkg/gatewayserver/io',
      name: 'rx_window_schedule',
      message_format: 'schedule in Rx window `{window}` failed',
      attributes: { window },
      code: 9,
      cause: {
        namespace: 'pkg/gatewayserver/scheduling',
        name: 'too_late',
        message_format: 'too late to transmission scheduled time',
        code: 9,
      },
    });
    const pathErrors = (errors: object[]) => [
      { '@type': 'type.googleapis.com/ttn.lorawan.v3.ScheduleDownlinkErrorDetails', path_errors: errors },
    ];
    const txSchedule = {
      namespace: 'pkg/gatewayserver/io',
      name: 'tx_schedule',
      message_format: 'schedule',
      code: 10,
      details: pathErrors([tooLate(1), tooLate(2)]),
    };
    const errorDetails = 'type.googleapis.com/ttn.lorawan.v3.ErrorDetails';
    const gs = summarizeEvent(
      {
        name: 'gs.down.schedule.fail',
        time: '2026-03-01T10:00:00Z',
        identifiers: gateway,
        data: { '@type': errorDetails, ...txSchedule },
      },
      0,
      's',
    );
    expect(gs.errorName).toBe('tx_schedule');
    expect(gs.preview).toBe(
      'schedule: schedule in Rx window `1` failed: too late to transmission scheduled time; ' +
        'schedule in Rx window `2` failed: too late to transmission scheduled time',
    );
    // The Network Server's: one path error per gateway, the Gateway Server's error (and its paths) as the cause.
    const ns: TtsEvent = {
      name: 'ns.down.data.schedule.fail',
      time: '2026-03-01T10:00:01Z',
      identifiers: [{ device_ids: { device_id: 'dev1', application_ids: { application_id: 'app1' } } }],
      data: {
        '@type': errorDetails,
        namespace: 'pkg/gatewayserver',
        name: 'schedule',
        message_format: 'schedule',
        code: 10,
        details: pathErrors([
          {
            namespace: 'pkg/gatewayserver',
            name: 'schedule_path',
            message_format: 'schedule on path `{gateway_uid}`',
            attributes: { gateway_uid: 'gtw-1' },
            cause: txSchedule,
          },
          {
            namespace: 'pkg/gatewayserver',
            name: 'not_connected',
            message_format: 'gateway `{gateway_uid}` not connected',
            attributes: { gateway_uid: 'gtw-2' },
          },
        ]),
      },
    };
    expect(summarizeEvent(ns, 0, 's').preview).toBe(
      'schedule: schedule on path `gtw-1`: schedule in Rx window `1` failed: too late to transmission scheduled time; ' +
        'schedule on path `gtw-1`: schedule in Rx window `2` failed: too late to transmission scheduled time; ' +
        'gateway `gtw-2` not connected',
    );
    expect(matches('error:schedule "too late"', ns)).toBe(true);
    expect(matches('"not connected"', ns)).toBe(true);
    // A hostile server nesting paths without end, or listing thousands, gets a bounded line.
    let deep: Record<string, unknown> = { name: 'leaf', message_format: 'leaf' };
    for (let i = 0; i < 50; i++)
      deep = { name: `p${i}`, message_format: `p${i}`, details: pathErrors(Array.from({ length: 16 }, () => deep)) };
    const hostile = summarizeEvent({ ...ns, data: { '@type': errorDetails, ...deep } }, 0, 's');
    expect(hostile.preview.length).toBeLessThan(2_000);
    const many = Array.from({ length: 5_000 }, (_, i) => ({ name: 'x', message_format: `path ${i}` }));
    const wide = summarizeEvent(
      { ...ns, data: { '@type': errorDetails, ...txSchedule, details: pathErrors(many) } },
      0,
      's',
    );
    expect(wide.preview).toBe('schedule: path 0; path 1; path 2; path 3; and 12 more');
  });

  it('a drop says the error that caused it (real 2020 gs.up.drop: host_handle caused by device_not_found)', () => {
    const drop = real('tts-console-event-data-2020-04.json').find((e) => e.name === 'gs.up.drop')!;
    expect(summarizeEvent(drop, 0, 's')).toMatchObject({
      errorName: 'host_handle',
      preview: 'host `cluster` failed to handle message: device not found',
    });
  });

  it("v3.8–3.17's `duplicate` drop is a deduplicated uplink, as v3.22's `duplicate_uplink` is (reference samples)", () => {
    const drops = samples.filter((e) => e.name === 'ns.up.data.drop' && /duplicate/.test(JSON.stringify(e.data)));
    const names = drops.map((e) => (e.data as { name: string }).name);
    expect(names).toEqual(expect.arrayContaining(['duplicate', 'duplicate_uplink']));
    for (const e of drops)
      expect(messageRow([summarizeEvent(e, 0, 's')])?.outcome, JSON.stringify(e.data)).toBe('deduplicated');
  });

  it('an unknown MAC command is not read as a frame (ns.mac.command.unknown carries its bytes in raw_payload)', () => {
    for (const raw of ['AQID', 'IAE=']) {
      const s = summarizeEvent(
        {
          name: 'ns.mac.command.unknown',
          time: '2026-03-01T10:00:00Z',
          identifiers: [{ device_ids: { device_id: 'dev1', application_ids: { application_id: 'app1' } } }],
          data: { '@type': 'type.googleapis.com/ttn.lorawan.v3.MACCommand', cid: 'CID_RFU_128', raw_payload: raw },
        },
        0,
        's',
      );
      expect(s.direction).toBeUndefined();
      expect(s.preview).not.toMatch(/join/);
    }
  });

  it('a normalized uplink (as.up.normalized.forward, v3.21.2+) has its port, counter and gateways', () => {
    const s = summarizeEvent(
      {
        name: 'as.up.normalized.forward',
        time: '2026-03-01T10:00:00Z',
        identifiers: [{ device_ids: { device_id: 'dev1', application_ids: { application_id: 'app1' } } }],
        data: {
          '@type': 'type.googleapis.com/ttn.lorawan.v3.ApplicationUp',
          uplink_normalized: {
            f_port: 2,
            f_cnt: 77,
            frm_payload: 'AQI=',
            normalized_payload: { air: { temperature: 21.5 } },
            rx_metadata: [{ gateway_ids: { gateway_id: 'gtw-1' }, rssi: -97, snr: 4.5 }],
            settings: { data_rate: { lora: { bandwidth: 125000, spreading_factor: 9 } } },
          },
        },
      },
      0,
      's',
    );
    expect(s).toMatchObject({
      direction: 'up',
      fPort: 2,
      fCnt: 77,
      rssi: -97,
      snr: 4.5,
      gatewayIds: ['gtw-1'],
      dataRate: 'SF9BW125',
    });
  });
});

describe("a stream's error status", () => {
  const details = (extra: Record<string, unknown> = {}) => ({
    '@type': 'type.googleapis.com/ttn.lorawan.v3.ErrorDetails',
    namespace: 'pkg/auth/rights',
    name: 'no_application_rights',
    message_format: 'no rights for application `{uid}`',
    attributes: { uid: 'acme-sensors' },
    ...extra,
  });

  it('reads as the server words it, then where it comes from', () => {
    expect(describeStatus({ code: 7, details: [details()] })).toBe(
      'no rights for application `acme-sensors` (pkg/auth/rights:no_application_rights)',
    );
    expect(describeStatus({ code: 14, message: 'upstream connect error' })).toBe('upstream connect error');
  });

  it('names the innermost cause, as a failed event does (one reading of ErrorDetails for both)', () => {
    const cause = { namespace: 'pkg/identityserver', name: 'api_key_expired', message_format: 'API key expired' };
    expect(describeStatus({ code: 16, details: [details({ cause })] })).toBe(
      'no rights for application `acme-sensors`: API key expired (pkg/auth/rights:no_application_rights)',
    );
  });
});
