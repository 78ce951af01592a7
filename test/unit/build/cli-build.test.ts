import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import config from '../../../electron.config.js';
import viteConfig from '../../../vite.config.js';

describe('the event-desk command in the build and the package', () => {
  it('package.json names a bin built by `vite build --mode cli`, and the build script builds it', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      bin: Record<string, string>;
      scripts: Record<string, string>;
    };
    expect(pkg.bin['event-desk']).toBe('dist/cli/event-desk.cjs');
    expect(pkg.scripts.build).toContain('vite build --mode cli');
    expect(pkg.scripts.cli).toBe('tsx src-main/cli/main.ts');
  });

  it('the cli mode bundles src-main/cli/main.ts into one CJS file with a shebang', async () => {
    const resolved = await (viteConfig as (env: { mode: string; command: 'build' }) => Promise<any> | any)({
      mode: 'cli',
      command: 'build',
    });
    expect(resolved.build.outDir).toBe('dist/cli');
    expect(resolved.build.lib.entry).toBe('src-main/cli/main.ts');
    expect(resolved.build.lib.fileName()).toBe('event-desk.cjs');
    expect(resolved.build.rollupOptions.output.banner).toBe('#!/usr/bin/env node');
    expect(resolved.build.rollupOptions.external).toContain('keytar');
  });

  it('the packaged app carries it', () => {
    expect(config.files).toContain('dist/cli/**');
  });
});
