/**
 * The `event-desk` command table and dispatcher: one command line in, one exit code out.
 */
import os from 'node:os';
import { CommandError, EXIT, UsageError, nearest, type ExitCode } from './args.js';
import { appVersion, type Io } from './context.js';
import { SUBSCRIBE_HELP, parseSubscribeArgs } from './subscribe-args.js';
import { runSubscribe } from './subscribe.js';
import { STACK_HELP, stackCommand } from './stack.js';
import { INSPECT_HELP, inspectCommand } from './inspect.js';
import { REPORT_HELP, reportCommand } from './report.js';
import { PROFILES_HELP, profilesCommand } from './profiles.js';
import { EXPORT_HELP, exportCommand } from './export.js';
import { DECODE_HELP, decodeCommand } from './decode.js';
import { PULL_HELP, pullCommand } from './pull.js';

export const MAIN_HELP = `Usage: event-desk <command> [options]      (event-desk <command> --help for each)

Commands:
  subscribe   stream events from a Things Stack, lossless: reconnects, resumes, records gaps
  inspect     read any file the app opens and list its events, gaps and chains (--json for scripts)
  report      device and gateway health of a capture: frames lost vs. not captured, RSSI/SNR (--json)
  export      convert, filter and redact a capture: JSON, NDJSON or a support bundle
  decode      decode one LoRaWAN frame: fields, MAC commands in words, MIC and payload with keys (--keys)
  pull        a time window of a team's ClickHouse recording, filtered, as a capture file
  profiles    the app's server profiles and their keys in the OS keychain: list, add, remove, set-key, check
  stack       run the built-in stack (a local Things Stack events endpoint) for demos and tests

Exit codes: 0 done, 2 bad arguments, 3 the server refused the key or rights, 4 could not connect, 1 other.
`;

type Command = (argv: string[], io: Io) => Promise<ExitCode>;

const COMMANDS: Record<string, { help: string; run: Command }> = {
  subscribe: {
    help: SUBSCRIBE_HELP,
    run: async (argv, io) => {
      const opts = parseSubscribeArgs(argv, io.now());
      if (!opts) return help(io, SUBSCRIBE_HELP);
      return runSubscribe(opts, io);
    },
  },
  inspect: { help: INSPECT_HELP, run: inspectCommand },
  report: { help: REPORT_HELP, run: reportCommand },
  export: { help: EXPORT_HELP, run: exportCommand },
  decode: { help: DECODE_HELP, run: decodeCommand },
  pull: { help: PULL_HELP, run: pullCommand },
  profiles: { help: PROFILES_HELP, run: profilesCommand },
  stack: { help: STACK_HELP, run: stackCommand },
};

function help(io: Io, text: string): ExitCode {
  io.stdout.write(text);
  return EXIT.ok;
}

/** Run one command line; never throws (every failure is a message on stderr and an exit code). */
export async function run(argv: string[], io: Io): Promise<ExitCode> {
  const [name, ...rest] = argv;
  // No command is a mistake a script should see: the help goes to stderr and the exit code is 2.
  if (name === undefined) {
    io.stderr.write(MAIN_HELP);
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    return help(io, (topic && COMMANDS[topic]?.help) || MAIN_HELP);
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${appVersion()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    const close = nearest(name, Object.keys(COMMANDS));
    const hint = close ? ` Did you mean \`${close}\`?` : '';
    io.stderr.write(
      `event-desk: unknown command "${name}".${hint} Commands: ${Object.keys(COMMANDS).join(', ')}. See event-desk --help.\n`,
    );
    return EXIT.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`event-desk ${name}: ${e.message}\nSee: event-desk ${name} --help\n`);
      return EXIT.usage;
    }
    if (e instanceof CommandError) {
      io.stderr.write(`event-desk ${name}: ${e.message}\n`);
      return e.exitCode;
    }
    io.stderr.write(`event-desk ${name}: unexpected error: ${(e as Error).stack ?? String(e)}\n`);
    return EXIT.failure;
  }
}

/** The process as an Io. */
export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    platform: process.platform,
    home: os.homedir(),
    now: Date.now,
    onSignal: (handler) => {
      const h = (s: NodeJS.Signals) => handler(s);
      process.on('SIGINT', h);
      process.on('SIGTERM', h);
      return () => {
        process.off('SIGINT', h);
        process.off('SIGTERM', h);
      };
    },
  };
}
