/**
 * The command as a whole: help for every command, mistakes named with their fix, `event-desk stack`,
 * and the live status line a terminal gets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI_ENTRY, runCli } from '../../helpers/cli.js';

const COMMANDS = ['subscribe', 'inspect', 'export', 'profiles', 'stack'];

/** `event-desk stack --port 0 --json …`, reading its one JSON line for the URL and key. */
function startStackCommand(args: string[]): Promise<{ child: ChildProcess; url: string; key: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_ENTRY, 'stack', '--port', '0', '--json', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve({ child, ...(JSON.parse(out.split('\n')[0]!) as { url: string; key: string }) });
    });
    child.on('exit', (code) => reject(new Error(`event-desk stack exited with ${code}`)));
  });
}

describe('event-desk', { timeout: 120_000 }, () => {
  let stack: ChildProcess | undefined;
  afterEach(() => {
    if (stack && stack.exitCode === null) stack.kill('SIGKILL');
    stack = undefined;
  });

  it('--help lists every command; each command has --help with examples', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    // Nothing asked: the same help, on stderr, as a usage error a script can see.
    const bare = await runCli([]);
    expect([bare.code, bare.stdout, bare.stderr]).toEqual([2, '', top.stdout]);
    for (const c of COMMANDS) expect(top.stdout).toMatch(new RegExp(`^  ${c}\\s+\\S`, 'm'));
    for (const c of COMMANDS) {
      const r = await runCli([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.stdout, c).toMatch(new RegExp(`^Usage: event-desk ${c}`));
      expect(r.stdout, c).toMatch(/\nExamples:\n {2}event-desk /);
    }
  });

  it('npm run cli from a subfolder reads files relative to that folder, as the README runs it', async () => {
    const r = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn('npm', ['run', '-s', 'cli', '--', 'inspect', 'sample-events.json'], {
        cwd: 'test/fixtures',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('close', (code) => resolve({ code, out, err }));
    });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^sample-events\.json: JSON array; 84 entries: 84 events;/m);
  });

  it('a mistyped command or flag is named, with the likely fix', async () => {
    const cmd = await runCli(['subscibe']);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toMatch(/unknown command "subscibe"\. Did you mean `subscribe`\?/);
    const flag = await runCli(['inspect', 'x.ndjson', '--jsn']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(
      /Unknown flag --jsn for `inspect`\. Did you mean --json\?\nSee: event-desk inspect --help/,
    );
  });

  it('stack runs the built-in stack (as npm run stack) and stops on SIGTERM; subscribe reads from it', async () => {
    const s = await startStackCommand(['--rate', '200']);
    stack = s.child;
    const r = await runCli(
      ['subscribe', '--server', s.url, '--api-key-env', 'K', '--application-id', 'demo-app', '--count', '5'],
      { env: { K: s.key } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(5);
    const exited = new Promise((resolve) => s.child.on('exit', resolve));
    s.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('on a terminal, subscribe keeps one live status line on stderr (events/s, total, reconnects, gaps); not when piped', async () => {
    const s = await startStackCommand(['--rate', '300']);
    stack = s.child;
    const cmd = [
      process.execPath,
      '--import',
      'tsx',
      CLI_ENTRY,
      'subscribe',
      '--server',
      s.url,
      '--api-key-env',
      'K',
      '--application-id',
      'demo-app',
      '--duration',
      '3s',
    ]
      .map((a) => `'${a}'`)
      .join(' ');
    const term = spawn('script', ['-qec', `${cmd} > /dev/null`, '/dev/null'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, K: s.key },
    });
    let screen = '';
    term.stdout.on('data', (d: Buffer) => (screen += d.toString()));
    expect(await new Promise((r) => term.on('close', r))).toBe(0);
    const live = screen.split('\r\x1b[2K').filter((x) => /events\/s/.test(x));
    expect(live.length).toBeGreaterThanOrEqual(1);
    expect(live[0]).toMatch(/^\d+ events\/s · \d+ total · 0 reconnects · 0 gaps · open/);
    const piped = await runCli(
      ['subscribe', '--server', s.url, '--api-key-env', 'K', '--application-id', 'demo-app', '--duration', '2s'],
      { env: { K: s.key } },
    );
    expect(piped.stderr).not.toMatch(/events\/s/);
  });
});
