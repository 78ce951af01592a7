import { describe, expect, it } from 'vitest';
import { summary } from '../../../../helpers/summaries.js';
import { hostOf, serverOrigin, streamOrigin } from '../../../../../src-main/shared/query/origin.js';
import { compileQuery } from '../../../../../src-main/shared/query/query.js';

describe('stream origins', () => {
  it('name a profile by its name and server host, a file by its name, a recording window as ClickHouse', () => {
    expect(hostOf('https://user@EU1.cloud.thethings.network:8884/api')).toBe('eu1.cloud.thethings.network:8884');
    expect(hostOf('lab.local')).toBe('lab.local');
    expect(streamOrigin({}, { name: 'TTN', baseUrl: 'https://eu1.cloud.thethings.network' })).toEqual({
      profile: 'TTN',
      server: 'eu1.cloud.thethings.network',
    });
    expect(streamOrigin({ source: 'ticket.ndjson' }, undefined)).toEqual({ profile: 'File', server: 'ticket.ndjson' });
    expect(streamOrigin({ source: 'ClickHouse lab, 03:00', recording: true }, undefined)).toEqual({
      profile: 'ClickHouse',
      server: 'ClickHouse lab, 03:00',
    });
    expect(streamOrigin({}, undefined)).toBeUndefined();
  });
});

describe('server and profile of rows read from a team recording', () => {
  // The window's one stream says where the rows were read (ClickHouse); each row names who delivered it.
  const profiles = [
    { name: 'TTN EU1', baseUrl: 'https://eu1.cloud.thethings.network' },
    { name: 'Lab', baseUrl: 'http://127.0.0.1:1885/' },
  ];
  const context = {
    origin: () => ({ profile: 'ClickHouse', server: 'ClickHouse lab' }),
    serverOrigin: (server: string) => serverOrigin(server, profiles),
  };
  const rows = [
    summary({ streamId: 'w', name: 'as.up.data.forward', server: 'https://eu1.cloud.thethings.network' }),
    summary({ streamId: 'w', name: 'ns.up.data.receive', server: 'http://127.0.0.1:1885' }),
    summary({ streamId: 'w', name: 'gs.up.receive', server: 'https://nam1.cloud.thethings.network' }),
    summary({ streamId: 'w', kind: 'status', name: 'event-desk.gap' }),
  ];
  const names = (q: string) => {
    const r = compileQuery(q, context);
    if (!r.ok) throw new Error(`${q}: ${r.error.message}`);
    return rows.filter(r.test).map((s) => s.name);
  };

  it('go by the profile of the server they name, as main’s SQL over the recording does', () => {
    expect(names('profile:"TTN EU1"')).toEqual(['as.up.data.forward']);
    expect(names('profile:lab')).toEqual(['ns.up.data.receive']);
    expect(names('server:nam1.cloud.thethings.network')).toEqual(['gs.up.receive']);
    // A recorded row is not the file's or the window's: only the window's own entries go by its stream.
    expect(names('profile:File')).toEqual([]);
    expect(names('profile:ClickHouse')).toEqual(['event-desk.gap']);
    expect(serverOrigin('https://NAM1.cloud.thethings.network/api', profiles)).toEqual({
      profile: '',
      server: 'nam1.cloud.thethings.network',
    });
  });

  it('go by their stream without `serverOrigin` (main’s queries over a capture)', () => {
    const r = compileQuery('profile:ClickHouse', { origin: context.origin });
    if (!r.ok) throw new Error(r.error.message);
    expect(rows.filter(r.test)).toHaveLength(4);
  });
});
