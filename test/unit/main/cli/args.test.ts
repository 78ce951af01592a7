import { describe, expect, it } from 'vitest';
import { UsageError, parseAfter, parseDuration, splitList } from '../../../../src-main/cli/args.js';
import { resolveDataDir } from '../../../../src-main/cli/data-dir.js';
import { appVersion } from '../../../../src-main/cli/context.js';
import { readFileSync } from 'node:fs';
import { parseSubscribeArgs } from '../../../../src-main/cli/subscribe-args.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const KEY = ['--server', 'https://eu1.cloud.thethings.network', '--api-key-env', 'K'];
const usage = (argv: string[]) => {
  try {
    parseSubscribeArgs(argv, NOW);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a usage error');
};

describe('subscribe arguments', () => {
  it('builds the request body ttn-lw-cli would: repeatable, comma-separated entity flags', () => {
    const o = parseSubscribeArgs(
      [
        ...KEY,
        '--application-id',
        'app1,app2',
        '--gateway-id',
        'gtw1',
        '--gateway-id',
        'gtw2',
        '--names',
        'as.up.data.forward,/^ns\\.up\\.(a|b),x/',
        '--tail',
        '10',
      ],
      NOW,
    )!;
    expect(o.request).toEqual({
      identifiers: [
        { application_ids: { application_id: 'app1' } },
        { application_ids: { application_id: 'app2' } },
        { gateway_ids: { gateway_id: 'gtw1' } },
        { gateway_ids: { gateway_id: 'gtw2' } },
      ],
      names: ['as.up.data.forward', '/^ns\\.up\\.(a|b),x/'],
      tail: 10,
    });
    expect(o.source).toEqual({ kind: 'server', url: 'https://eu1.cloud.thethings.network', key: { env: 'K' } });
    expect(o.format).toBe('ndjson');
  });

  it('combines --device-id with every --application-id (the applications are then not subscribed)', () => {
    const o = parseSubscribeArgs(
      [...KEY, '--application-id', 'app1', '--device-id', 'dev1,dev2', '--user-id', 'ab'],
      NOW,
    )!;
    expect(o.request.identifiers).toEqual([
      { device_ids: { device_id: 'dev1', application_ids: { application_id: 'app1' } } },
      { device_ids: { device_id: 'dev2', application_ids: { application_id: 'app1' } } },
      { user_ids: { user_id: 'ab' } },
    ]);
  });

  it('names the bad flag and the fix', () => {
    expect(usage([...KEY, '--device-id', 'dev1'])).toMatch(/--device-id needs --application-id/);
    expect(usage([...KEY])).toMatch(/Name at least one entity/);
    expect(usage([...KEY, '--application-id', 'App_1'])).toMatch(
      /^--application-id: "App_1" is not a valid application ID/,
    );
    expect(usage([...KEY, '--aplication-id', 'app1'])).toBe(
      'Unknown flag --aplication-id for `subscribe`. Did you mean --application-id?',
    );
    expect(usage([...KEY, '--application-id', 'app1', '--tail', 'x'])).toMatch(/--tail "x" must be a whole number/);
    expect(usage([...KEY, '--application-id', 'app1', '--count', '0'])).toMatch(
      /--count "0" must be a whole number above 0/,
    );
    expect(usage([...KEY, '--application-id', 'app1', '--duration', '10 minutes'])).toMatch(
      /--duration "10 minutes" is not a duration/,
    );
    expect(usage([...KEY, '--application-id', 'app1', '--format', 'yaml'])).toMatch(/--format "yaml" is not known/);
    expect(usage(['--application-id', 'app1'])).toMatch(/Say which server: --profile NAME/);
    expect(usage(['--application-id', 'app1', '--server', 'https://x.example'])).toMatch(
      /--server needs a key: --api-key-env VAR/,
    );
    expect(usage(['--application-id', 'app1', '--profile', 'p', '--api-key-env', 'K'])).toMatch(
      /--api-key-env goes with --server/,
    );
    expect(usage(['--application-id', 'app1', '--profile', 'p', '--server', 'https://x.example'])).toMatch(
      /either --profile NAME or --server URL/,
    );
    expect(
      usage(['--application-id', 'app1', '--server', 'eu1.cloud.thethings.network', '--api-key-env', 'K']),
    ).toMatch(/--server "eu1.cloud.thethings.network" is not a URL/);
    expect(usage([...KEY, '--application-id', 'app1', 'extra'])).toMatch(/Unexpected argument "extra"/);
  });

  it('refuses the key as an argument, whatever it is called', () => {
    expect(usage([...KEY, '--application-id', 'app1', '--api-key', 'NNSXS.X.Y'])).toMatch(
      /--api-key is not accepted: a key on the command line shows in `ps`/,
    );
    expect(usage([...KEY, '--application-id', 'app1', '--key=NNSXS.X.Y'])).not.toContain('NNSXS');
  });

  it('--help is not an error', () => {
    expect(parseSubscribeArgs(['--help'], NOW)).toBeNull();
    expect(parseSubscribeArgs(['-h'], NOW)).toBeNull();
  });
});

describe('values', () => {
  it('durations', () => {
    expect(parseDuration('--duration', '90')).toBe(90_000);
    expect(parseDuration('--duration', '1h30m')).toBe(5_400_000);
    expect(parseDuration('--duration', '500ms')).toBe(500);
    expect(parseDuration('--duration', '2d')).toBe(172_800_000);
    expect(() => parseDuration('--duration', '10x')).toThrow(UsageError);
    expect(() => parseDuration('--duration', '')).toThrow(UsageError);
  });

  it('--after takes RFC 3339 as given, or a duration ago', () => {
    expect(parseAfter('2024-03-22T09:57:24.686837844Z', NOW)).toBe('2024-03-22T09:57:24.686837844Z');
    expect(parseAfter('2024-03-22T09:57:24+01:00', NOW)).toBe('2024-03-22T09:57:24+01:00');
    expect(parseAfter('10m', NOW)).toBe('2026-01-01T11:50:00.000Z');
    expect(() => parseAfter('yesterday', NOW)).toThrow(/neither an RFC 3339 time/);
  });

  it('lists split on commas outside /regex/', () => {
    expect(splitList(['a,b', 'c', ' d , '])).toEqual(['a', 'b', 'c', 'd']);
    expect(splitList(['/a,b/,c'])).toEqual(['/a,b/', 'c']);
    expect(splitList(undefined)).toEqual([]);
  });

  it('the data folder is the app’s unless a flag or EVENT_DESK_DATA says otherwise', () => {
    expect(resolveDataDir(undefined, {}, 'linux', '/home/u')).toBe('/home/u/.config/Event Desk');
    expect(resolveDataDir(undefined, { XDG_CONFIG_HOME: '/x' }, 'linux', '/home/u')).toBe('/x/Event Desk');
    expect(resolveDataDir(undefined, {}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/Event Desk');
    expect(resolveDataDir(undefined, { EVENT_DESK_DATA: '/d' }, 'linux', '/home/u')).toBe('/d');
    expect(resolveDataDir('/flag', { EVENT_DESK_DATA: '/d' }, 'linux', '/home/u')).toBe('/flag');
  });
});

describe('version', () => {
  it('comes from package.json two folders above the script, from source and from the build', () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(appVersion('src-main/cli/main.ts')).toBe(version);
    expect(appVersion('/nowhere/at/all.js')).toBe('unknown');
  });
});
