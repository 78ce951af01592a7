/**
 * Argument parsing for the `event-desk` command: `node:util` parseArgs, with errors that name the bad
 * flag and the fix, and the exit codes every command shares.
 *
 * Pure (no process access): commands get their argv as a value, so parsing is unit-tested directly.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Exit codes (issue #15): scripts branch on these, so they are a stable interface. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** The server refused the key or its rights. */
  auth: 3,
  /** Could not connect (refused, DNS, TLS). */
  connect: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A mistake in the command line: exit 2 with this message and a pointer to `--help`. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure worth its own exit code (3 for the key, 4 for the connection, 1 otherwise). */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failure,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parse `argv` for `command` strictly: an unknown flag, a missing value or a stray argument is a
 * UsageError naming it. `--help`/`-h` is added to every command.
 */
export function parseCommand<O extends Options>(
  command: string,
  argv: string[],
  options: O,
  opts: { positionals?: { min?: number; max?: number; names?: string } } = {},
) {
  type All = O & { help: { type: 'boolean'; short: 'h' } };
  const all = { ...options, help: { type: 'boolean', short: 'h' } } as All;
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: All; strict: true; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: all, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError(explainParseError(command, e as Error & { code?: string }, options, argv), command);
  }
  const { values, positionals } = parsed;
  if (!(values as { help?: boolean }).help) {
    const { min = 0, max = 0, names = '' } = opts.positionals ?? {};
    if (positionals.length > max) {
      const extra = positionals[max]!;
      const hint = extra.startsWith('-')
        ? ''
        : max === 0
          ? ` \`${command}\` takes no positional arguments: every value goes after its flag.`
          : '';
      throw new UsageError(`Unexpected argument "${extra}".${hint}`, command);
    }
    if (positionals.length < min) throw new UsageError(`Missing ${names || 'argument'}.`, command);
  }
  return { values, positionals };
}

function explainParseError(command: string, e: Error & { code?: string }, options: Options, argv: string[]): string {
  const flag = /'(-{1,2}[^' ]+)/.exec(e.message)?.[1];
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) {
    const name = flag.replace(/^-+/, '');
    if (name === 'api-key' || name === 'key')
      return (
        `${flag} is not accepted: a key on the command line shows in \`ps\` and in shell history. ` +
        'Use --api-key-env VAR or --api-key-file FILE, or --profile NAME (key in the OS keychain).'
      );
    const close = nearest(name, Object.keys(options));
    return `Unknown flag ${flag} for \`${command}\`.${close ? ` Did you mean --${close}?` : ''}`;
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag) {
    const name = flag.replace(/^-+/, '').split(/[ =]/)[0]!;
    const def = options[name];
    if (def?.type === 'string')
      return `${flag.split(/[ =]/)[0]} needs a value, e.g. ${flag.split(/[ =]/)[0]} ${example(name)}.`;
    return `${flag.split(/[ =]/)[0]} takes no value.`;
  }
  void argv;
  return e.message;
}

const EXAMPLES: Record<string, string> = {
  'application-id': 'app1',
  'device-id': 'dev1',
  'gateway-id': 'gtw1',
  'organization-id': 'org1',
  'user-id': 'user1',
  'client-id': 'client1',
  names: 'as.up.data.forward,/^ns\\.up\\./',
  tail: '10',
  after: '2024-03-22T09:00:00Z',
  count: '100',
  duration: '10m',
  output: 'capture.ndjson',
  format: 'ndjson',
  profile: '"TTN EU1"',
  server: 'https://eu1.cloud.thethings.network',
  'api-key-env': 'TTS_API_KEY',
  'api-key-file': '~/.tts-key',
  'data-dir': '~/.config/Event Desk',
  filter: 'ns.up.*',
  redact: 'ids,ips',
  url: 'https://eu1.cloud.thethings.network',
  ca: 'ca.pem',
  notes: '"customer X"',
};

const example = (name: string) => EXAMPLES[name] ?? 'VALUE';

/** The closest known flag name (edit distance ≤ 2), to suggest a fix for a typo. */
export function nearest(name: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const k of known) {
    const d = distance(name, k);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/**
 * `10s`, `5m`, `1h30m`, `500ms`, `2d`, or a plain number of seconds, in milliseconds. Throws a
 * UsageError naming `flag`.
 */
export function parseDuration(flag: string, text: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * unit[m[2]!]!;
    end = re.lastIndex;
  }
  if (t === '' || end !== t.length || total <= 0)
    throw new UsageError(`${flag} "${text}" is not a duration: use e.g. 30s, 10m, 1h30m or 2d.`);
  return total;
}

/** A positive whole number for `flag` (or zero, with `allowZero`). */
export function parseCount(flag: string, text: string, allowZero = false): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || (!allowZero && n === 0))
    throw new UsageError(`${flag} "${text}" must be a whole number${allowZero ? '' : ' above 0'}, e.g. ${flag} 100.`);
  return n;
}

/**
 * Comma-separated values of repeatable flags, as ttn-lw-cli takes them (`--application-id a,b
 * --application-id c`). Commas inside a `/regex/` do not split it.
 */
export function splitList(values: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const v of values ?? []) {
    let cur = '';
    let inRegex = false;
    for (let i = 0; i < v.length; i++) {
      const c = v[i]!;
      if (c === '/' && (cur === '' || inRegex) && v[i - 1] !== '\\') inRegex = cur === '' ? true : !inRegex;
      if (c === ',' && !inRegex) {
        if (cur.trim()) out.push(cur.trim());
        cur = '';
        continue;
      }
      cur += c;
    }
    if (cur.trim()) out.push(cur.trim());
  }
  return out;
}

/** An RFC 3339 time, or a duration meaning "that long ago" (`--after 10m`), as RFC 3339. */
export function parseAfter(text: string, now: number): string {
  const t = text.trim();
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(t) && !Number.isNaN(Date.parse(t)))
    return t;
  let ms: number;
  try {
    ms = parseDuration('--after', t);
  } catch {
    throw new UsageError(
      `--after "${text}" is neither an RFC 3339 time (e.g. 2024-03-22T09:00:00Z) nor a duration ago (e.g. 10m).`,
    );
  }
  return new Date(now - ms).toISOString();
}
