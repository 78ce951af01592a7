/**
 * `event-desk pull`: a time window of a team's ClickHouse recording, filtered, as a capture file that
 * the app, `inspect`, `report` and `export` open like any other: events exactly as the server sent them
 * and the window's status entries (gaps, reconnects), in time order.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { ClickHouseSource } from '../core/clickhouse/source.js';
import { describeTarget, parseClickHouseUrl, type ClickHouseTarget } from '../core/clickhouse/target.js';
import { CommandError, EXIT, UsageError, parseAfter, parseCommand, type ExitCode } from './args.js';
import type { Io } from './context.js';

export const PULL_HELP = `Usage: event-desk pull --clickhouse URL --from TIME [--to TIME] [--filter QUERY] [-o FILE]

Read a time window of a team's recording from ClickHouse (what event-desk subscribe --clickhouse
recorded) and write it as a capture: one event per line exactly as the server sent it, with the
window's status entries (gaps, reconnects), oldest first. Open it in the app, or with inspect,
report and export.

  --clickhouse URL     http://[USER@]HOST:8123[/DATABASE] (database event_desk by default); the
                       password, if any, from CLICKHOUSE_PASSWORD
  --from TIME          RFC 3339 (2026-11-24T03:00:00Z) or a duration ago (2h)
  --to TIME            the same; default now
  --filter QUERY       the app's filter bar language (device:dev1 rssi<-110, ns.up.*, corr:…)
  --output FILE, -o    the capture to write (default: stdout)

Examples:
  event-desk pull --clickhouse http://noc:8123 --from 2026-11-24T03:00:00Z --to 2026-11-24T04:00:00Z \\
      --filter 'device:dev1' -o tuesday.ndjson && event-desk inspect tuesday.ndjson
  event-desk pull --clickhouse http://noc:8123/team --from 30m --filter '*.fail OR *.drop' | jq .name
`;

const OPTIONS = {
  clickhouse: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  filter: { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const;

const timeOf = (flag: string, text: string, now: number) => {
  try {
    return Date.parse(parseAfter(text, now));
  } catch {
    throw new UsageError(
      `--${flag} "${text}" is neither an RFC 3339 time (e.g. 2026-11-24T03:00:00Z) nor a duration ago (e.g. 2h).`,
    );
  }
};

export async function pullCommand(argv: string[], io: Io): Promise<ExitCode> {
  const { values } = parseCommand('pull', argv, OPTIONS);
  if (values.help) {
    io.stdout.write(PULL_HELP);
    return EXIT.ok;
  }
  if (values.clickhouse === undefined)
    throw new UsageError('Say where the recording is: --clickhouse http://HOST:8123[/DATABASE].');
  if (values.from === undefined)
    throw new UsageError('Say where the window starts: --from 2026-11-24T03:00:00Z, or --from 2h (two hours ago).');
  let target: ClickHouseTarget;
  try {
    target = parseClickHouseUrl(values.clickhouse);
  } catch (e) {
    throw new UsageError(`--clickhouse: ${(e as Error).message}`);
  }
  if (io.env.CLICKHOUSE_PASSWORD) target.password = io.env.CLICKHOUSE_PASSWORD;
  const now = io.now();
  const fromMs = timeOf('from', values.from, now);
  const toMs = values.to !== undefined ? timeOf('to', values.to, now) : now;
  if (toMs < fromMs) throw new UsageError('--to is before --from.');

  const source = new ClickHouseSource(target);
  const opened = source.open({ fromMs, toMs, filter: values.filter ?? '' });
  if (!opened.ok) {
    await source.close();
    throw new UsageError(`--filter: ${opened.error.message}`);
  }
  const window = opened.value;
  const out: Writable = values.output !== undefined ? createWriteStream(values.output, { mode: 0o600 }) : io.stdout;
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  let events = 0;
  try {
    for await (const { line, event } of window.lines()) {
      await write(`${line}\n`);
      if (event) events++;
    }
  } catch (e) {
    throw new CommandError(`ClickHouse ${describeTarget(target)}: ${(e as Error).message}`, EXIT.connect);
  } finally {
    await source.close();
    if (out !== io.stdout) {
      out.end();
      await once(out, 'close');
    }
  }
  const counted = `${events.toLocaleString('en')} event${events === 1 ? '' : 's'}`;
  const written = values.output ? ` written to ${values.output}` : '';
  io.stderr.write(`event-desk: ${counted} from ${describeTarget(target)}${written}.\n`);
  return EXIT.ok;
}
