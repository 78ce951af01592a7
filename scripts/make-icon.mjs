// Draws build/icon.png (512×512): a rounded teal tile with a white event-pulse line. No image tools needed.
import { writeFileSync } from 'node:fs';
import zlib from 'node:zlib';

const S = 512;
const px = Buffer.alloc(S * S * 4);
const set = (x, y, r, g, b, a = 255) => {
  if (x < 0 || y < 0 || x >= S || y >= S) return;
  const i = (y * S + x) * 4;
  px[i] = r;
  px[i + 1] = g;
  px[i + 2] = b;
  px[i + 3] = a;
};
const R = 96;
for (let y = 0; y < S; y++)
  for (let x = 0; x < S; x++) {
    const cx = Math.min(Math.max(x, R), S - R),
      cy = Math.min(Math.max(y, R), S - R);
    if ((x - cx) ** 2 + (y - cy) ** 2 <= R * R) set(x, y, 11, 138, 111);
  }
const pts = [
  [64, 300],
  [180, 300],
  [220, 180],
  [280, 380],
  [320, 260],
  [448, 260],
];
for (let k = 0; k < pts.length - 1; k++) {
  const [x0, y0] = pts[k],
    [x1, y1] = pts[k + 1];
  const n = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0));
  for (let t = 0; t <= n; t++) {
    const x = Math.round(x0 + ((x1 - x0) * t) / n),
      y = Math.round(y0 + ((y1 - y0) * t) / n);
    for (let dy = -14; dy <= 14; dy++)
      for (let dx = -14; dx <= 14; dx++) if (dx * dx + dy * dy <= 196) set(x + dx, y + dy, 255, 255, 255);
  }
}
const raw = Buffer.alloc((S * 4 + 1) * S);
for (let y = 0; y < S; y++) px.copy(raw, y * (S * 4 + 1) + 1, y * S * 4, (y + 1) * S * 4);
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(S, 0);
ihdr.writeUInt32BE(S, 4);
ihdr[8] = 8;
ihdr[9] = 6;
writeFileSync(
  'build/icon.png',
  Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]),
);
console.log('wrote build/icon.png');
