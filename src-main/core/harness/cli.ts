/**
 * `npm run harness`: the core plus the built renderer on loopback, to use the app in any browser
 * (needs `npm run build` first).
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { startHarness } from './harness.js';

const dataDir = process.env.EVENT_DESK_DATA ?? mkdtempSync(path.join(os.tmpdir(), 'event-desk-'));
const harness = await startHarness({ rendererDir: path.resolve('dist/renderer'), dataDir, port: Number(process.env.PORT ?? 0) });
console.log(`Event Desk harness: open ${harness.url}`);
console.log(`Data directory: ${dataDir}`);
const stop = () => void harness.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
