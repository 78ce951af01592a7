import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StreamDecoder, type DecodedMessage } from '../../../../../src-main/core/stream/decoder.js';

const start = {
  name: 'events.stream.start',
  time: '2024-10-28T10:15:00.000551249Z',
  identifiers: [{ application_ids: { application_id: 'demo-app' } }],
  unique_id: '01JB99YB50E4W1D5J1DWCT3B94',
};
const uplink = {
  name: 'as.up.data.forward',
  time: '2024-10-28T10:15:30.210088932Z',
  data: {
    '@type': 'type.googleapis.com/ttn.lorawan.v3.ApplicationUp',
    uplink_message: { f_port: 1, decoded_payload: { note: 'température 21.5 °C ✓ 😀' } },
  },
  unique_id: '01JB99Z8N2QGQEGH8YBYRSM8WG',
};
const error = {
  code: 16,
  message: 'error:pkg/identityserver:token_expired (token expired)',
  details: [{ name: 'token_expired', code: 16 }],
};

const wire = (o: unknown) => JSON.stringify(o);
const FRAMINGS: Record<string, string> = {
  'TTS event-stream (blank-line separated)': `${wire({ result: start })}\n\n${wire({ result: uplink })}\n\n${wire({ error })}\n\n`,
  'newline-delimited JSON': `${wire({ result: start })}\n${wire({ result: uplink })}\n${wire({ error })}\n`,
  'standard SSE data: lines':
    `event: message\ndata: ${wire({ result: start })}\n\n: a comment\n` +
    `data: ${wire({ result: uplink })}\n\ndata: ${wire({ error })}\n\n`,
};

function decodeInPieces(bytes: Buffer, cuts: number[]): DecodedMessage[] {
  const out: DecodedMessage[] = [];
  const d = new StreamDecoder((m) => out.push(m));
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    d.push(bytes.subarray(prev, c));
    prev = c;
  }
  d.end();
  return out;
}

function expectTheThree(out: DecodedMessage[]): void {
  expect(out.map((m) => m.kind)).toEqual(['event', 'event', 'error']);
  expect(out[0]!.kind === 'event' && out[0]!.event.name).toBe('events.stream.start');
  expect(out[1]!.kind === 'event' && out[1]!.event).toEqual(uplink);
  expect(out[2]!.kind === 'error' && out[2]!.status.code).toBe(16);
}

describe('StreamDecoder', () => {
  for (const [framing, text] of Object.entries(FRAMINGS)) {
    describe(framing, () => {
      const bytes = Buffer.from(text, 'utf8');

      it('decodes events and the final error in one chunk', () => {
        expectTheThree(decodeInPieces(bytes, []));
      });

      it('decodes the same whatever single byte boundary the body is split at', () => {
        for (let cut = 1; cut < bytes.length; cut++) expectTheThree(decodeInPieces(bytes, [cut]));
      });

      it('decodes a body delivered one byte at a time (multi-byte UTF-8 split too)', () => {
        expectTheThree(
          decodeInPieces(
            bytes,
            Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
          ),
        );
      });
    });
  }

  it('keeps the server bytes of each event for the capture', () => {
    const out = decodeInPieces(Buffer.from(`${wire({ result: uplink })}\n\n`), []);
    expect(out[0]!.kind === 'event' && out[0]!.raw).toBe(wire(uplink));
  });

  it('gives the capture the exact bytes of each event, also across chunks and with CRLF endings', () => {
    const body = Buffer.from(`${wire({ result: uplink })}\r\n\r\n${wire({ result: start })}\n\n`);
    // Cut inside the multi-byte characters of the first event and inside the second.
    const out = decodeInPieces(body, [40, body.indexOf('✓') + 1, body.length - 30]);
    const events = out.filter((m) => m.kind === 'event');
    expect(events.map((m) => m.bytes && Buffer.from(m.bytes).toString('utf8'))).toEqual([wire(uplink), wire(start)]);
    expect(events.map((m) => m.raw)).toEqual([wire(uplink), wire(start)]);
  });

  it('gives the capture the exact bytes of every real public event, framed as TTS sends them', () => {
    const dir = 'test/fixtures/real';
    const real = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => (JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { events: unknown[] }).events);
    const texts = real.map((e) => JSON.stringify(e));
    const body = Buffer.from(texts.map((t) => `{"result":${t}}\n\n`).join(''));
    // Cut into chunks of an odd size, so events and multi-byte characters straddle chunks.
    const out = decodeInPieces(
      body,
      Array.from({ length: Math.floor(body.length / 4093) }, (_, i) => (i + 1) * 4093),
    );
    expect(out.length).toBe(real.length);
    out.forEach((m, i) => {
      if (m.kind !== 'event') throw new Error(`event ${i} decoded as ${m.kind}`);
      expect(Buffer.from(m.bytes!).toString('utf8')).toBe(texts[i]);
      expect(m.event).toEqual(real[i]);
    });
  });

  it('gives no bytes for an event whose wrapper is not the compact form (the text is re-encoded)', () => {
    const out = decodeInPieces(Buffer.from(`{ "result": ${wire(start)} }\n\n`), []);
    expect(out[0]!.kind === 'event' && out[0]!.bytes).toBeUndefined();
    expect(out[0]!.kind === 'event' && out[0]!.raw).toBe(wire(start));
  });

  it('reports a malformed object and goes on with the next one', () => {
    const out = decodeInPieces(Buffer.from(`{"result":{"name":"broken"\n\n${wire({ result: uplink })}\n\n`), []);
    expect(out.map((m) => m.kind)).toEqual(['malformed', 'event']);
  });

  it('takes a bare Status body (request-body decode errors) as an error', () => {
    const out = decodeInPieces(Buffer.from('{"code":3,"message":"unexpected EOF"}'), []);
    expect(out[0]).toEqual({ kind: 'error', status: { code: 3, message: 'unexpected EOF' } });
  });

  it('decodes a last object that has no delimiter when the body ends', () => {
    const out = decodeInPieces(Buffer.from(`${wire({ result: start })}\n\n${wire({ result: uplink })}`), []);
    expect(out.map((m) => m.kind)).toEqual(['event', 'event']);
  });

  it('handles CRLF line endings', () => {
    const out = decodeInPieces(
      Buffer.from(`${wire({ result: start })}\r\n\r\n${wire({ result: uplink })}\r\n\r\n`),
      [7],
    );
    expect(out.map((m) => m.kind)).toEqual(['event', 'event']);
  });
});
