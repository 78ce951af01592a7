/**
 * `event-desk profiles list|add|remove|set-key|check`: the app's server profiles (profiles.json in the
 * app's data folder) and their API keys in the OS keychain, through the app's ProfileService.
 */
import { promises as fs } from 'node:fs';
import { COMPONENTS, PROFILE_COLORS, type Component, type ProfileInput } from '../shared/domain/profile.js';
import type { ConnectionCheck } from '../shared/domain/auth-check.js';
import { SECRET_SERVICE } from '../core/secrets/secret-store.js';
import { CommandError, EXIT, UsageError, parseCommand, type ExitCode } from './args.js';
import { exitCodeFor, findProfile, openProfiles, type Io, type ProfilesHandle } from './context.js';

export const PROFILES_HELP = `Usage: event-desk profiles <list|add|remove|set-key|check> [options]

The Event Desk app's server profiles and their API keys (in the OS keychain, never in a file). A
profile made here shows in the app, and the reverse.

  list [--json]                              every profile, and whether its key is set
  add NAME --url URL [--component is=URL …] [--ca FILE] [--notes TEXT]
                                             a new profile (then set its key)
  remove NAME                                delete the profile and its key (without a keychain: the
                                             profile, and a warning says how to delete the key)
  set-key NAME                               read the key from stdin (typed without echo on a
                                             terminal, or piped from a file or a secret manager)
  check NAME [--json]                        ask the server who the key is (auth_info) and say which
                                             events it will never see
NAME is a profile's name (any case) or id. All take --data-dir DIR (default: EVENT_DESK_DATA, else
the app's own folder).

Exit codes: 0 done, 2 bad arguments or no such profile, 3 the key was refused or is missing,
4 could not connect, 1 anything else (e.g. no keychain).

Examples:
  event-desk profiles add "TTN EU1" --url https://eu1.cloud.thethings.network
  event-desk profiles set-key "TTN EU1"                 # then paste the key, Enter
  pass show tts/eu1 | event-desk profiles set-key "TTN EU1"
  event-desk profiles check "TTN EU1"
  event-desk profiles add on-prem --url https://lns.example.com --component gs=https://gs.example.com --ca ca.pem
`;

const SUBCOMMANDS = ['list', 'add', 'remove', 'set-key', 'check'] as const;

export async function profilesCommand(argv: string[], io: Io): Promise<ExitCode> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.stdout.write(PROFILES_HELP);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  if (!(SUBCOMMANDS as readonly string[]).includes(sub))
    throw new UsageError(`Unknown profiles subcommand "${sub}": use one of ${SUBCOMMANDS.join(', ')}.`);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(PROFILES_HELP);
    return EXIT.ok;
  }
  const command = `profiles ${sub}`;
  const dataDirOpt = { 'data-dir': { type: 'string' } } as const;
  switch (sub) {
    case 'list': {
      const { values } = parseCommand(command, rest, { ...dataDirOpt, json: { type: 'boolean' } });
      return withProfiles(io, values['data-dir'], async (h) => {
        const view = await h.service.view();
        if (values.json)
          io.stdout.write(
            JSON.stringify(
              view.profiles.map((p) => ({
                id: p.id,
                name: p.name,
                baseUrl: p.baseUrl,
                components: p.components ?? {},
                isDemo: p.isDemo,
                hasKey: p.hasKey,
                hasCa: Boolean(p.caPem),
              })),
            ) + '\n',
          );
        else {
          if (view.profiles.length === 0)
            io.stdout.write('No profiles. Add one: event-desk profiles add NAME --url URL\n');
          for (const p of view.profiles) {
            const where = p.isDemo ? 'built-in demo stack (started on demand)' : p.baseUrl;
            const components = p.components
              ? `  components: ${Object.entries(p.components)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(' ')}`
              : '';
            const key = p.isDemo
              ? 'generated on first use'
              : p.hasKey
                ? 'set (in the OS keychain)'
                : 'not set: event-desk profiles set-key ' + quote(p.name);
            io.stdout.write(`${p.name}  (${p.id})\n  ${where}${components}\n  key: ${key}\n`);
          }
        }
        if (view.problem) io.stderr.write(`event-desk profiles: ${view.problem}\n`);
        return EXIT.ok;
      });
    }
    case 'add': {
      const { values, positionals } = parseCommand(
        command,
        rest,
        {
          ...dataDirOpt,
          url: { type: 'string' },
          component: { type: 'string', multiple: true },
          ca: { type: 'string' },
          notes: { type: 'string' },
        },
        {
          positionals: {
            min: 1,
            max: 1,
            names: 'the profile NAME (event-desk profiles add "TTN EU1" --url https://eu1.cloud.thethings.network)',
          },
        },
      );
      if (!values.url)
        throw new UsageError(
          "--url is required: the stack's base URL, e.g. --url https://eu1.cloud.thethings.network.",
        );
      const components: Partial<Record<Component, string>> = {};
      for (const c of values.component ?? []) {
        const m = /^(\w+)=(.+)$/.exec(c);
        if (!m || !(COMPONENTS as readonly string[]).includes(m[1]!))
          throw new UsageError(
            `--component "${c}" should be COMPONENT=URL with COMPONENT one of ${COMPONENTS.join(', ')}, e.g. --component gs=https://gs.example.com.`,
          );
        components[m[1] as Component] = m[2]!;
      }
      let caPem: string | undefined;
      if (values.ca !== undefined) {
        try {
          caPem = await fs.readFile(values.ca, 'utf8');
        } catch (e) {
          throw new CommandError(`--ca ${values.ca}: ${(e as Error).message}.`, EXIT.usage);
        }
        if (/PRIVATE KEY-----/.test(caPem))
          throw new CommandError(`--ca ${values.ca} contains a private key: give the CA certificate only.`, EXIT.usage);
      }
      return withProfiles(io, values['data-dir'], async (h) => {
        const count = h.service.store.list().length;
        const input: ProfileInput = {
          name: positionals[0]!,
          baseUrl: values.url!,
          color: PROFILE_COLORS[count % PROFILE_COLORS.length]!,
          ...(Object.keys(components).length ? { components } : {}),
          ...(caPem ? { caPem } : {}),
          ...(values.notes ? { notes: values.notes } : {}),
        };
        const r = await h.service.create(input);
        if (!r.ok) throw new CommandError(r.error.message, exitCodeFor(r.error));
        io.stdout.write(
          `Added ${quote(r.value.name)} (${r.value.id}) in ${h.dataDir}.\nSet its key: event-desk profiles set-key ${quote(r.value.name)}\n`,
        );
        return EXIT.ok;
      });
    }
    case 'remove': {
      const { values, positionals } = parseCommand(command, rest, dataDirOpt, {
        positionals: { min: 1, max: 1, names: 'the profile NAME to remove' },
      });
      return withProfiles(io, values['data-dir'], async (h) => {
        const p = findProfile(h.service.store.list(), positionals[0]!, 'NAME');
        const r = await h.service.remove(p.id);
        // The profile is gone from the file even when its key stays in the keychain: what was asked is done,
        // so say what is left (a key no profile names) and how to delete it, and exit 0.
        if (!r.ok && r.error.code === 'keychain-unavailable' && !h.service.store.get(p.id)) {
          io.stdout.write(`Removed ${quote(p.name)}.\n`);
          io.stderr.write(
            `event-desk profiles remove: warning: the key of ${quote(p.name)} could not be deleted from the OS keychain, ` +
              `which is not available here. If one was stored, delete it by hand where that keychain is: ` +
              `${manualKeyDelete(io.platform, p.id)}\n`,
          );
          return EXIT.ok;
        }
        if (!r.ok) throw new CommandError(r.error.message, exitCodeFor(r.error));
        io.stdout.write(`Removed ${quote(p.name)} and its key.\n`);
        return EXIT.ok;
      });
    }
    case 'set-key': {
      const { values, positionals } = parseCommand(command, rest, dataDirOpt, {
        positionals: { min: 1, max: 1, names: 'the profile NAME whose key to set (the key itself comes from stdin)' },
      });
      return withProfiles(io, values['data-dir'], async (h) => {
        const p = findProfile(h.service.store.list(), positionals[0]!, 'NAME');
        if (p.isDemo)
          throw new CommandError(
            `${quote(p.name)} is the built-in demo stack: its key is generated, not set.`,
            EXIT.usage,
          );
        const key = await readSecret(io, `API key for ${p.name} (not shown): `);
        if (!key)
          throw new CommandError(
            'No key on stdin: type or paste it, or pipe it in (pass show tts/eu1 | event-desk profiles set-key NAME).',
            EXIT.usage,
          );
        const r = await h.service.setKey(p.id, key);
        if (!r.ok)
          throw new CommandError(r.error.message, r.error.code === 'invalid-input' ? EXIT.usage : exitCodeFor(r.error));
        io.stdout.write(
          `Key set for ${quote(p.name)} in the OS keychain. Check it: event-desk profiles check ${quote(p.name)}\n`,
        );
        return EXIT.ok;
      });
    }
    case 'check': {
      const { values, positionals } = parseCommand(
        command,
        rest,
        { ...dataDirOpt, json: { type: 'boolean' } },
        { positionals: { min: 1, max: 1, names: 'the profile NAME to check' } },
      );
      return withProfiles(io, values['data-dir'], async (h) => {
        const p = findProfile(h.service.store.list(), positionals[0]!, 'NAME');
        const r = await h.service.check(p.id);
        if (!r.ok)
          throw new CommandError(
            `${p.name}: ${r.error.message}${r.error.detail && !r.error.message.includes(r.error.detail) ? ` (${r.error.detail})` : ''}`,
            exitCodeFor(r.error),
          );
        if (values.json) io.stdout.write(JSON.stringify(r.value) + '\n');
        else io.stdout.write(describeCheck(p.name, r.value));
        return r.value.auth.kind === 'none' ? EXIT.auth : EXIT.ok;
      });
    }
  }
  return EXIT.usage;
}

async function withProfiles(
  io: Io,
  dataDir: string | undefined,
  fn: (h: ProfilesHandle) => Promise<ExitCode>,
): Promise<ExitCode> {
  const h = await openProfiles(io, dataDir);
  try {
    return await fn(h);
  } finally {
    await h.dispose();
  }
}

/** The platform's own command that deletes a profile's key (keytar's entry: service `event-desk`, account the id). */
function manualKeyDelete(platform: string, account: string): string {
  if (platform === 'darwin') return `security delete-generic-password -s ${SECRET_SERVICE} -a ${account}`;
  if (platform === 'win32') return `cmdkey /delete:${SECRET_SERVICE}/${account}`;
  return `secret-tool clear service ${SECRET_SERVICE} account ${account}`;
}

const quote = (name: string) => (/^[\w.-]+$/.test(name) ? name : `"${name.replace(/"/g, '\\"')}"`);

/** The rights diagnosis in words, as the app's Check connection shows it. */
export function describeCheck(name: string, c: ConnectionCheck): string {
  const lines = [`${name}: ${c.url} answered in ${Math.round(c.ms)} ms.`];
  const a = c.auth;
  if (a.kind === 'none') lines.push('The server saw no valid credentials.');
  else {
    lines.push(
      `Key: ${a.kind}${a.keyId ? ` ${a.keyId}` : ''}${a.entity ? ` of ${a.entity.kind} ${a.entity.id}` : ''}${a.isAdmin ? ' (admin)' : ''}.`,
    );
    lines.push(
      `Rights: ${a.rights.length ? a.rights.join(', ') : 'none'}${a.universalRights.length ? `; universal: ${a.universalRights.join(', ')}` : ''}.`,
    );
  }
  for (const w of c.warnings) lines.push(`${w.severity === 'warning' ? '!' : '-'} ${w.text}`);
  if (!c.warnings.some((w) => w.severity === 'warning'))
    lines.push('Nothing missing: the key can stream what its rights cover.');
  return lines.join('\n') + '\n';
}

/**
 * A secret from stdin, never echoed. On a terminal: raw mode, so the typed characters are not shown
 * (backspace works, Ctrl-C aborts). Piped: the whole input, trimmed.
 */
function readSecret(io: Io, prompt: string): Promise<string> {
  const stdin = io.stdin;
  if (stdin.isTTY && stdin.setRawMode) {
    io.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    return new Promise((resolve, reject) => {
      let value = '';
      const done = (fn: () => void) => {
        stdin.setRawMode!(false);
        stdin.pause();
        stdin.off('data', onData);
        io.stderr.write('\n');
        fn();
      };
      const onData = (chunk: Buffer) => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n' || ch === '\u0004') return done(() => resolve(value.trim()));
          if (ch === '\u0003') return done(() => reject(new CommandError('Cancelled; no key was set.', EXIT.failure)));
          if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
          else value += ch;
        }
      };
      stdin.on('data', onData);
    });
  }
  return new Promise((resolve, reject) => {
    let value = '';
    stdin.setEncoding('utf8');
    stdin.on('data', (c: string) => {
      value += c;
      if (value.length > 64 * 1024)
        reject(new CommandError('More than 64 KB on stdin: that is not an API key.', EXIT.usage));
    });
    stdin.on('end', () => resolve(value.trim()));
    stdin.on('error', reject);
  });
}
