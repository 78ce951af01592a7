/**
 * Opening a file in chunks of bytes reads exactly what reading it as one text does: the same events
 * (the capture then stores the line's own bytes), status entries, skipped lines with their numbers and
 * reasons, format and byte count, wherever the chunks are cut.
 */
import { describe, expect, it } from 'vitest';
import { ImportSession } from '../../../../../src-main/core/exchange/import-session.js';
import { STATUS_KEY } from '../../../../../src-main/core/capture/capture-file.js';
import { BUNDLE_KEY } from '../../../../../src-main/shared/export/types.js';
import samples from '../../../../fixtures/sample-events.json' with { type: 'json' };

function read(feed: (s: ImportSession) => void, maxLineBytes?: number) {
  const events: { raw: string; name: unknown; bytes: boolean }[] = [];
  const statuses: unknown[] = [];
  const session = new ImportSession(
    {
      append: (raw, e) =>
        events.push({
          raw: typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8'),
          name: e.name,
          bytes: typeof raw !== 'string',
        }),
      status: (s) => statuses.push(s),
    },
    maxLineBytes,
  );
  feed(session);
  session.end();
  const { format, skipped, skippedCount, bytes, events: count, statusEntries } = session;
  return { events, statuses, format, skipped, skippedCount, bytes, count, statusEntries };
}

const asText = (file: Buffer) => read((s) => s.feed(file.toString('utf8')));
const inChunks = (file: Buffer, size: number) =>
  read((s) => {
    for (let i = 0; i < file.length; i += size) s.feedBytes(file.subarray(i, i + size));
  });
/** As the file reader gives them: every chunk in one buffer, overwritten once the session has it. */
const inReusedChunks = (file: Buffer, size: number) =>
  read((s) => {
    const buffer = Buffer.alloc(size);
    for (let i = 0; i < file.length; i += size) {
      const n = file.copy(buffer, 0, i, i + size);
      s.feedBytes(buffer.subarray(0, n));
      buffer.fill(0x41);
    }
  });

const lines = samples.map((e) => JSON.stringify(e));
const ndjson = Buffer.concat([
  Buffer.from('\ufeff'),
  Buffer.from(`${lines.slice(0, 20).join('\n')}\n\n   \n`),
  Buffer.from(`${lines.slice(20, 40).join('\r\n')}\r\n`),
  Buffer.from('not json at all\n[1,2]\n{"name":"x","time":"yesterday"}\n{"name":"y"}\n'),
  Buffer.from(`{"result":${lines[40]}}\n`),
  Buffer.from(`${JSON.stringify({ [STATUS_KEY]: { kind: 'gap', time: '2026-01-01T00:00:00Z', message: 'gap' } })}\n`),
  Buffer.from(`${JSON.stringify({ [BUNDLE_KEY]: { version: 1 } })}\n`),
  Buffer.from(
    `${JSON.stringify({ name: 'as.up.data.forward', time: '2026-01-01T00:00:01Z', data: { note: 'température 21 °C, 😀, €' } })}\n`,
  ),
  // Invalid UTF-8 inside a string: decoded as U+FFFD either way; the capture keeps the bytes received.
  Buffer.concat([
    Buffer.from('{"name":"as.up.data.forward","time":"2026-01-01T00:00:02Z","data":{"note":"'),
    Buffer.from([0xc3, 0x28, 0xff]),
    Buffer.from('"}}\n'),
  ]),
  Buffer.from(`${lines.slice(41).join('\n')}\n`),
  Buffer.from(lines[0]!.slice(0, 50)), // a torn last line
]);

describe('an import read in chunks of bytes', () => {
  it('reads an NDJSON file exactly as one text, wherever the chunks are cut', () => {
    const whole = asText(ndjson);
    expect(whole.count).toBeGreaterThan(80);
    expect(whole.statusEntries).toBe(1);
    // 20 lines, a blank one, one of spaces, 20 in CRLF, then the four broken ones; the torn last line is 95.
    expect(whole.skipped.map((s) => s.line)).toEqual([43, 44, 45, 46, 95]);
    for (const size of [1, 7, 100, 4096, 65_536, ndjson.length]) {
      const chunked = inChunks(ndjson, size);
      expect(inReusedChunks(ndjson, size), `one reused buffer, chunks of ${size}`).toEqual(chunked);
      expect(chunked.events.map(({ raw, name }) => ({ raw, name }))).toEqual(
        whole.events.map(({ raw, name }) => ({ raw, name })),
      );
      // The bytes read are the file's (the whole text counts U+FFFD for each invalid byte: 4 more here).
      expect(chunked.bytes).toBe(ndjson.length);
      expect({ ...chunked, events: undefined, bytes: 0 }).toEqual({ ...whole, events: undefined, bytes: 0 });
    }
  });

  it('gives the capture the bytes of each NDJSON line after the first chunk, not text encoded again', () => {
    const chunked = inChunks(ndjson, 4096);
    const copied = chunked.events.filter((e) => e.bytes);
    expect(copied.length).toBeGreaterThan(70);
    // The invalid bytes go to the capture as they were in the file.
    const file = ndjson.toString('latin1');
    expect(chunked.events.some((e) => e.bytes && e.raw.includes('\ufffd'))).toBe(true);
    expect(file.includes(Buffer.from([0xc3, 0x28, 0xff]).toString('latin1'))).toBe(true);
    // A wrapped event is stored unwrapped, as text.
    expect(chunked.events.find((e) => e.raw === lines[40])?.bytes).toBe(false);
  });

  it('reads a JSON array and ttn-lw-cli output in chunks as it reads them whole', () => {
    const array = Buffer.from(JSON.stringify(samples.slice(0, 30), null, 2));
    const cli = Buffer.from(
      samples
        .slice(0, 30)
        .map((e) => JSON.stringify(e, null, 2))
        .join('\n'),
    );
    for (const file of [array, cli]) {
      const whole = asText(file);
      expect(whole.count).toBe(30);
      for (const size of [1, 333, 8192]) expect(inChunks(file, size)).toEqual(whole);
    }
  });

  it('skips an NDJSON line past the cap with its line number, in any chunks, and reads the lines after it', () => {
    const long = JSON.stringify({
      name: 'as.up.data.forward',
      time: '2026-01-01T00:00:00Z',
      data: { x: 'y'.repeat(5000) },
    });
    const file = Buffer.from(`${lines.slice(0, 3).join('\n')}\n${long}\n${lines.slice(3, 6).join('\n')}\n`);
    // (The first chunk is read as text, before the file is known to be NDJSON: its size bounds it.)
    for (const size of [7, 1000, 3000]) {
      const r = read((s) => {
        for (let i = 0; i < file.length; i += size) s.feedBytes(file.subarray(i, i + size));
      }, 4096);
      expect(r.count, `chunks of ${size}`).toBe(6);
      expect(r.events.map((e) => e.raw)).toEqual(lines.slice(0, 6));
      expect(r.skipped).toEqual([{ line: 4, reason: 'longer than 4096 bytes: skipped' }]);
    }
  });
});

describe('what an import reads from a file with more than events in it', () => {
  const [ev0, ev1, ev2] = lines;
  const names = samples.slice(0, 3).map((e) => e.name);
  /** Read whole as text, and in chunks of bytes: the same result (NDJSON's events then come as bytes), which is returned. */
  const readAll = (file: Buffer) => {
    const withoutBytes = (r: ReturnType<typeof asText>) => ({
      ...r,
      events: r.events.map(({ raw, name }) => ({ raw, name })),
    });
    const whole = asText(file);
    for (const size of [1, 100, 4096])
      expect(withoutBytes(inChunks(file, size)), `chunks of ${size}`).toEqual(withoutBytes(whole));
    return whole;
  };

  it('reads every event of a minified JSON array, skipping each element that is not an event with its reason', () => {
    const r = readAll(Buffer.from(`[${ev0},"junk",42,null,{"foo":1},${ev1},[1,2],${ev2}]`));
    expect(r.format).toBe('JSON array');
    expect(r.events.map((e) => e.name)).toEqual(names);
    expect(r.skipped).toEqual([
      { line: 1, reason: 'a string, not a JSON object' },
      { line: 1, reason: 'a number, not a JSON object' },
      { line: 1, reason: 'null, not a JSON object' },
      { line: 1, reason: 'not an event: it has no "name" and "time"' },
      { line: 1, reason: 'an array, not a JSON object' },
    ]);
    const one = readAll(Buffer.from(`[${ev0},42,${ev1},${ev2}]`));
    expect(one.events.map((e) => e.name)).toEqual(names);
    expect(one.skipped).toEqual([{ line: 1, reason: 'a number, not a JSON object' }]);
  });

  it('reads the same from the array pretty-printed, naming the line of each element skipped', () => {
    const text = JSON.stringify([samples[0], 'junk', 42, null, { foo: 1 }, samples[1], [1, 2], samples[2]], null, 2);
    const lineOf = (l: string) => text.split('\n').indexOf(l) + 1;
    const r = readAll(Buffer.from(text));
    expect(r.events.map((e) => e.name)).toEqual(names);
    expect(r.skipped).toEqual([
      { line: lineOf('  "junk",'), reason: 'a string, not a JSON object' },
      { line: lineOf('  42,'), reason: 'a number, not a JSON object' },
      { line: lineOf('  null,'), reason: 'null, not a JSON object' },
      { line: lineOf('    "foo": 1') - 1, reason: 'not an event: it has no "name" and "time"' },
      { line: lineOf('  ['), reason: 'an array, not a JSON object' },
    ]);
  });

  it('still says a JSON array is cut off when it ends after an element that is not an event', () => {
    const r = readAll(Buffer.from(`[${ev0},"junk",${ev1}`));
    expect(r.events.map((e) => e.name)).toEqual(names.slice(0, 2));
    expect(r.skipped).toEqual([
      { line: 1, reason: 'a string, not a JSON object' },
      { line: 1, reason: expect.stringMatching(/^the JSON array is never closed \(truncated\?\)/) },
    ]);
  });

  // `ttn-lw-cli events subscribe … 2>&1 > file`: its log lines come first, then the events.
  const log = '  INFO Subscribing to events…    application_ids=[app1]\n  WARN Stream slow   latency=2s\n\n';
  const logSkipped = [
    { line: 1, reason: 'a ttn-lw-cli log line, not an event' },
    { line: 2, reason: 'a ttn-lw-cli log line, not an event' },
  ];

  it('reads ttn-lw-cli output captured with its log lines, skipping each log line by number', () => {
    const cli = samples
      .slice(0, 3)
      .map((e) => JSON.stringify(e, null, 2))
      .join('\n');
    const r = readAll(Buffer.from(log + cli + '\n'));
    expect(r.format).toBe('concatenated JSON objects (ttn-lw-cli)');
    expect(r.events.map((e) => e.name)).toEqual(names);
    expect(r.skipped).toEqual(logSkipped);
  });

  it('reads NDJSON and a JSON array after log lines too, NDJSON still line by line as bytes', () => {
    const ndjson = Buffer.from(`${log}${lines.slice(0, 30).join('\n')}\n`);
    const r = readAll(ndjson);
    expect(r.format).toBe('NDJSON');
    expect(r.count).toBe(30);
    expect(r.skipped).toEqual(logSkipped);
    expect(inChunks(ndjson, 4096).events.filter((e) => e.bytes).length).toBeGreaterThan(20);
    const array = readAll(Buffer.from(log + JSON.stringify(samples.slice(0, 30), null, 2)));
    expect(array.format).toBe('JSON array');
    expect(array.count).toBe(30);
    expect(array.skipped).toEqual(logSkipped);
  });
});
