import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

const eslint = new ESLint();

async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId?.endsWith('no-restricted-imports')).map((m) => m.message);
}

describe('the layer rule of ARCHITECTURE.md', () => {
  it('keeps electron out of core, shared, the renderer and tests', async () => {
    for (const file of ['src-main/core/x.ts', 'src-main/shared/x.ts', 'src-renderer/lib/x.ts', 'test/unit/x.test.ts']) {
      expect(await violations(file, "import { app } from 'electron';\nexport const a = app;\n"), file).toHaveLength(1);
    }
  });

  it('lets the shell and the preload import electron', async () => {
    expect(
      await violations('src-main/electron/x.ts', "import { app } from 'electron';\nexport const a = app;\n"),
    ).toEqual([]);
    expect(
      await violations(
        'src-main/preload/x.ts',
        "import { contextBridge } from 'electron';\nexport const a = contextBridge;\n",
      ),
    ).toEqual([]);
  });

  it('keeps Node out of shared, the preload and the renderer', async () => {
    for (const file of ['src-main/shared/x.ts', 'src-main/preload/x.ts', 'src-renderer/lib/x.ts']) {
      expect(await violations(file, "import fs from 'node:fs';\nexport const a = fs;\n"), file).toHaveLength(1);
    }
  });

  it('stops the renderer from reaching into core', async () => {
    expect(
      await violations(
        'src-renderer/lib/x.ts',
        "import { startStack } from '../../src-main/core/stack/server';\nexport const a = startStack;\n",
      ),
    ).toHaveLength(1);
    expect(
      await violations(
        'src-renderer/lib/x.ts',
        "import { ok } from '../../src-main/shared/result';\nexport const a = ok;\n",
      ),
    ).toEqual([]);
  });

  it('allows type-only imports across layers', async () => {
    expect(
      await violations('src-main/core/x.ts', "import type { App } from 'electron';\nexport type A = App;\n"),
    ).toEqual([]);
  });
});
