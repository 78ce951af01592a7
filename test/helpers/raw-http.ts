/**
 * A plain HTTP client for conformance tests: it sees the bytes as the server sends them, with none
 * of our own stream client in the way.
 */
import http from 'node:http';
import zlib from 'node:zlib';

export interface RawStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Everything received so far (decompressed when gzip). */
  text(): string;
  /** Number of newline characters received so far (cheap, for progress checks). */
  newlines(): number;
  /** Wait until the received text satisfies `predicate` (or the body ends). */
  until(predicate: (text: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves with the full text once the server ends the body. */
  ended: Promise<string>;
  close(): void;
}

export function post(
  baseUrl: string,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<RawStream> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, baseUrl), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let stream: NodeJS.ReadableStream = res;
      if (res.headers['content-encoding'] === 'gzip') stream = res.pipe(zlib.createGunzip());
      let text = '';
      let newlines = 0;
      const waiters: Array<() => void> = [];
      let done = false;
      const ended = new Promise<string>((r) => {
        stream.on('end', () => {
          done = true;
          waiters.forEach((w) => w());
          r(text);
        });
        stream.on('error', () => {
          done = true;
          waiters.forEach((w) => w());
          r(text);
        });
        res.on('aborted', () => {
          done = true;
          waiters.forEach((w) => w());
          r(text);
        });
      });
      stream.on('data', (c: Buffer) => {
        const piece = c.toString('utf8');
        text += piece;
        for (let i = piece.indexOf('\n'); i >= 0; i = piece.indexOf('\n', i + 1)) newlines++;
        waiters.forEach((w) => w());
      });
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        text: () => text,
        newlines: () => newlines,
        ended,
        until(predicate, timeoutMs = 10_000) {
          return new Promise((res2, rej2) => {
            const t = setTimeout(
              () => rej2(new Error(`timed out waiting; received so far:\n${text.slice(0, 2000)}`)),
              timeoutMs,
            );
            const check = () => {
              if (predicate(text) || done) {
                clearTimeout(t);
                res2(text);
                return true;
              }
              return false;
            };
            if (!check()) waiters.push(() => void check());
          });
        },
        close: () => req.destroy(),
      });
    });
    req.end(body);
  });
}

export async function get(
  baseUrl: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http
      .get(new URL(path, baseUrl), { headers }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      })
      .on('error', reject);
  });
}

/** The JSON objects of a body, whatever its framing. */
export const objects = (text: string): Array<Record<string, any>> =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, any>);
