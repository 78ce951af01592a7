/**
 * Export… in browser mode. The browser has no save dialog main can drive, so the "chosen" file is a
 * private one under the data folder; when the export completes, its progress push names a one-time
 * download URL, and the harness streams the file to the browser (token-guarded) and then deletes it.
 *
 * Answers queued in `saves`/`opens` still win (tests stand in for the user exactly as before).
 */
import path from 'node:path';
import { createReadStream, promises as fs } from 'node:fs';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import type { InvokeHandlers, PushChannel, PushChannels, PushSink } from '../../shared/ipc/contract.js';
import { ok } from '../../shared/result.js';
import { ScriptedDialogs } from '../services/dialogs.js';

const DOWNLOAD_PATH = /^\/download\/([0-9a-f]{32})$/;

export class BrowserDialogs extends ScriptedDialogs {
  /** One-time download id → the file the export wrote. */
  readonly #files = new Map<string, string>();

  constructor(private readonly dir: string) {
    super();
  }

  override async save(options: { title: string; defaultName: string }): Promise<string | undefined> {
    if (this.saves.length > 0) return super.save(options);
    this.asked.push({ kind: 'save', title: options.title });
    const id = randomBytes(16).toString('hex');
    const folder = path.join(this.dir, id);
    await fs.mkdir(folder, { recursive: true, mode: 0o700 });
    const file = path.join(folder, path.basename(options.defaultName) || 'event-desk-export');
    this.#files.set(id, file);
    return file;
  }

  /** The URL path the browser fetches a finished export from, when it went to a download. */
  downloadPath(file: string): string | undefined {
    for (const [id, f] of this.#files) if (f === file) return `/download/${id}`;
    return undefined;
  }

  /**
   * Serves `GET /download/<id>?token=…` once; answers false when the request is not a download.
   * A wrong token, an unknown id or a second fetch get 404, and never say which.
   */
  serve(req: http.IncomingMessage, res: http.ServerResponse, token: string): boolean {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const m = DOWNLOAD_PATH.exec(url.pathname);
    if (!m) return false;
    const given = Buffer.from(url.searchParams.get('token') ?? '');
    const okToken = given.length === token.length && timingSafeEqual(given, Buffer.from(token));
    const file = okToken ? this.#files.get(m[1]!) : undefined;
    if (!file) {
      res.writeHead(404);
      res.end();
      return true;
    }
    this.#files.delete(m[1]!);
    void fs.stat(file).then(
      (st) => {
        const name = path.basename(file);
        res.writeHead(200, {
          'Content-Type': name.endsWith('.json') ? 'application/json' : 'application/x-ndjson',
          'Content-Length': String(st.size),
          'Content-Disposition': `attachment; filename="${name.replace(/[^\w.-]/g, '_')}"`,
          'Cache-Control': 'no-store',
        });
        const stream = createReadStream(file);
        stream.on('error', () => res.destroy());
        stream.pipe(res);
        res.on('close', () => void fs.rm(path.dirname(file), { recursive: true, force: true }));
      },
      () => {
        res.writeHead(404);
        res.end();
      },
    );
    return true;
  }

  /** Removes downloads nobody fetched (at shutdown). */
  async dispose(): Promise<void> {
    this.#files.clear();
    await fs.rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * The profiles export answers with the file it wrote: when that went to a download, the page gets the
 * download URL and the file's name only (the folder is the backend's business, not the user's).
 */
export function withProfileDownloads<H extends Pick<InvokeHandlers, 'profiles:export'>>(
  handlers: H,
  dialogs: BrowserDialogs,
): H {
  return {
    ...handlers,
    'profiles:export': async () => {
      const r = await handlers['profiles:export']();
      const download = r.ok && r.value ? dialogs.downloadPath(r.value.path) : undefined;
      if (!r.ok || !r.value || !download) return r;
      return ok({ ...r.value, path: path.basename(r.value.path), download });
    },
  };
}

/** Adds the download URL (and a path-free message) to the progress push of an export that went to a download. */
export function withDownloads(sink: PushSink, dialogs: BrowserDialogs): PushSink {
  return {
    send<C extends PushChannel>(channel: C, payload: PushChannels[C]): void {
      if (channel === 'jobs:progress') {
        const p = payload as PushChannels['jobs:progress'];
        const download = p.state === 'done' && p.path ? dialogs.downloadPath(p.path) : undefined;
        if (download && p.path) {
          const name = path.basename(p.path);
          const message = `Exported ${p.done.toLocaleString('en')} entries; your browser saves them as ${name}.`;
          sink.send('jobs:progress', { ...p, path: name, download, message });
          return;
        }
      }
      sink.send(channel, payload);
    },
  };
}
