/**
 * The test harness: the same core services the Electron main wires, with the IPC contract carried
 * over a loopback WebSocket instead of ipcMain/contextBridge (ARCHITECTURE.md).
 *
 * It serves the built renderer on 127.0.0.1 (random port), and accepts one kind of WebSocket: from
 * its own origin, with the random token it was started with. Everything else is refused.
 */
import http from 'node:http';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  MAX_BRIDGE_FRAME_BYTES,
  type PushChannel,
  type PushChannels,
  type PushSink,
} from '../../shared/ipc/contract.js';
import { createCore, type Core, type CoreOptions } from '../app-core.js';
import { dispatchInvoke } from '../ipc-dispatch.js';
import type { ScriptedDialogs } from '../services/dialogs.js';
import { BrowserDialogs, withDownloads, withProfileDownloads } from './downloads.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { tryStringify } from '../../shared/json/bounded.js';

export interface HarnessOptions {
  rendererDir: string;
  dataDir: string;
  port?: number;
  demo?: CoreOptions['demo'];
  backoff?: CoreOptions['backoff'];
  /** Defaults to the OS keychain under service `event-desk`. */
  secrets?: SecretStore;
  log?: (message: string) => void;
  /** Every message crossing the bridge, both ways (for tests that audit what the renderer saw). */
  onMessage?: (direction: 'in' | 'out', text: string) => void;
}

export interface Harness {
  /** Open this in the browser: the renderer with its bridge token in the fragment. */
  url: string;
  origin: string;
  token: string;
  core: Core;
  /** Stands in for the user at save/open dialogs: queue the paths they would pick. */
  dialogs: ScriptedDialogs;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Fan-out of pushes to every connected renderer socket. */
class SocketSink implements PushSink {
  readonly sockets = new Set<WebSocket>();
  constructor(private readonly onMessage?: HarnessOptions['onMessage']) {}
  send<C extends PushChannel>(channel: C, payload: PushChannels[C]): void {
    const text = JSON.stringify({ push: channel, payload });
    this.onMessage?.('out', text);
    for (const s of this.sockets) if (s.readyState === s.OPEN) s.send(text);
  }
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const token = randomBytes(24).toString('hex');
  const sink = new SocketSink(options.onMessage);
  const version = '0.1.0';
  // Export… goes to a download the browser fetches (Open… reads a file the user picks in the page).
  const dialogs = new BrowserDialogs(path.join(options.dataDir, 'downloads'));
  const core = await createCore({
    dataDir: options.dataDir,
    sink: withDownloads(sink, dialogs),
    host: 'harness',
    version,
    dialogs,
    ...(options.secrets ? { secrets: options.secrets } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.demo ? { demo: options.demo } : {}),
    ...(options.backoff ? { backoff: options.backoff } : {}),
  });
  // The profiles export answers with its file rather than pushing progress: that answer names the download.
  const handlers = withProfileDownloads(core.handlers, dialogs);
  let origin = '';

  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && dialogs.serve(req, res, token)) return;
    void serveStatic(req, res).catch(() => {
      res.writeHead(500);
      res.end();
    });
  });

  async function serveStatic(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method !== 'GET') {
      res.writeHead(405);
      res.end();
      return;
    }
    const url = new URL(req.url ?? '/', origin);
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
    const file = path.resolve(options.rendererDir, rel);
    if (!file.startsWith(path.resolve(options.rendererDir) + path.sep)) {
      res.writeHead(404);
      res.end();
      return;
    }
    let body: Buffer;
    try {
      body = await fs.readFile(file);
    } catch {
      res.writeHead(404);
      res.end();
      return;
    }
    if (rel === 'index.html') {
      // The only change from production: the CSP lets the page reach this harness's socket.
      const wsOrigin = origin.replace(/^http/, 'ws');
      body = Buffer.from(body.toString('utf8').replace("connect-src 'none'", `connect-src ${wsOrigin}`));
    }
    res.writeHead(200, {
      'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-store',
    });
    res.end(body);
  }

  // A dropped file travels in 256 KiB chunks of text; JSON escapes a control character as six
  // characters (\u0000), so a chunk of NUL bytes is a 1.5 MB frame. 4 MiB leaves room; more closes the socket.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  server.on('upgrade', (req, socket, head) => {
    // A client that resets mid-handshake must not become an uncaught 'error' (#13).
    socket.on('error', (e) => options.log?.(`harness upgrade failed: ${e.message}`));
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((s) => s.trim());
    const given = offered.find((p) => p.startsWith('token.'))?.slice(6) ?? '';
    const okToken = sameSecret(given, token);
    if (req.url !== '/ipc' || req.headers.origin !== origin || !okToken) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sink.sockets.add(ws);
      ws.on('close', () => sink.sockets.delete(ws));
      // Without a listener, a socket error (a frame over maxPayload, a bad opcode) is an uncaught exception
      // that ends the process (#13, failure 3). ws closes the socket itself (1009 for a frame too big).
      ws.on('error', (e) => options.log?.(`harness socket closed: ${e.message}`));
      ws.on('message', (data) => {
        const text = data.toString();
        options.onMessage?.('in', text);
        const msg = parseRequest(text);
        if (!msg.ok) {
          // One bad message ends this socket, never the process; the reason tells the page why.
          options.log?.(`harness socket closed: ${msg.reason}`);
          ws.close(1008, msg.reason);
          return;
        }
        const { id, channel, args } = msg.value;
        void dispatchInvoke(handlers, channel, args, options.log).then((result) => {
          const reply =
            tryStringify({ id, result }) ??
            JSON.stringify({
              id,
              result: { ok: false, error: { code: 'internal', message: 'The answer is nested too deeply to send.' } },
            });
          options.onMessage?.('out', reply);
          if (ws.readyState === ws.OPEN) ws.send(reply);
        });
      });
    });
  });
  wss.on('headers', (headers, req) => {
    // Echo the token subprotocol so the browser accepts the handshake.
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .find((p) => p.startsWith('token.'));
    if (offered && !headers.some((h) => h.toLowerCase().startsWith('sec-websocket-protocol')))
      headers.push(`Sec-WebSocket-Protocol: ${offered}`);
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/#harness=${token}`,
    origin,
    token,
    core,
    dialogs,
    async close() {
      for (const s of sink.sockets) s.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await core.dispose();
      await dialogs.dispose();
    },
  };
}

/**
 * Constant-time comparison of two secrets as bytes. `timingSafeEqual` throws on buffers of different
 * lengths, and a string's length is not its byte length (a non-ASCII character is two or more bytes),
 * so compare lengths of the byte buffers (#13, failure 3).
 */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Largest frame the bridge accepts from the page. */
export const MAX_FRAME_BYTES = MAX_BRIDGE_FRAME_BYTES;

/** Longest request id the bridge accepts: the page numbers its requests, anything else is not ours. */
const MAX_ID_LENGTH = 64;

type Request = { id: string | number; channel: unknown; args: unknown };

/** One frame from the page, checked before anything trusts it: a JSON object with a short id. */
export function parseRequest(text: string): { ok: true; value: Request } | { ok: false; reason: string } {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'A request must be JSON.' };
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg))
    return { ok: false, reason: 'A request must be a JSON object.' };
  const { id, channel, args } = msg as Record<string, unknown>;
  const idOk = (typeof id === 'string' && id.length <= MAX_ID_LENGTH) || Number.isSafeInteger(id);
  if (!idOk)
    return {
      ok: false,
      reason: `A request id must be a safe integer or a string of at most ${MAX_ID_LENGTH} characters.`,
    };
  return { ok: true, value: { id: id as string | number, channel, args } };
}
