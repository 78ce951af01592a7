/**
 * One HTTP request to `POST /api/v3/events`, decoded as it arrives.
 *
 * It knows nothing of reconnecting: the stream session above it decides that from the returned end.
 */
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import type { StreamEventsRequest, TtsStatus } from '../../shared/tts/types.js';
import { StreamDecoder, type DecodedMessage } from './decoder.js';
import { redactSecrets } from '../../shared/redact.js';
import {
  isWebPage,
  notAnEventStream,
  classifyHttpFailure,
  classifyNetworkFailure,
  classifyStreamError,
  type ClassifiedFailure,
} from './failures.js';

/**
 * Bytes read before the response pauses for one turn of the event loop. A socket with data waiting is read
 * up to about 2 MB in one turn, ~40–80 ms of decoding at full speed, and meanwhile nothing else ran: not
 * the completion of the capture's file writes, so the feed's summaries waited for them ~50 ms and the
 * garbage collector moved them to the old generation (720–1,160 B promoted per event); not the feed's
 * timer; not the window's requests. Yielding every 128 KB: 160–190 B promoted per event, and 15–35 %
 * more events per second in alternating runs (#14).
 */
const YIELD_BYTES = 128 * 1024;

export interface StreamClientOptions {
  baseUrl: string;
  apiKey: string;
  request: StreamEventsRequest;
  /** `event-stream` asks for the server's blank-line framing (what the Console uses); `json` for NDJSON. */
  accept?: 'event-stream' | 'json';
  gzip?: boolean;
  /** PEM CA certificate(s) for private deployments. */
  ca?: string;
  signal: AbortSignal;
  onOpen?: (info: StreamOpenInfo) => void;
  onMessage: (message: DecodedMessage) => void;
  /** Raw bytes received (after decompression), for throughput stats. */
  onBytes?: (n: number) => void;
  /** Largest event accepted (default 64 MiB); a longer one is reported as malformed and skipped. */
  maxEventBytes?: number;
  /**
   * Asked after each chunk is decoded: a promise pauses the response until it resolves, so a consumer
   * that falls behind (the capture's disk) slows the server down through TCP instead of queueing.
   */
  ready?: () => Promise<void> | undefined;
}

export interface StreamOpenInfo {
  status: number;
  requestId?: string;
  warning?: string;
}

export type StreamEnd =
  { kind: 'eof' } | { kind: 'aborted' } | { kind: 'failed'; failure: ClassifiedFailure; httpStatus?: number };

const MAX_ERROR_BODY = 64 * 1024;

/** Run the request until the body ends, it fails or `signal` aborts. Never rejects. */
export function runStream(options: StreamClientOptions): Promise<StreamEnd> {
  return new Promise<StreamEnd>((resolve) => {
    let settled = false;
    const finish = (end: StreamEnd) => {
      if (settled) return;
      settled = true;
      resolve(end);
    };
    let url: URL;
    try {
      url = new URL('/api/v3/events', options.baseUrl);
    } catch {
      finish({
        kind: 'failed',
        failure: {
          error: { code: 'invalid-input', message: `The server URL "${options.baseUrl}" is not valid.` },
          advice: { retry: false },
        },
      });
      return;
    }
    if (options.signal.aborted) return finish({ kind: 'aborted' });
    const body = JSON.stringify(options.request);
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${options.apiKey}`,
        Accept: options.accept === 'json' ? 'application/json' : 'text/event-stream',
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
        ...(options.gzip ? { 'Accept-Encoding': 'gzip' } : {}),
      },
      ...(options.ca ? { ca: options.ca } : {}),
      signal: options.signal,
    });
    // The server sends no heartbeats (PROTOCOL.md 2.4): TCP keep-alive is what notices a dead peer.
    req.on('socket', (socket) => {
      socket.setKeepAlive(true, 30_000);
      socket.setNoDelay(true);
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (options.signal.aborted || e.name === 'AbortError') return finish({ kind: 'aborted' });
      finish({ kind: 'failed', failure: classifyNetworkFailure(e) });
    });
    req.on('response', (res) => {
      const headers = res.headers as Record<string, string | undefined>;
      let stream: NodeJS.ReadableStream = res;
      if (headers['content-encoding'] === 'gzip') {
        const gunzip = zlib.createGunzip();
        gunzip.on('error', (e) => finish({ kind: 'failed', failure: classifyNetworkFailure(e) }));
        stream = res.pipe(gunzip);
      }
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        collectError(stream, (statusBody) =>
          finish({ kind: 'failed', failure: classifyHttpFailure(status, statusBody, headers), httpStatus: status }),
        );
        return;
      }
      if (isWebPage(headers['content-type'])) {
        req.destroy();
        finish({ kind: 'failed', failure: notAnEventStream(url.origin, headers['content-type']!), httpStatus: status });
        return;
      }
      options.onOpen?.({ status, requestId: headers['x-request-id'], warning: headers['x-warning'] });
      let failure: ClassifiedFailure | undefined;
      const decoder = new StreamDecoder(
        (m) => {
          if (m.kind === 'error') failure = classifyStreamError(m.status);
          options.onMessage(m);
        },
        options.maxEventBytes ? { maxLineBytes: options.maxEventBytes } : {},
      );
      /**
       * Whatever a server sends must not throw out of a stream handler and end the process (#13): a throw
       * while decoding or handling ends this stream with the reason. Not retried: the same bytes would
       * fail the same way.
       */
      const safely = (work: () => void): boolean => {
        try {
          work();
          return true;
        } catch (e) {
          req.destroy();
          finish({
            kind: 'failed',
            failure: {
              error: {
                code: 'internal',
                message: `Event Desk could not process what the server sent and stopped this stream: ${redactSecrets((e as Error).message ?? String(e))}`,
              },
              advice: { retry: false },
            },
          });
          return false;
        }
      };
      let sinceYield = 0;
      stream.on('data', (chunk: Buffer) => {
        options.onBytes?.(chunk.length);
        if (!safely(() => decoder.push(chunk))) return;
        const wait = options.ready?.();
        if (wait) {
          stream.pause();
          void wait.then(() => stream.resume());
        } else if ((sinceYield += chunk.length) >= YIELD_BYTES) {
          sinceYield = 0;
          stream.pause();
          setImmediate(() => stream.resume());
        }
      });
      stream.on('end', () => {
        if (!safely(() => decoder.end())) return;
        finish(failure ? { kind: 'failed', failure } : { kind: 'eof' });
      });
      res.on('aborted', () =>
        finish({
          kind: 'failed',
          failure: classifyNetworkFailure(
            Object.assign(new Error('connection closed mid-stream'), { code: 'ECONNRESET' }),
          ),
        }),
      );
      stream.on('error', (e: NodeJS.ErrnoException) => {
        if (options.signal.aborted) return finish({ kind: 'aborted' });
        if (!safely(() => decoder.end())) return;
        finish(failure ? { kind: 'failed', failure } : { kind: 'failed', failure: classifyNetworkFailure(e) });
      });
    });
    req.end(body);
  });
}

/** Read a (bounded) error body and decode the `{"error":…}` or bare Status in it. */
function collectError(stream: NodeJS.ReadableStream, done: (status: TtsStatus | undefined) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  stream.on('data', (c: Buffer) => {
    if (size < MAX_ERROR_BODY) chunks.push(c);
    size += c.length;
  });
  const finish = () => {
    let status: TtsStatus | undefined;
    const decoder = new StreamDecoder((m) => {
      if (m.kind === 'error' && !status) status = m.status;
    });
    decoder.push(Buffer.concat(chunks));
    decoder.end();
    done(status);
  };
  stream.on('end', finish);
  stream.on('error', finish);
}
