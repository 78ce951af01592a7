/**
 * What every command gets from the process, as one value (so commands never reach for globals), and
 * the pieces several commands share: opening the app's profiles and keychain, and turning an AppError
 * into an exit code.
 */
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { AppError } from '../shared/result.js';
import type { Profile } from '../shared/domain/profile.js';
import { KeytarSecretStore, type SecretStore } from '../core/secrets/secret-store.js';
import { DemoStack } from '../core/services/demo-stack.js';
import type { Dialogs } from '../core/services/dialogs.js';
import { ProfileService } from '../core/services/profile-service.js';
import { CommandError, EXIT, UsageError, type ExitCode } from './args.js';
import { resolveDataDir } from './data-dir.js';

export interface Io {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  stdin: Readable & { isTTY?: boolean; setRawMode?: (on: boolean) => unknown };
  env: NodeJS.ProcessEnv;
  platform: string;
  home: string;
  now: () => number;
  /** Register a handler for SIGINT/SIGTERM; returns a function that removes it. */
  onSignal: (handler: (signal: NodeJS.Signals) => void) => () => void;
}

/** Exit code for an error the core returned (the same words the app shows, so the same meanings). */
export function exitCodeFor(error: AppError): ExitCode {
  switch (error.code) {
    case 'auth':
    case 'forbidden':
      return EXIT.auth;
    case 'network':
      return EXIT.connect;
    case 'invalid-input':
      return EXIT.usage;
    default:
      return EXIT.failure;
  }
}

/** The command line never opens a file dialog: every path comes from a flag. */
const NO_DIALOGS: Dialogs = {
  save: async () => undefined,
  open: async () => undefined,
};

export interface ProfilesHandle {
  service: ProfileService;
  demo: DemoStack;
  dataDir: string;
  dispose(): Promise<void>;
}

/** The app's profiles and keychain, opened on the app's data folder (or `--data-dir`). */
export async function openProfiles(
  io: Io,
  dataDirFlag: string | undefined,
  secrets: SecretStore = new KeytarSecretStore(),
): Promise<ProfilesHandle> {
  const dataDir = resolveDataDir(dataDirFlag, io.env, io.platform, io.home);
  const demo = new DemoStack();
  const service = await ProfileService.open({
    dataDir,
    secrets,
    demo,
    dialogs: NO_DIALOGS,
    log: (m) => io.stderr.write(`event-desk: ${m}\n`),
  });
  return { service, demo, dataDir, dispose: () => demo.dispose() };
}

/** A profile by name (case-insensitive) or id; a miss lists what there is. */
export function findProfile(profiles: readonly Profile[], wanted: string, flag = '--profile'): Profile {
  const exact = profiles.find((p) => p.id === wanted) ?? profiles.filter((p) => p.name === wanted)[0];
  if (exact) return exact;
  const loose = profiles.filter((p) => p.name.toLowerCase() === wanted.toLowerCase());
  if (loose.length === 1) return loose[0]!;
  const names = profiles.map((p) => `"${p.name}"`).join(', ');
  if (loose.length > 1)
    throw new UsageError(
      `${flag} "${wanted}" matches ${loose.length} profiles; use its id (event-desk profiles list).`,
    );
  const known = names ? `Profiles: ${names}.` : 'There are no profiles yet.';
  throw new CommandError(
    `There is no profile "${wanted}" (${flag}). ${known} Add one with: event-desk profiles add NAME --url URL`,
    EXIT.usage,
  );
}

/**
 * The app's version, from the package.json two folders above the running script: the same for
 * `src-main/cli/main.ts` (from the repository) and `dist/cli/event-desk.cjs` (built, installed, packaged).
 */
export function appVersion(script: string | undefined = process.argv[1]): string {
  try {
    const pkg = JSON.parse(
      readFileSync(path.join(path.dirname(realpathSync(script ?? '')), '..', '..', 'package.json'), 'utf8'),
    ) as { name?: string; version?: string };
    if (pkg.name === 'event-desk' && pkg.version) return pkg.version;
  } catch {
    /* not where we expect it: say so below */
  }
  return 'unknown';
}
