/**
 * `event-desk profiles` and `subscribe --profile` as child processes, with the real OS keychain
 * (run under `bash scripts/with-keyring.sh npx vitest run test/integration/cli/profiles.test.ts`,
 * as `npm test` does).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { KeytarSecretStore } from '../../../src-main/core/secrets/secret-store.js';
import { generateApiKey, startStack, type StackHandle } from '../../../src-main/core/stack/server.js';
import { CLI_ENTRY, runCli, startCli } from '../../helpers/cli.js';

describe('event-desk profiles (real keychain)', { timeout: 120_000 }, () => {
  let stack: StackHandle;
  let dir: string;
  const cli = (args: string[], stdin?: string) =>
    runCli([...args, '--data-dir', dir], stdin === undefined ? {} : { stdin });
  const profileId = (name: string) =>
    (
      JSON.parse(readFileSync(path.join(dir, 'profiles.json'), 'utf8')).profiles as Array<{ id: string; name: string }>
    ).find((p) => p.name === name)!.id;

  beforeAll(async () => {
    stack = await startStack({ rate: 200 });
    dir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-cli-profiles-'));
  });
  afterAll(async () => {
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('add, set-key from stdin, list, check, subscribe --profile, remove: the key never shows in any output', async () => {
    const key = stack.demoKey;
    const add = await cli(['profiles', 'add', 'Local stack', '--url', stack.url]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/Added "Local stack" \(p-[a-z0-9]+\)/);

    let list = JSON.parse((await cli(['profiles', 'list', '--json'])).stdout) as Array<{
      name: string;
      hasKey: boolean;
      baseUrl: string;
    }>;
    expect(list.find((p) => p.name === 'Local stack')).toMatchObject({ hasKey: false, baseUrl: stack.url });

    const set = await cli(['profiles', 'set-key', 'local STACK'], `${key}\n`);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('Key set for "Local stack" in the OS keychain');
    list = JSON.parse((await cli(['profiles', 'list', '--json'])).stdout);
    expect(list.find((p) => p.name === 'Local stack')?.hasKey).toBe(true);
    expect(await new KeytarSecretStore().get(profileId('Local stack'))).toEqual({ ok: true, value: key });

    const check = await cli(['profiles', 'check', 'Local stack']);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/Key: api-key \S+ of user admin\./);
    expect(check.stdout).toMatch(/Rights: RIGHT_APPLICATION_ALL/);

    const sub = await cli(['subscribe', '--profile', 'Local stack', '--application-id', 'demo-app', '--count', '3']);
    expect(sub.code, sub.stderr).toBe(0);
    expect(sub.stdout.split('\n').filter(Boolean)).toHaveLength(3);

    for (const r of [add, set, check, sub]) expect(r.stdout + r.stderr).not.toContain(key.split('.')[2]!);
    const id = profileId('Local stack');
    const rm = await cli(['profiles', 'remove', 'Local stack']);
    expect(rm.code).toBe(0);
    expect(await new KeytarSecretStore().has(id)).toEqual({ ok: true, value: false });
    list = JSON.parse((await cli(['profiles', 'list', '--json'])).stdout);
    expect(list.some((p) => p.name === 'Local stack')).toBe(false);
  });

  it('remove without a keychain removes the profile, exits 0 and says how to delete the key by hand', async () => {
    const key = generateApiKey();
    await cli(['profiles', 'add', 'no-keychain', '--url', stack.url]);
    expect((await cli(['profiles', 'set-key', 'no-keychain'], `${key}\n`)).code).toBe(0);
    const id = profileId('no-keychain');
    // No Secret Service answers on this bus: the keychain is not available to the command.
    const rm = await runCli(['profiles', 'remove', 'no-keychain', '--data-dir', dir], {
      env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/event-desk-bus' },
    });
    expect(rm.code, rm.stderr).toBe(0);
    expect(rm.stdout).toBe('Removed no-keychain.\n');
    expect(rm.stderr).toMatch(/^event-desk profiles remove: warning: the key of no-keychain could not be deleted/);
    expect(rm.stderr).toContain(`secret-tool clear service event-desk account ${id}\n`);
    const list = JSON.parse((await cli(['profiles', 'list', '--json'])).stdout) as Array<{ name: string }>;
    expect(list.some((p) => p.name === 'no-keychain')).toBe(false);
    // The warning is true: the key is still there, until deleted as it says.
    expect(await new KeytarSecretStore().get(id)).toEqual({ ok: true, value: key });
    await new KeytarSecretStore().delete(id);
  });

  it('a data folder that does not exist yet is made; a name another profile has, in any case, is refused', async () => {
    const fresh = path.join(dir, 'not', 'yet');
    const add = await runCli(['profiles', 'add', 'Test One', '--url', stack.url, '--data-dir', fresh]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stderr).toBe('');
    const twin = await runCli(['profiles', 'add', 'test ONE', '--url', stack.url, '--data-dir', fresh]);
    expect(twin.code).toBe(2);
    expect(twin.stderr).toMatch(/A profile is named "Test One" already: give this one another name\./);
    const names = JSON.parse(readFileSync(path.join(fresh, 'profiles.json'), 'utf8')).profiles.map(
      (p: { name: string }) => p.name,
    );
    expect(names).toEqual(['Demo stack', 'Test One']);
  });

  it('set-key waits on stdin with nothing of the key in ps, the environment or the arguments', async () => {
    const key = generateApiKey();
    await cli(['profiles', 'add', 'ps-test', '--url', stack.url]);
    const run = startCli(['profiles', 'set-key', 'ps-test', '--data-dir', dir], { stdin: 'pipe' });
    // Give it time to open the profiles and block on stdin, then look at it from outside.
    await new Promise((r) => setTimeout(r, 1500));
    const pid = run.child.pid!;
    expect(run.child.exitCode, run.stderr()).toBeNull();
    const ps = execFileSync('ps', ['-ww', '-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
    expect(ps).toContain('set-key ps-test');
    expect(ps).not.toContain(key);
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8')).not.toContain(key);
    run.child.stdin!.end(`${key}\n`);
    expect(await run.exited, run.stderr()).toBe(0);
    expect(run.stdout() + run.stderr()).not.toContain(key);
    expect(await new KeytarSecretStore().get(profileId('ps-test'))).toEqual({ ok: true, value: key });
  });

  it('on a terminal, set-key prompts and does not echo what is typed', async () => {
    const key = generateApiKey();
    await cli(['profiles', 'add', 'tty-test', '--url', stack.url]);
    // `script` gives the command a pseudo-terminal; everything the terminal would show comes back on stdout.
    const cmd = [process.execPath, '--import', 'tsx', CLI_ENTRY, 'profiles', 'set-key', 'tty-test', '--data-dir', dir]
      .map((a) => `'${a}'`)
      .join(' ');
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    child.stdout.on('data', (d: Buffer) => (screen += d.toString()));
    const start = Date.now();
    while (!screen.includes('API key for tty-test (not shown): ')) {
      if (Date.now() - start > 20_000) throw new Error(`no prompt; screen: ${screen}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.stdin.write(`${key}\r`);
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(0);
    expect(screen).toContain('Key set for tty-test in the OS keychain');
    expect(screen).not.toContain(key.slice(6, 20));
    expect(await new KeytarSecretStore().get(profileId('tty-test'))).toEqual({ ok: true, value: key });
  });

  it('a profile without a key, a wrong key, and an unknown profile each say what to do', async () => {
    await cli(['profiles', 'add', 'no-key', '--url', stack.url]);
    const noKey = await cli(['subscribe', '--profile', 'no-key', '--application-id', 'demo-app']);
    expect(noKey.code).toBe(3);
    expect(noKey.stderr).toMatch(/No API key is set for "no-key".*event-desk profiles set-key "no-key"/);

    await cli(['profiles', 'add', 'wrong-key', '--url', stack.url]);
    await cli(['profiles', 'set-key', 'wrong-key'], generateApiKey());
    const check = await cli(['profiles', 'check', 'wrong-key']);
    expect(check.code).toBe(3);
    expect(check.stderr).toMatch(/wrong-key: The server does not know this API key/);
    const sub = await cli(['subscribe', '--profile', 'wrong-key', '--application-id', 'demo-app']);
    expect(sub.code).toBe(3);
    expect(sub.stderr).toMatch(/does not know this API key.*event-desk profiles set-key "wrong-key"/);

    const unknown = await cli(['subscribe', '--profile', 'nope', '--application-id', 'demo-app']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/There is no profile "nope" \(--profile\)\. Profiles: .*"no-key"/);
  });

  it('a split deployment (a component on its own URL) is one subscription over both addresses, like ttn-lw-cli', async () => {
    const key = generateApiKey();
    const is = await startStack({ demoKey: key, rate: 100, seed: 41 });
    const gs = await startStack({ demoKey: key, rate: 100, seed: 42 });
    try {
      await cli(['profiles', 'add', 'split', '--url', is.url, '--component', `gs=${gs.url}`]);
      await cli(['profiles', 'set-key', 'split'], key);
      const r = await cli([
        'subscribe',
        '--profile',
        'split',
        '--gateway-id',
        'demo-gateway-1',
        '--application-id',
        'demo-app',
        '--duration',
        '3s',
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr.match(/Stream started/g)).toHaveLength(2);
      expect(is.stats.streamsAccepted).toBe(1);
      expect(gs.stats.streamsAccepted).toBe(1);
      const printed = r.stdout.split('\n').filter(Boolean).length;
      // Both addresses delivered to this one subscription (the stacks have no other subscriber).
      expect(is.stats.sent).toBeGreaterThan(0);
      expect(gs.stats.sent).toBeGreaterThan(0);
      expect(printed).toBeGreaterThan(Math.max(is.stats.sent, gs.stats.sent) / 2);
      expect(printed).toBeLessThanOrEqual(is.stats.sent + gs.stats.sent);
    } finally {
      await is.close();
      await gs.close();
    }
  });

  it('the Demo stack profile streams from the built-in stack with a generated key', async () => {
    const r = await cli(['subscribe', '--profile', 'Demo stack', '--application-id', 'demo-app', '--count', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(
      r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).name),
    ).toHaveLength(1);
  });
});
