/**
 * `event-desk subscribe`'s command line: its help text and the pure parser every rule is unit-tested on.
 */
import type { EntityRef, StreamEventsRequest } from '../shared/tts/types.js';
import { entityIdProblem, toIdentifiers } from '../shared/tts/types.js';
import { parseClickHouseUrl, type ClickHouseTarget } from '../core/clickhouse/target.js';
import { UsageError, parseAfter, parseCommand, parseCount, parseDuration, splitList } from './args.js';

export const SUBSCRIBE_HELP = `Usage: event-desk subscribe ENTITIES KEY [options]

Subscribe to a Things Stack's events (POST /api/v3/events) and print them as they come: one event
per line (NDJSON), exactly as the server sent it. Unlike ttn-lw-cli it does not exit on a network
error: it reconnects, resumes where it stopped (after the last event, duplicates dropped), and says
on stderr, and in the --output capture, when a window could not be recovered (a gap).

Entities (each repeatable, or comma-separated, as in ttn-lw-cli):
  --application-id ID      --gateway-id ID       --organization-id ID
  --device-id ID           (needs --application-id; combined with every application, as in
                            ttn-lw-cli: the applications themselves are then not subscribed)
  --user-id ID             --client-id ID

Server and key (never the key itself as an argument: it would show in ps):
  --profile NAME           a profile of the Event Desk app (key from the OS keychain)
  --server URL             the stack's base URL, with one of:
    --api-key-env VAR        the key is in environment variable VAR
    --api-key-file FILE      the key is in FILE
    --ca FILE                PEM CA certificate(s) of a private deployment
  --data-dir DIR           the app's data folder (default: EVENT_DESK_DATA, else the app's own)

What to ask for:
  --names a,b,/regex/      event names, exact or /regex/ (the server checks them)
  --tail N                 also the last N events of each entity (needs the server's events store)
  --after TIME             also history after TIME: RFC 3339, or a duration ago (10m, 2h)

Output and when to stop:
  --output FILE, -o FILE   also write the capture file the app writes (appended to if it exists;
                           status entries such as gaps and reconnects included)
  --format ndjson|pretty   ndjson (default), or indented JSON like ttn-lw-cli
  --clickhouse URL         also record to ClickHouse: http://[USER@]HOST:8123[/DATABASE] (database
                           event_desk by default; tables created on first use). Needs --output: the
                           capture is the spool, so nothing is lost while ClickHouse is down or slow.
                           The password, if any, from CLICKHOUSE_PASSWORD.
  --count N                stop after N events
  --duration D             stop after D (30s, 10m, 1h30m)
  Ctrl-C / SIGTERM         stop cleanly: everything received is written, then a closing status entry

On stderr: reconnects and gaps as they happen, a one-line live status when it is a terminal
(events/s, total, reconnects, gaps), and a summary at the end.

Exit codes: 0 done, 2 bad arguments, 3 the server refused the key or its rights, 4 could not connect
(the first connection; once connected it reconnects for ever), 1 anything else.

Examples:
  event-desk subscribe --application-id app1 --profile "TTN EU1"
  TTS_API_KEY=NNSXS.… event-desk subscribe --server https://eu1.cloud.thethings.network \\
      --api-key-env TTS_API_KEY --application-id app1 --device-id dev1,dev2 -o app1.ndjson
  event-desk subscribe --gateway-id gtw1 --names gs.up.receive,/^gs\\.status/ --profile prod --count 10
  event-desk subscribe --application-id app1 --profile prod --after 1h --duration 10m --format pretty
`;

export type KeySource =
  | { kind: 'profile'; name: string }
  | { kind: 'server'; url: string; key: { env: string } | { file: string }; caFile?: string };

export interface SubscribeOptions {
  entities: EntityRef[];
  request: StreamEventsRequest;
  source: KeySource;
  dataDir?: string;
  output?: string;
  format: 'ndjson' | 'pretty';
  count?: number;
  durationMs?: number;
  clickhouse?: ClickHouseTarget;
}

const ENTITY_FLAGS = [
  ['application-id', 'application'],
  ['gateway-id', 'gateway'],
  ['organization-id', 'organization'],
  ['user-id', 'user'],
  ['client-id', 'client'],
] as const;

const OPTIONS = {
  'application-id': { type: 'string', multiple: true },
  'device-id': { type: 'string', multiple: true },
  'gateway-id': { type: 'string', multiple: true },
  'organization-id': { type: 'string', multiple: true },
  'user-id': { type: 'string', multiple: true },
  'client-id': { type: 'string', multiple: true },
  names: { type: 'string', multiple: true },
  tail: { type: 'string' },
  after: { type: 'string' },
  profile: { type: 'string' },
  server: { type: 'string' },
  'api-key-env': { type: 'string' },
  'api-key-file': { type: 'string' },
  ca: { type: 'string' },
  'data-dir': { type: 'string' },
  output: { type: 'string', short: 'o' },
  format: { type: 'string' },
  count: { type: 'string' },
  duration: { type: 'string' },
  clickhouse: { type: 'string' },
} as const;

/** Parse and check the command line; pure, so every rule is unit-tested. `null` means `--help`. */
export function parseSubscribeArgs(argv: string[], now: number): SubscribeOptions | null {
  const { values } = parseCommand('subscribe', argv, OPTIONS);
  if (values.help) return null;
  const entities: EntityRef[] = [];
  const check = (flag: string, kind: EntityRef['kind'], id: string) => {
    const problem = entityIdProblem(kind, id);
    if (problem) throw new UsageError(`--${flag}: ${problem}`);
  };
  const apps = splitList(values['application-id']);
  const devices = splitList(values['device-id']);
  if (devices.length > 0) {
    if (apps.length === 0)
      throw new UsageError(
        '--device-id needs --application-id: a device ID is unique only within its application, e.g. --application-id app1 --device-id dev1.',
      );
    for (const app of apps) {
      check('application-id', 'application', app);
      for (const dev of devices) {
        check('device-id', 'device', dev);
        entities.push({ kind: 'device', id: dev, application: app });
      }
    }
  }
  for (const [flag, kind] of ENTITY_FLAGS) {
    if (flag === 'application-id' && devices.length > 0) continue;
    for (const id of splitList(values[flag])) {
      check(flag, kind, id);
      entities.push({ kind, id });
    }
  }
  if (entities.length === 0)
    throw new UsageError(
      'Name at least one entity: --application-id, --device-id (with --application-id), --gateway-id, --organization-id, --user-id or --client-id.',
    );

  const request: StreamEventsRequest = { identifiers: entities.map(toIdentifiers) };
  const names = splitList(values.names);
  if (names.length) request.names = names;
  if (values.tail !== undefined) {
    const tail = parseCount('--tail', values.tail, true);
    if (tail > 0) request.tail = tail;
  }
  if (values.after !== undefined) request.after = parseAfter(values.after, now);

  let source: KeySource;
  const keyFlags = (['api-key-env', 'api-key-file'] as const).filter((f) => values[f] !== undefined);
  if (values.profile !== undefined && values.server !== undefined)
    throw new UsageError('Give either --profile NAME or --server URL, not both.');
  if (values.profile !== undefined) {
    if (keyFlags.length)
      throw new UsageError(
        `--${keyFlags[0]} goes with --server; a --profile keeps its key in the OS keychain (set it with: event-desk profiles set-key NAME).`,
      );
    if (values.ca !== undefined)
      throw new UsageError('--ca goes with --server; a --profile carries its own CA certificate.');
    source = { kind: 'profile', name: values.profile };
  } else if (values.server !== undefined) {
    if (!/^https?:\/\/[^/\s]+/i.test(values.server))
      throw new UsageError(
        `--server "${values.server}" is not a URL: use the stack's base URL, e.g. --server https://eu1.cloud.thethings.network.`,
      );
    if (keyFlags.length !== 1)
      throw new UsageError(
        keyFlags.length
          ? 'Give only one of --api-key-env and --api-key-file.'
          : '--server needs a key: --api-key-env VAR (the key is in that environment variable) or ' +
              '--api-key-file FILE. Never the key itself: it would show in ps.',
      );
    const key =
      values['api-key-env'] !== undefined ? { env: values['api-key-env'] } : { file: values['api-key-file']! };
    source = {
      kind: 'server',
      url: values.server.replace(/\/+$/, ''),
      key,
      ...(values.ca !== undefined ? { caFile: values.ca } : {}),
    };
  } else
    throw new UsageError(
      'Say which server: --profile NAME (an Event Desk profile), or --server URL with --api-key-env VAR or --api-key-file FILE.',
    );

  const format = values.format ?? 'ndjson';
  if (format !== 'ndjson' && format !== 'pretty')
    throw new UsageError(
      `--format "${format}" is not known: use --format ndjson (one event per line) or --format pretty (indented, like ttn-lw-cli).`,
    );

  const out: SubscribeOptions = { entities, request, source, format };
  if (values['data-dir'] !== undefined) out.dataDir = values['data-dir'];
  if (values.output !== undefined) out.output = values.output;
  if (values.count !== undefined) out.count = parseCount('--count', values.count);
  if (values.duration !== undefined) out.durationMs = parseDuration('--duration', values.duration);
  if (values.clickhouse !== undefined) {
    if (values.output === undefined)
      throw new UsageError(
        '--clickhouse sends what the capture file holds: add --output FILE (it is the spool while ClickHouse is away).',
      );
    try {
      out.clickhouse = parseClickHouseUrl(values.clickhouse);
    } catch (e) {
      throw new UsageError(`--clickhouse: ${(e as Error).message}`);
    }
  }
  return out;
}
