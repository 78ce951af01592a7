/**
 * A core as the harness runs it, for integration tests: a recording sink, scripted dialogs and
 * in-memory secrets unless the test gives its own, and a server profile with its key in one call.
 */
import { createCore, type Core, type CoreOptions } from '../../src-main/core/app-core.js';
import { ScriptedDialogs } from '../../src-main/core/services/dialogs.js';
import { MemorySecretStore } from './memory-secrets.js';
import { RecordingSink } from './recording-sink.js';

export function testCore(dataDir: string, options: Partial<CoreOptions> = {}): Promise<Core> {
  return createCore({
    dataDir,
    sink: new RecordingSink(),
    host: 'harness',
    version: '0.0.0',
    dialogs: new ScriptedDialogs(),
    secrets: new MemorySecretStore(),
    ...options,
  });
}

/** Create a server profile and store its API key; returns the profile's id. */
export async function addProfile(core: Core, name: string, baseUrl: string, key: string): Promise<string> {
  const p = await core.handlers['profiles:create']({ name, baseUrl, color: '#1f6feb' });
  if (!p.ok) throw new Error(p.error.message);
  await core.handlers['profiles:set-key'](p.value.id, key);
  return p.value.id;
}
