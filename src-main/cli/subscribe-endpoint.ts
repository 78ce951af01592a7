/**
 * Where `event-desk subscribe` connects and with which key: `--server` with a key from the environment or a
 * file, or a saved `--profile` whose key is in the OS keychain.
 */
import { promises as fs } from 'node:fs';
import { CommandError, EXIT } from './args.js';
import { exitCodeFor, findProfile, openProfiles, type Io } from './context.js';
import type { SubscribeOptions } from './subscribe-args.js';

/** Where to connect and with which key, for `--server` or `--profile`. */
export async function endpoint(
  opts: SubscribeOptions,
  io: Io,
): Promise<{ urls: string[]; apiKey: string; ca?: string; dispose: () => Promise<void> }> {
  const source = opts.source;
  if (source.kind === 'server') {
    let apiKey: string;
    if ('env' in source.key) {
      const v = io.env[source.key.env];
      if (!v || !v.trim())
        throw new CommandError(
          `--api-key-env ${source.key.env}: that environment variable is not set or empty. ` +
            `Export the key in it first (e.g. read -rs ${source.key.env}; export ${source.key.env}).`,
          EXIT.usage,
        );
      apiKey = v.trim();
    } else {
      try {
        apiKey = (await fs.readFile(source.key.file, 'utf8')).trim();
      } catch (e) {
        throw new CommandError(
          `--api-key-file ${source.key.file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}.`,
          EXIT.usage,
        );
      }
      if (!apiKey)
        throw new CommandError(`--api-key-file ${source.key.file} is empty: put the API key in it.`, EXIT.usage);
    }
    let ca: string | undefined;
    if (source.caFile !== undefined) {
      try {
        ca = await fs.readFile(source.caFile, 'utf8');
      } catch (e) {
        throw new CommandError(`--ca ${source.caFile}: ${(e as Error).message}.`, EXIT.usage);
      }
    }
    return { urls: [source.url], apiKey, ...(ca ? { ca } : {}), dispose: async () => {} };
  }
  const profiles = await openProfiles(io, opts.dataDir);
  try {
    const p = findProfile(profiles.service.store.list(), source.name);
    const r = await profiles.service.resolve(p.id);
    if (!r.ok) {
      const hint = r.error.code === 'auth' ? ` Set it with: event-desk profiles set-key "${p.name}"` : '';
      throw new CommandError(`${r.error.message}${hint}`, exitCodeFor(r.error));
    }
    return { ...r.value, dispose: () => profiles.dispose() };
  } catch (e) {
    await profiles.dispose();
    throw e;
  }
}
