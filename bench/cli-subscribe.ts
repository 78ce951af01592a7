/**
 * `event-desk subscribe` at full speed: the built-in stack in its own process (as for ingest), the
 * command as a user runs it, with stdout to a file. Events/s from the command's own summary line.
 */
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { startStackProcess } from './stack-process.js';

export async function cliSubscribe(
  stackArgs: string[],
  secs: number,
): Promise<{ eventsPerSec: number; events: number; mbPerSec: number }> {
  const stack = await startStackProcess(stackArgs);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-bench-cli-'));
  const out = path.join(dir, 'stdout.ndjson');
  const fd = openSync(out, 'w');
  try {
    const gateways = Array.from({ length: 10 }, (_, i) => `demo-gateway-${i + 1}`).join(',');
    const args = [
      '--import',
      'tsx',
      'src-main/cli/main.ts',
      'subscribe',
      '--server',
      stack.url,
      '--api-key-env',
      'EVENT_DESK_BENCH_KEY',
      '--application-id',
      'demo-app',
      '--gateway-id',
      gateways,
      '--duration',
      `${secs}s`,
    ];
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', fd, 'pipe'],
      env: { ...process.env, EVENT_DESK_BENCH_KEY: stack.key },
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const m = /event-desk: ([\d,]+) events/.exec(stderr);
    if (code !== 0 || !m) throw new Error(`event-desk subscribe exited with ${code}: ${stderr}`);
    const events = Number(m[1]!.replace(/,/g, ''));
    return { eventsPerSec: events / secs, events, mbPerSec: statSync(out).size / 1e6 / secs };
  } finally {
    closeSync(fd);
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
