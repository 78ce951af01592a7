/**
 * `event-desk subscribe` run as a child process against the built-in stack: what a user at a terminal
 * or a script sees on stdout, stderr, in the capture file and in the exit code.
 */
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { generateApiKey, startStack, type StackHandle } from '../../../src-main/core/stack/server.js';
import { post } from '../../helpers/raw-http.js';
import { runCli, type CliRun } from '../../helpers/cli.js';
import { captureIds, captureLines, captureStatus, runSubscribe, startSubscribe } from '../../helpers/subscribe-run.js';

const APP = { identifiers: [{ application_ids: { application_id: 'demo-app' } }] };

/** A fault-free subscription with its own key: the ground truth of what the app stream carried. */
async function reference(stack: StackHandle) {
  const key = generateApiKey();
  stack.addKey({ key, rights: { application: { '*': ['RIGHT_APPLICATION_ALL'] } } });
  // The server's full buffer (tail 1024 with after, as Event Desk asks): a tail-less subscriber gets an
  // 8-event channel and loses events in every burst, on TTS and on the built-in stack alike.
  const s = await post(
    stack.url,
    '/api/v3/events',
    JSON.stringify({ ...APP, tail: 1024, after: new Date().toISOString() }),
    { Authorization: `Bearer ${key}` },
  );
  await s.until((t) => t.includes('\n'));
  return {
    ids: () =>
      s
        .text()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).result)
        .filter((e: { name: string }) => e.name !== 'events.stream.start')
        .map((e: { unique_id: string }) => e.unique_id),
    count: () => s.newlines() - 1,
    close: () => s.close(),
  };
}

const count = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l)).length;

describe('event-desk subscribe', { timeout: 120_000 }, () => {
  let stack: StackHandle | undefined;
  let cli: CliRun | undefined;
  let dir: string;
  afterEach(async () => {
    if (cli && cli.child.exitCode === null) cli.child.kill('SIGKILL');
    cli = undefined;
    await stack?.close();
    stack = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const tmp = () => (dir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-cli-')));

  it(
    'no events store, connection killed 3 times: 3 gaps on stderr and in the capture, every event exactly once, SIGINT closes the capture',
    { timeout: 90_000 },
    async () => {
      stack = await startStack({ seed: 31, store: { enabled: false }, scenario: { devices: 6, gateways: 2 } });
      const ref = await reference(stack);
      const out = path.join(tmp(), 'capture.ndjson');
      cli = startSubscribe(stack, ['--output', out]);
      await cli.until(() => /Stream started/.test(cli!.stderr()), 'the first connection');
      // Both sides have everything once they agree and stay agreed (a flow reaches the sockets over a few ticks).
      const publishAndWait = async (flows: number) => {
        stack!.emitFlows(flows);
        for (let settled = 0; settled < 3;) {
          await cli!.until(
            () => ref.count() > 0 && cli!.lines().length === ref.count(),
            'the command to print every event the reference saw',
          );
          const seen = ref.count();
          await new Promise((r) => setTimeout(r, 100));
          settled = ref.count() === seen && cli!.lines().length === seen ? settled + 1 : 0;
        }
      };
      await publishAndWait(5);
      for (let kill = 1; kill <= 3; kill++) {
        stack.killStreams(stack.demoKey);
        await cli.until(
          () =>
            count(cli!.stderr(), /^event-desk: reconnect:/) === kill &&
            count(cli!.stderr(), /^event-desk: gap:/) === kill,
          `reconnect and gap #${kill} on stderr`,
        );
        await publishAndWait(4);
      }
      cli.child.kill('SIGINT');
      expect(await cli.exited).toBe(0);
      ref.close();

      const printed = cli.lines().map((l) => JSON.parse(l).unique_id as string);
      expect(printed.length).toBe(ref.count());
      expect(printed).toEqual(ref.ids());
      expect(captureIds(out)).toEqual(printed);
      const status = captureStatus(out);
      expect(status.filter((s) => s.kind === 'gap')).toHaveLength(3);
      expect(status.filter((s) => s.kind === 'reconnect')).toHaveLength(3);
      for (const g of status.filter((s) => s.kind === 'gap')) expect(g.message).toMatch(/no event history/);
      expect(
        count(cli.stderr(), /^event-desk: gap: Events between .* may be missing: the server keeps no event history/),
      ).toBe(3);
      const last = status.at(-1)!;
      expect(last.kind).toBe('stopped');
      expect(last.message).toMatch(/SIGINT/);
      expect(last.message).toContain(`${printed.length} events received, 3 reconnects, 3 gaps`);
      expect(cli.stderr()).toMatch(new RegExp(`${printed.length} events, 3 reconnects, 3 gaps; capture: `));
    },
  );

  it(
    'SIGINT mid-stream at full flow: every event printed is in the capture, in order, and a status entry closes it',
    { timeout: 60_000 },
    async () => {
      stack = await startStack({ seed: 32, rate: 3000, scenario: { devices: 40, gateways: 4 } });
      const out = path.join(tmp(), 'sigint.ndjson');
      cli = startSubscribe(stack, ['--gateway-id', 'demo-gateway-1', '-o', out]);
      await cli.until(() => cli!.lines().length >= 2000, '2,000 events');
      cli.child.kill('SIGINT');
      expect(await cli.exited).toBe(0);
      const printed = cli.lines().map((l) => JSON.parse(l));
      const captured = captureLines(out).filter((o) => !o._eventDesk);
      expect(captured.length).toBeGreaterThanOrEqual(2000);
      // The summary line counts what the session received; file and stdout both hold all of it.
      const said = Number(/event-desk: ([\d,]+) events/.exec(cli.stderr())![1]!.replace(/,/g, ''));
      expect(captured.length).toBe(said);
      expect(printed.length).toBe(said);
      expect(captured.map((e) => `${e.unique_id}|${e.name}`)).toEqual(printed.map((e) => `${e.unique_id}|${e.name}`));
      const last = captureLines(out).at(-1)!._eventDesk;
      expect(last?.kind).toBe('stopped');
      expect(last?.message).toMatch(/Stopped by SIGINT/);
    },
  );

  it('SIGTERM (a service manager stopping it) ends the same way: exit 0, the capture closed by a status entry', async () => {
    stack = await startStack({ rate: 200 });
    const out = path.join(tmp(), 'sigterm.ndjson');
    cli = startSubscribe(stack, ['-o', out]);
    await cli.until(() => cli!.lines().length >= 20, '20 events');
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(captureIds(out)).toEqual(cli.lines().map((l) => JSON.parse(l).unique_id));
    expect(captureStatus(out).at(-1)).toMatchObject({
      kind: 'stopped',
      message: expect.stringMatching(/^Stopped by SIGTERM\. \d+ events received/),
    });
  });

  it('a key the server does not know: exit 3 and the reason in plain words, nothing on stdout', async () => {
    stack = await startStack();
    const r = await runCli(['subscribe', '--server', stack.url, '--api-key-env', 'K', '--application-id', 'demo-app'], {
      env: { K: generateApiKey() },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /The server does not know this API key: it may have been deleted\. Create a new key and set it \(--api-key-env or --api-key-file\)/,
    );
    expect(r.stdout).toBe('');
  });

  it('a key without rights on the entity: exit 3, naming the entity', async () => {
    const key = generateApiKey();
    stack = await startStack({ keys: [{ key, rights: { gateway: { 'demo-gateway-1': ['RIGHT_GATEWAY_ALL'] } } }] });
    const r = await runCli(['subscribe', '--server', stack.url, '--api-key-env', 'K', '--application-id', 'app1'], {
      env: { K: key },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('The API key has no rights on application `app1`.');
  });

  it('a closed port: exit 4 with what to check', async () => {
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    const r = await runCli(
      ['subscribe', '--server', `http://127.0.0.1:${port}`, '--api-key-env', 'K', '--application-id', 'demo-app'],
      { env: { K: generateApiKey() } },
    );
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(
      new RegExp(`Could not connect to http://127\\.0\\.0\\.1:${port}: Nothing is listening at the server address`),
    );
  });

  it('--count N prints exactly N events and exits 0; --names reaches the server', async () => {
    stack = await startStack({ rate: 500, scenario: { devices: 10, gateways: 2 } });
    const r = await runSubscribe(stack, ['--names', 'as.up.data.forward', '--count', '7']);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(7);
    expect(new Set(lines.map((e) => e.name))).toEqual(new Set(['as.up.data.forward']));
    expect(r.stderr).toMatch(/the server confirmed 1 event names/);
  });

  it('--duration stops on time; --format pretty prints indented events like ttn-lw-cli', async () => {
    stack = await startStack({ rate: 50 });
    const t0 = Date.now();
    const r = await runCli(
      [
        'subscribe',
        '--server',
        stack.url,
        '--api-key-env',
        'K',
        '--gateway-id',
        'demo-gateway-1',
        '--format',
        'pretty',
        '--duration',
        '2s',
      ],
      { env: { K: stack.demoKey } },
    );
    const took = Date.now() - t0;
    expect(r.code).toBe(0);
    expect(took).toBeGreaterThanOrEqual(2000);
    expect(took).toBeLessThan(15_000);
    expect(r.stderr).toMatch(/Stopped after --duration 2s/);
    expect(r.stdout.startsWith('{\n  "name": ')).toBe(true);
    const objects = r.stdout.split(/\n(?=\{)/).map((t) => JSON.parse(t));
    expect(objects.length).toBeGreaterThan(0);
    expect(objects.every((o) => o.identifiers)).toBe(true);
  });

  it('--tail with a store replays history first', async () => {
    stack = await startStack({ store: { enabled: true } });
    stack.emitFlows(10);
    const r = await runSubscribe(stack, ['--tail', '3', '--count', '3']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(3);
  });

  it('never takes the key as an argument, and does not repeat it in the refusal', async () => {
    const key = generateApiKey();
    const r = await runCli([
      'subscribe',
      '--server',
      'http://127.0.0.1:1',
      '--api-key',
      key,
      '--application-id',
      'demo-app',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--api-key is not accepted: a key on the command line shows in `ps`/);
    expect(r.stderr).not.toContain(key.slice(6));
  });
});
