/**
 * `event-desk <command> …`: the command line over the app's core (ARCHITECTURE.md, "Browser mode and
 * the command line"). Run with `npm run -s cli -- <command>` in the repository, or the built
 * `dist/cli/event-desk.cjs` (package.json `bin`).
 */
import { processIo, run } from './cli.js';

// `npm run cli` runs in the package's folder; the files a user names are relative to where they typed it.
if (process.env.npm_lifecycle_event === 'cli' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

void run(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
  // Stdout may still be draining; let it, but never wait on a stray handle (a demo stack, the keychain).
  setTimeout(() => process.exit(code), 50).unref();
});
