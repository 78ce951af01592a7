/**
 * Child process for the crash test: appends events to a capture as the app does, reports each
 * flushed count on stdout, then starts a line it never finishes and waits to be killed.
 */
import { appendFileSync } from 'node:fs';
import { CaptureFile } from '../../src-main/core/capture/capture-file.js';

const path = process.argv[2]!;
const { file } = await CaptureFile.open(path, { flushMs: 5 });
let n = 0;
for (let batch = 0; batch < 20; batch++) {
  for (let i = 0; i < 50; i++)
    file.append(JSON.stringify({ name: 'as.up.data.forward', time: new Date().toISOString(), unique_id: `E${++n}` }));
  await file.flush();
  process.stdout.write(`flushed ${n}\n`);
}
// A write torn by the crash: half a line, no newline.
appendFileSync(path, '{"name":"as.up.data.forward","time":"2026-');
process.stdout.write('torn\n');
setInterval(() => {}, 1000);
