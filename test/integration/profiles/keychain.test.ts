import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeytarSecretStore } from '../../../src-main/core/secrets/secret-store.js';
import { runTs } from '../../helpers/child.js';

// The real OS keychain (gnome-keyring in npm test's private D-Bus session), under a throwaway service name.
const service = `event-desk-test-${randomBytes(4).toString('hex')}`;

describe('API keys in the OS keychain', () => {
  it('sets, reads, replaces, reports and clears a key', async () => {
    const store = new KeytarSecretStore(service);
    const account = 'p-1';
    expect(await store.has(account)).toEqual({ ok: true, value: false });
    expect((await store.set(account, 'NNSXS.AAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBB')).ok).toBe(true);
    expect(await store.has(account)).toEqual({ ok: true, value: true });
    expect(await store.get(account)).toEqual({ ok: true, value: 'NNSXS.AAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBB' });
    await store.set(account, 'NNSXS.CCCCCCCCCCCCCCCC.DDDDDDDDDDDDDDDD');
    expect(await store.get(account)).toEqual({ ok: true, value: 'NNSXS.CCCCCCCCCCCCCCCC.DDDDDDDDDDDDDDDD' });
    expect(await store.delete(account)).toEqual({ ok: true, value: true });
    expect(await store.has(account)).toEqual({ ok: true, value: false });
    expect(await store.delete(account)).toEqual({ ok: true, value: false });
  });

  it('keeps accounts apart (one per profile)', async () => {
    const store = new KeytarSecretStore(service);
    await store.set('p-a', 'key-for-a-1234');
    await store.set('p-b', 'key-for-b-5678');
    expect(await store.get('p-a')).toEqual({ ok: true, value: 'key-for-a-1234' });
    expect(await store.get('p-b')).toEqual({ ok: true, value: 'key-for-b-5678' });
    await store.delete('p-a');
    await store.delete('p-b');
  });

  it('says the keychain is unavailable, with the remedy, when keytar cannot load (no plain-text fallback)', async () => {
    const store = new KeytarSecretStore(service, 'linux', async () => {
      throw new Error('libsecret-1.so.0: cannot open shared object file');
    });
    const r = await store.set('p-1', 'NNSXS.SECRETSECRETSECRET.SECRETSECRETSECRET');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('keychain-unavailable');
    expect(r.error.message).toMatch(/OS keychain is not available.*gnome-keyring/);
    expect(JSON.stringify(r)).not.toContain('SECRETSECRETSECRET');
  });

  it('says so with the remedy when no Secret Service answers on D-Bus (a real failure, in a child process)', async () => {
    const code = `
      const { KeytarSecretStore } = await import('./src-main/core/secrets/secret-store.ts');
      const r = await new KeytarSecretStore('${service}').set('p-1', 'NNSXS.SECRETSECRETSECRET.SECRETSECRETSECRET');
      console.log(JSON.stringify(r));`;
    const out = await runTs(code, {
      ...process.env,
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/event-desk-bus',
    });
    const r = JSON.parse(out.stdout.trim().split('\n').pop()!);
    expect(r.ok).toBe(false);
    expect(r.error.code).toBe('keychain-unavailable');
    expect(r.error.message).toMatch(/install and unlock a Secret Service keyring.*scripts\/with-keyring\.sh/is);
    expect(out.stdout + out.stderr).not.toContain('SECRETSECRETSECRET');
  }, 30_000);
});
