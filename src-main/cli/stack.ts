/**
 * `event-desk stack`: the built-in stack, exactly as `npm run stack` runs it (same switches, same code).
 */
import { runStackCommand } from '../core/stack/command.js';
import { EXIT, type ExitCode } from './args.js';
import type { Io } from './context.js';

export const STACK_HELP = `Usage: event-desk stack [options]

Run the built-in stack: a local Things Stack events endpoint (POST /api/v3/events, auth_info,
events/related) with simulated devices and gateways, on 127.0.0.1. It prints its URL and an API key
with every right. The same as \`npm run stack\` in the repository.

  --port N (1885, 0 = any free port)   --host ADDR   --rate N|max (events/s, 20)   --seed N
  --devices N   --gateways N   --applications N   --store (keep history: tail, after, events/related)
  --legacy (pre-3.28 correlation IDs)   --json (print {"url","key"} on one line, for scripts)
Faults on every stream: --close-after N  --close-probability P  --stall-after N --stall-ms T
  --chunk-bytes B [--drip-ms T]  --malformed-after N  --error-after N
  --http-error 429|500|503 --http-error-count N [--retry-after S]  --slow-consumer-buffer N

Examples:
  event-desk stack --store
  event-desk stack --port 0 --json --rate max          # for a benchmark
  event-desk stack --close-probability 0.01             # then: event-desk subscribe … (watch the gaps)
`;

export async function stackCommand(argv: string[], io: Io): Promise<ExitCode> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(STACK_HELP);
    return EXIT.ok;
  }
  await runStackCommand(argv, 'event-desk stack');
  return EXIT.ok;
}
