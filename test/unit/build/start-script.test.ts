/**
 * `npm start` on a machine without the Electron binary (#16, finding 2): one paragraph that points to
 * browser mode, exit code 1, and no stack trace or download advice that fails again offline.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error -- a plain .mjs script without type declarations
import { electronBinary } from '../../../scripts/electron-binary.mjs';

describe('npm start without an Electron binary', () => {
  it('prints one clear paragraph pointing to browser mode and exits 1', () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'desk-no-electron-'));
    const r = spawnSync(process.execPath, ['scripts/start.mjs'], {
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: empty },
      timeout: 20_000,
    });
    expect(r.status).toBe(1);
    const out = r.stdout + r.stderr;
    expect(out).toContain('Electron binary is not installed');
    expect(out).toContain('npm run build && npm run harness');
    expect(out).toContain('Browser mode');
    expect(out).not.toMatch(/^\s+at /m);
    expect(out).not.toContain('install-electron');
  });

  it('finds a binary that is there', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'desk-electron-'));
    const name = process.platform === 'win32' ? 'electron.exe' : 'electron';
    writeFileSync(path.join(dir, name), '');
    const found = (electronBinary as (env: NodeJS.ProcessEnv) => string | undefined)({
      ELECTRON_OVERRIDE_DIST_PATH: dir,
    });
    expect(found === undefined ? undefined : path.dirname(found)).toBe(dir);
  });
});
