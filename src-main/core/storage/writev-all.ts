/**
 * All of a list of buffers written at the file's position, in as few `writev` calls as the OS allows: a
 * short write goes on after what was written (files rarely do that, pipes and full disks may).
 */
import type { FileHandle } from 'node:fs/promises';

export async function writevAll(handle: FileHandle, buffers: Buffer[]): Promise<void> {
  let list = buffers;
  let left = list.reduce((n, b) => n + b.length, 0);
  while (left > 0) {
    const { bytesWritten } = await handle.writev(list);
    left -= bytesWritten;
    if (left === 0) return;
    let skip = bytesWritten;
    const rest: Buffer[] = [];
    for (const b of list) {
      if (skip >= b.length) skip -= b.length;
      else {
        rest.push(skip > 0 ? b.subarray(skip) : b);
        skip = 0;
      }
    }
    list = rest;
  }
}
