import { describe, expect, it } from 'vitest';
import { deliveredBy, originsOf, profileOf } from '../../../../src-renderer/lib/state/stream-labels';
import type { StreamInfo } from '../../../../src-main/shared/domain/stream.js';
import type { ProfileSummary } from '../../../../src-main/shared/domain/profile.js';
import type { EventSummary } from '../../../../src-main/shared/domain/summary.js';

const profile = (id: string, name: string, baseUrl: string, color: string): ProfileSummary => ({
  id,
  name,
  baseUrl,
  color,
  isDemo: false,
  hasKey: true,
});
const profiles = [
  profile('p1', 'TTN EU1', 'https://eu1.cloud.thethings.network', '#0969da'),
  profile('p2', 'Lab', 'http://127.0.0.1:1885', '#1a7f37'),
];
const stream = (streamId: string, more: Partial<StreamInfo> = {}): StreamInfo => ({
  streamId,
  spec: { workspaceId: 'w1', profileId: 'p1', entities: [{ kind: 'application', id: 'app1' }], names: [] },
  state: { kind: 'open', since: 0 },
  ...more,
});
const streams = [
  stream('live'),
  stream('file', { source: 'ticket.ndjson' }),
  stream('window', { source: 'ClickHouse team, 03:00', recording: true }),
];

describe('the Server column', () => {
  it("names a live stream's profile, a file as File and a recording window as ClickHouse", () => {
    expect(profileOf(streams, profiles, { streamId: 'live' })).toEqual({ name: 'TTN EU1', color: '#0969da' });
    expect(profileOf(streams, profiles, { streamId: 'file' }).name).toBe('File');
    expect(profileOf(streams, profiles, { streamId: 'window' }).name).toBe('ClickHouse');
  });

  it('names the server a recorded row came from: its profile here, or its host', () => {
    expect(profileOf(streams, profiles, { streamId: 'window', server: 'http://127.0.0.1:1885/' })).toEqual({
      name: 'Lab',
      color: '#1a7f37',
    });
    expect(
      profileOf(streams, profiles, { streamId: 'window', server: 'https://nam1.cloud.thethings.network' }).name,
    ).toBe('nam1.cloud.thethings.network');
  });

  it("says in the row's tooltip who delivered a recorded row and where it was read", () => {
    const row = { streamId: 'window', server: 'https://eu1.cloud.thethings.network' } as EventSummary;
    expect(deliveredBy(streams, profiles, row)).toBe(
      'https://eu1.cloud.thethings.network, recorded; read from ClickHouse team, 03:00',
    );
    expect(deliveredBy(streams, profiles, { streamId: 'live' } as EventSummary)).toBe('TTN EU1: app1');
  });

  it("offers a window's recorded servers that have a profile here to the server picker", () => {
    const window = [streams[2]!];
    const rows = [
      { server: 'http://127.0.0.1:1885' },
      { server: 'https://nam1.cloud.thethings.network' },
      { server: 'http://127.0.0.1:1885/' },
      {},
    ];
    expect(originsOf(window, profiles, () => rows)).toEqual([{ profile: 'Lab', server: '127.0.0.1:1885' }]);
    expect(originsOf(window, profiles, () => [...rows, { server: 'https://eu1.cloud.thethings.network' }])).toEqual([
      { profile: 'Lab', server: '127.0.0.1:1885' },
      { profile: 'TTN EU1', server: 'eu1.cloud.thethings.network' },
    ]);
    // A live workspace's entries are not read (they change with every batch; its origins do not).
    const unread = () => {
      throw new Error('entries read');
    };
    expect(originsOf([streams[0]!], profiles, unread)).toHaveLength(1);
    // Rows of live streams go by their streams, whatever they carry.
    expect(originsOf([streams[0]!], profiles, () => rows)).toEqual([
      { profile: 'TTN EU1', server: 'eu1.cloud.thethings.network' },
    ]);
  });
});

describe('a stream whose profile was deleted', () => {
  const orphan = stream('orphan', {
    spec: {
      workspaceId: 'w1',
      profileId: 'p-01m8qv8eg4kr9xnf5928yr3xzq',
      entities: [{ kind: 'application', id: 'app1' }],
      names: [],
    },
    state: { kind: 'stopped', reason: 'The profile "Unreachable" was deleted; the captured events stay.' },
  });

  it("is called by the profile's last known name, never by its internal id", () => {
    const known = { ...orphan, profile: { name: 'Unreachable', baseUrl: 'http://127.0.0.1:9' } };
    expect(profileOf([known], profiles, { streamId: 'orphan' }).name).toBe('Unreachable');
    expect(profileOf([orphan], profiles, { streamId: 'orphan' }).name).toBe('Deleted profile');
  });

  it('stays in the server picker under that name', () => {
    const known = { ...orphan, profile: { name: 'Unreachable', baseUrl: 'http://127.0.0.1:9' } };
    expect(originsOf([stream('live'), known], profiles).map((o) => o.profile)).toEqual(['TTN EU1', 'Unreachable']);
  });
});
