import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

const eslint = new ESLint();

async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId?.endsWith('no-restricted-imports')).map((m) => m.message);
}

describe('the layer rule for src-main/cli (the event-desk command)', () => {
  it('keeps electron, the shell and the renderer out', async () => {
    expect(
      await violations('src-main/cli/x.ts', "import { app } from 'electron';\nexport const a = app;\n"),
    ).toHaveLength(1);
    expect(
      await violations('src-main/cli/x.ts', "import { x } from '../electron/main';\nexport const a = x;\n"),
    ).toHaveLength(1);
    expect(
      await violations('src-main/cli/x.ts', "import { x } from '../../src-renderer/lib/x';\nexport const a = x;\n"),
    ).toHaveLength(1);
  });

  it('lets it use shared, core and Node', async () => {
    expect(
      await violations(
        'src-main/cli/x.ts',
        [
          "import fs from 'node:fs';",
          "import { ok } from '../shared/result';",
          "import { startStack } from '../core/stack/server';",
          'export const a = [fs, ok, startStack];',
          '',
        ].join('\n'),
      ),
    ).toEqual([]);
  });
});
