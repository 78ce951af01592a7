/**
 * A file's bytes in chunks, read into two buffers taken in turn: the next chunk is read while the caller
 * works on this one.
 *
 * `createReadStream` allocates a fresh buffer for every read. On these machines the first pass over fresh
 * memory is slow: finding the newlines of a 480 MB file took 260–700 ns a line in fresh chunks and 45–50 ns
 * in reused ones (~7 % of opening the file). The price is the contract below.
 *
 * A chunk is valid only until the caller asks for the next one (its buffer is then read into again):
 * whoever keeps bytes of it must copy them.
 */
import { promises as fs } from 'node:fs';

export async function* fileChunks(file: string, chunkBytes = 1024 * 1024): AsyncGenerator<Buffer, void, undefined> {
  const handle = await fs.open(file, 'r');
  const buffers = [Buffer.allocUnsafeSlow(chunkBytes), Buffer.allocUnsafeSlow(chunkBytes)];
  let position = 0;
  let turn = 0;
  let next: Promise<{ bytesRead: number; buffer: Buffer }> | undefined = handle.read(
    buffers[0]!,
    0,
    chunkBytes,
    position,
  );
  try {
    for (;;) {
      const current = next;
      next = undefined;
      const { bytesRead, buffer } = await current;
      if (bytesRead === 0) return;
      position += bytesRead;
      turn ^= 1;
      next = handle.read(buffers[turn]!, 0, chunkBytes, position);
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    // A caller that stops early (a cancelled import) leaves a read in flight: it ends before the file closes.
    await next?.catch(() => undefined);
    await handle.close();
  }
}
