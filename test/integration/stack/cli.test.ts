import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { post } from '../../helpers/raw-http.js';

const APP = JSON.stringify({ identifiers: [{ application_ids: { application_id: 'demo-app' } }] });

/** `npm run stack -- …` as a user runs it, reading the `--json` line for the URL and key. */
function runStack(args: string[]): Promise<{ child: ChildProcess; url: string; key: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src-main/core/stack/cli.ts', '--port', '0', '--json', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve({ child, ...(JSON.parse(line!) as { url: string; key: string }) });
    });
    child.on('exit', (code) => reject(new Error(`stack exited with ${code}`)));
  });
}

describe('npm run stack', () => {
  let child: ChildProcess | undefined;
  afterEach(() => child?.kill('SIGTERM'));

  it('applies fault switches from the command line: --close-after ends every stream after N events', async () => {
    const s = await runStack(['--rate', '200', '--close-after', '5']);
    child = s.child;
    const stream = await post(s.url, '/api/v3/events', APP, { Authorization: `Bearer ${s.key}` });
    const text = await stream.ended;
    expect(text.trim().split('\n').filter(Boolean)).toHaveLength(6); // events.stream.start + 5 events
  }, 30_000);

  it('answers with the injected HTTP error', async () => {
    const s = await runStack(['--http-error', '503', '--http-error-count', '1']);
    child = s.child;
    const first = await post(s.url, '/api/v3/events', APP, { Authorization: `Bearer ${s.key}` });
    expect(first.status).toBe(503);
    first.close();
  }, 30_000);

  it('prints the device IDs a device stream needs (#16, finding 11)', async () => {
    const c = spawn(
      process.execPath,
      ['--import', 'tsx', 'src-main/core/stack/cli.ts', '--port', '0', '--devices', '2'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = c;
    const text = await new Promise<string>((resolve) => {
      let out = '';
      c.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Devices')) resolve(out);
      });
    });
    expect(text).toMatch(/Devices \(application\/device\): demo-app\/eui-[0-9a-f]{16}, demo-app\/eui-[0-9a-f]{16}/);
  });

  it('refuses a bad switch with a message', async () => {
    await expect(runStack(['--http-error', '418'])).rejects.toThrow(/exited with 2/);
  }, 30_000);
});
