/**
 * Runs the real `event-desk` command as a child process (`node --import tsx src-main/cli/main.ts`),
 * as a user or a script would, and watches its output.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export const CLI_ENTRY = 'src-main/cli/main.ts';

export interface CliRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Complete stdout lines so far. */
  lines: () => string[];
  exited: Promise<number | null>;
  /** Poll until `check` holds, failing with what the command said so far. */
  until: (check: () => boolean, what: string, timeoutMs?: number) => Promise<void>;
}

/** `stdin`: the whole input, or 'pipe' to keep it open (write to `child.stdin`); default: empty. */
export function startCli(args: string[], opts: { env?: NodeJS.ProcessEnv; stdin?: string } = {}): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_ENTRY, ...args], {
    env: { ...process.env, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  // 'pipe' leaves stdin open for the test to write to; a string is the whole input; nothing is EOF.
  if (opts.stdin !== 'pipe') child.stdin!.end(opts.stdin ?? '');
  const exited = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    lines: () => out.split('\n').slice(0, -1),
    exited,
    async until(check, what, timeoutMs = 60_000) {
      const start = Date.now();
      while (!check()) {
        if (Date.now() - start > timeoutMs || (done && !check()))
          throw new Error(`${done ? 'the command exited' : 'timed out'} waiting for ${what}\nstderr:\n${err}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

/** Run to completion. */
export async function runCli(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; stdin?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const r = startCli(args, opts);
  const code = await r.exited;
  return { code, stdout: r.stdout(), stderr: r.stderr() };
}
