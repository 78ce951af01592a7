/**
 * Listing profiles asks the keychain once for all of them (#13, failure 10: 2,000 profiles took 2.9 s,
 * one keychain round trip per profile). Against the real keychain, counting what keytar is asked.
 */
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KeytarSecretStore } from '../../../src-main/core/secrets/secret-store.js';
import { ProfileService } from '../../../src-main/core/services/profile-service.js';
import { DemoStack } from '../../../src-main/core/services/demo-stack.js';
import { ScriptedDialogs } from '../../../src-main/core/services/dialogs.js';
import { PROFILES_FILE } from '../../../src-main/core/profiles/profile-store.js';

type Keytar = typeof import('keytar');

describe('profiles and the keychain', () => {
  it('2,000 profiles: one keychain call says which have a key', async () => {
    const real = (await import('keytar')) as Keytar & { default?: Keytar };
    const keytar = real.default ?? real;
    const calls: Record<string, number> = {};
    // The real keytar, with every call counted.
    const counted = new Proxy(keytar, {
      get: (t, k: string) => {
        const v = (t as unknown as Record<string, unknown>)[k];
        return typeof v === 'function'
          ? (...a: unknown[]) => {
              calls[k] = (calls[k] ?? 0) + 1;
              return (v as (...x: unknown[]) => unknown).apply(t, a);
            }
          : v;
      },
    });
    const secrets = new KeytarSecretStore(
      `event-desk-test-${randomBytes(4).toString('hex')}`,
      process.platform,
      async () => counted,
    );
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-keychain-'));
    const profiles = Array.from({ length: 2000 }, (_, i) => ({
      id: `p${i}`,
      name: `Server ${i}`,
      baseUrl: 'https://eu1.cloud.thethings.network',
      color: '#1f6feb',
    }));
    writeFileSync(path.join(dataDir, PROFILES_FILE), JSON.stringify({ schemaVersion: 2, profiles }));
    const service = await ProfileService.open({
      dataDir,
      secrets,
      demo: new DemoStack(),
      dialogs: new ScriptedDialogs(),
    });
    await secrets.set('p7', 'NNSXS.AAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBB');
    await secrets.set('p1999', 'NNSXS.CCCCCCCCCCCCCCCC.DDDDDDDDDDDDDDDD');
    for (const k of Object.keys(calls)) delete calls[k];

    const view = await service.view();
    expect(view.profiles).toHaveLength(2000);
    expect(view.profiles.filter((p) => p.hasKey).map((p) => p.id)).toEqual(['p7', 'p1999']);
    expect(calls).toEqual({ findCredentials: 1 });
    await secrets.delete('p7');
    await secrets.delete('p1999');
  });
});
