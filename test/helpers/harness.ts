/**
 * Starts the real core behind the harness, on a fresh data directory, for E2E tests.
 */
import os from 'node:os';
import path from 'node:path';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { startHarness, type Harness, type HarnessOptions } from '../../src-main/core/harness/harness.js';

/** `EVENT_DESK_RENDERER_DIR` runs the tests on a private build (several people building into dist/ at once).
 */
export const RENDERER_DIR = path.resolve(process.env.EVENT_DESK_RENDERER_DIR ?? 'dist/renderer');

export async function startTestHarness(options: Partial<HarnessOptions> = {}): Promise<Harness & { dataDir: string }> {
  if (!existsSync(path.join(RENDERER_DIR, 'index.html')))
    throw new Error('dist/renderer is missing: run `npm run build` before the E2E tests (npm test does).');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-e2e-'));
  const harness = await startHarness({ rendererDir: RENDERER_DIR, dataDir, demo: { rate: 20, seed: 7 }, ...options });
  return {
    ...harness,
    dataDir,
    async close() {
      await harness.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
