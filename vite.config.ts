/**
 * One Vite config for the three bundles and the tests:
 *   vite build                  → dist/renderer (Svelte, sandboxed page)
 *   vite build --mode preload   → dist/preload/preload.cjs (one CJS file, only `electron` external)
 *   vite build --mode main      → dist/main/main.cjs (Electron main; npm dependencies stay external)
 *   vite build --mode cli       → dist/cli/event-desk.cjs (the `event-desk` command; package.json `bin`)
 * `vitest` uses the `test` section: a `unit` project (plain Node) and an `e2e` project (Chromium).
 */
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  dependencies?: Record<string, string>;
};
const nodeExternals = [
  'electron',
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  ...Object.keys(pkg.dependencies ?? {}),
];

export default defineConfig(({ mode }) => {
  if (mode === 'cli') {
    return {
      build: {
        outDir: 'dist/cli',
        emptyOutDir: true,
        target: 'node20',
        minify: false,
        sourcemap: true,
        lib: { entry: 'src-main/cli/main.ts', formats: ['cjs'], fileName: () => 'event-desk.cjs' },
        rollupOptions: { external: nodeExternals, output: { banner: '#!/usr/bin/env node' } },
      },
    };
  }
  if (mode === 'main' || mode === 'preload') {
    const isMain = mode === 'main';
    return {
      build: {
        outDir: isMain ? 'dist/main' : 'dist/preload',
        emptyOutDir: true,
        target: 'node20',
        minify: false,
        sourcemap: true,
        lib: {
          entry: isMain ? 'src-main/electron/main.ts' : 'src-main/preload/preload.ts',
          formats: ['cjs'],
          fileName: () => (isMain ? 'main.cjs' : 'preload.cjs'),
        },
        rollupOptions: { external: isMain ? nodeExternals : ['electron'] },
      },
    };
  }
  return {
    root: 'src-renderer',
    base: './',
    plugins: [svelte({ configFile: fileURLToPath(new URL('./svelte.config.js', import.meta.url)) })],
    build: { outDir: '../dist/renderer', emptyOutDir: true, target: 'es2022', sourcemap: true },
    resolve: process.env.VITEST ? { conditions: ['browser'] } : {},
    test: {
      root: '.',
      projects: [
        {
          extends: true,
          test: {
            name: 'unit',
            root: '.',
            include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
            environment: 'node',
            testTimeout: 30_000,
            hookTimeout: 30_000,
          },
        },
        {
          extends: true,
          test: {
            name: 'e2e',
            root: '.',
            include: ['test/e2e/**/*.test.ts'],
            environment: 'node',
            testTimeout: 60_000,
            hookTimeout: 60_000,
            fileParallelism: false,
            expect: { poll: { timeout: 10_000, interval: 50 } },
          },
        },
      ],
    },
  };
});
