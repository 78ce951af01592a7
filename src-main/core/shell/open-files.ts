/**
 * Files the OS hands the app: on the command line of the first run, from a second launch (the
 * single-instance lock passes its argv to the running window), or by `open-file` on macOS. They wait
 * here until the window can open them, and are remembered as recent files.
 */
import path from 'node:path';
import { readJson, writeJsonAtomic } from '../storage/json-file.js';
import type { Dialogs } from '../services/dialogs.js';

/** Endings of files Event Desk opens (exports, bundles, Console exports, CLI output). */
const OPENABLE = /\.(ndjson|jsonl|json|txt|log)$/i;

/**
 * The files named on a command line. `argv` is the whole vector: Electron's binary, then (unpackaged)
 * the app folder, then switches and files; switches and the app folder are not files to open.
 */
export function filesFromArgv(argv: readonly string[], cwd: string): string[] {
  const out: string[] = [];
  for (const arg of argv.slice(1)) {
    if (arg.startsWith('-') || arg === '.' || !OPENABLE.test(arg)) continue;
    const file = path.resolve(cwd, arg);
    if (!out.includes(file)) out.push(file);
  }
  return out;
}

export const MAX_RECENT = 10;

/** Recent files, newest first, without duplicates; kept in `recent.json`. */
export class RecentFiles {
  readonly file: string;
  list: string[] = [];

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'recent.json');
  }

  async load(): Promise<string[]> {
    const read = await readJson(this.file);
    const v = read.kind === 'ok' ? (read.value as { files?: unknown }).files : undefined;
    this.list = Array.isArray(v)
      ? v.filter((f): f is string => typeof f === 'string' && path.isAbsolute(f)).slice(0, MAX_RECENT)
      : [];
    return this.list;
  }

  async add(file: string): Promise<string[]> {
    this.list = [file, ...this.list.filter((f) => f !== file)].slice(0, MAX_RECENT);
    await writeJsonAtomic(this.file, { files: this.list }).catch(() => undefined);
    return this.list;
  }

  async clear(): Promise<void> {
    this.list = [];
    await writeJsonAtomic(this.file, { files: [] }).catch(() => undefined);
  }
}

/** Paths waiting for the window: the next Open… the window asks for takes the oldest instead of a dialog. */
export class PendingOpens {
  readonly #queue: string[] = [];

  push(file: string): void {
    this.#queue.push(file);
  }

  take(): string | undefined {
    return this.#queue.shift();
  }

  get size(): number {
    return this.#queue.length;
  }
}

/**
 * Main's open dialog, but a file the OS handed over (or Open Recent) answers the window's next Open…
 * without asking; every file opened is reported (for the recent list).
 */
export function withPendingOpens(dialogs: Dialogs, pending: PendingOpens, opened: (file: string) => void): Dialogs {
  return {
    save: (options) => dialogs.save(options),
    async open(options) {
      // Only the capture dialog (it offers .ndjson) takes a handed-over file; a CA or profile file is never one.
      const capture = options.filters.some((f) => f.extensions.includes('ndjson'));
      const file = (capture ? pending.take() : undefined) ?? (await dialogs.open(options));
      if (file && capture) opened(file);
      return file;
    },
  };
}
