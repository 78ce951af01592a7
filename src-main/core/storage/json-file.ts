/**
 * Small JSON documents (profiles, workspaces) written so a crash never leaves a half-written file:
 * write a temp file next to the target, fsync it, rename over the target (atomic on one filesystem).
 */
import path from 'node:path';
import { promises as nodeFs } from 'node:fs';

/** The file operations used, injectable so tests can crash a write half way. */
export interface JsonFs {
  writeFile(file: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  readFile(file: string): Promise<string>;
  unlink(file: string): Promise<void>;
  readdir(dir: string): Promise<string[]>;
}

export const nodeJsonFs: JsonFs = {
  async writeFile(file, data) {
    // A data folder named on the command line (or in EVENT_DESK_DATA) may not exist yet: the first save makes it.
    await nodeFs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const handle = await nodeFs.open(file, 'w', 0o600);
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (a, b) => nodeFs.rename(a, b),
  readFile: (f) => nodeFs.readFile(f, 'utf8'),
  unlink: (f) => nodeFs.unlink(f),
  readdir: (d) => nodeFs.readdir(d),
};

const TMP = '.tmp-';

export async function writeJsonAtomic(file: string, value: unknown, fs: JsonFs = nodeJsonFs): Promise<void> {
  const tmp = `${file}${TMP}${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  await fs.writeFile(tmp, JSON.stringify(value, null, 2) + '\n');
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.unlink(tmp).catch(() => undefined);
    throw e;
  }
}

export type JsonRead = { kind: 'missing' } | { kind: 'ok'; value: unknown } | { kind: 'corrupt'; reason: string };

/** Read a JSON document; temp files left by a crashed write are removed (the target is still whole). */
export async function readJson(file: string, fs: JsonFs = nodeJsonFs): Promise<JsonRead> {
  const dir = path.dirname(file);
  const base = path.basename(file) + TMP;
  for (const name of await fs.readdir(dir).catch(() => [] as string[]))
    if (name.startsWith(base)) await fs.unlink(path.join(dir, name)).catch(() => undefined);
  let text: string;
  try {
    text = await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'corrupt', reason: (e as Error).message };
  }
  // Editors on Windows save with a UTF-8 byte order mark; JSON.parse refuses it, so drop it (#13).
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return { kind: 'ok', value: JSON.parse(text) as unknown };
  } catch (e) {
    return { kind: 'corrupt', reason: `not valid JSON (${(e as Error).message})` };
  }
}

/** Move a file that could not be read out of the way, keeping it for the user; returns its new path. */
export async function keepAside(file: string, now: number, fs: JsonFs = nodeJsonFs): Promise<string> {
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  const aside = file.replace(/\.json$/, '') + `.corrupt-${stamp}.json`;
  await fs.rename(file, aside);
  return aside;
}

/**
 * Keep a copy of a file before it is changed in a way that loses something (a migration, entries that
 * could not be read), next to it as `<name>.<label>-<time>.json`; returns the copy's path.
 */
export async function keepCopy(file: string, label: string, now: number, fs: JsonFs = nodeJsonFs): Promise<string> {
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  const copy = file.replace(/\.json$/, '') + `.${label}-${stamp}.json`;
  await fs.writeFile(copy, await fs.readFile(file));
  return copy;
}
