/**
 * The menu template reaches Electron with working click handlers (electron double).
 */
import { describe, expect, it, vi } from 'vitest';
import { installAppMenu } from '../../../../src-main/electron/app-menu.js';
import { buildMenuTemplate } from '../../../../src-main/core/shell/menu-template.js';
import { appMenu } from '../../../mocks/electron.js';

vi.mock('electron', () => import('../../../mocks/electron.js'));

type Item = { label?: string; accelerator?: string; click?: () => void; submenu?: Item[] };
const find = (items: Item[], label: string): Item | undefined => {
  for (const i of items) {
    if (i.label === label) return i;
    const inner = i.submenu && find(i.submenu, label);
    if (inner) return inner;
  }
  return undefined;
};

describe('installing the application menu', () => {
  it("sends each item's command to the window and runs main's own actions", () => {
    const commands: unknown[] = [];
    const actions: unknown[] = [];
    installAppMenu(
      buildMenuTemplate({ platform: 'linux', recent: ['/x/a.ndjson'], theme: 'system', detailPane: true }),
      {
        command: (c) => commands.push(c),
        action: (a, item) => actions.push([a, item.recentIndex]),
      },
    );
    const items = appMenu.template as Item[];
    find(items, 'Open…')!.click!();
    find(items, 'Reopen Closed Workspace')!.click!();
    find(items, 'Dark')!.click!();
    find(items, '1  a.ndjson')!.click!();
    find(items, 'About Event Desk')!.click!();
    expect(commands).toEqual([{ kind: 'open' }, { kind: 'reopen-closed' }, { kind: 'theme', theme: 'dark' }]);
    expect(actions).toEqual([
      ['open-recent', 0],
      ['about', undefined],
    ]);
    expect(find(items, 'Close Workspace')?.accelerator).toBe('CmdOrCtrl+W');
    expect(JSON.stringify(items)).not.toContain('recentIndex');
  });
});
