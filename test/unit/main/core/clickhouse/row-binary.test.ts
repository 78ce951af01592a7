/**
 * RowBinary strings as ClickHouse reads them: a LEB128 length, then the UTF-8 bytes, for ASCII written a
 * character at a time and anything else through Node's encoder, short and long, in a buffer that grows.
 */
import { describe, expect, it } from 'vitest';
import { RowBinaryWriter } from '../../../../../src-main/core/clickhouse/row-binary.js';

/** What ClickHouse expects for one String value. */
function expected(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  const len: number[] = [];
  let n = bytes.length;
  while (n >= 0x80) {
    len.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  len.push(n);
  return Buffer.concat([Buffer.from(len), bytes]);
}

describe('RowBinaryWriter.string', () => {
  it('writes each string as its length and UTF-8 bytes, whatever its characters and length', () => {
    const values = [
      '',
      'as.up.data.forward',
      'x'.repeat(42),
      'x'.repeat(43),
      'température 21 °C',
      'é',
      `${'a'.repeat(41)}é`,
      '日本の温度',
      'sensor 😀',
      '\u007f\u0080',
      'a'.repeat(200),
      'ü'.repeat(100),
    ];
    // A small buffer, so writing grows it several times.
    const w = new RowBinaryWriter(8);
    for (const v of values) w.string(v);
    expect(w.bytes()).toEqual(Buffer.concat(values.map(expected)));
  });
});
