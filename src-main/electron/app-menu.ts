/**
 * The application menu: the template is data built and tested in core (core/shell/menu-template.ts);
 * here each item's command or action becomes a click handler.
 */
import { Menu, type MenuItemConstructorOptions } from 'electron';
import type { MenuItemSpec } from '../core/shell/menu-template.js';
import type { ShellCommand } from '../shared/domain/shell.js';

export interface MenuHandlers {
  command(command: ShellCommand): void;
  action(action: NonNullable<MenuItemSpec['action']>, item: MenuItemSpec): void;
}

export function toElectronTemplate(spec: MenuItemSpec[], on: MenuHandlers): MenuItemConstructorOptions[] {
  return spec.map((item) => {
    const { command, action, recentIndex: _r, submenu, ...rest } = item;
    const out: MenuItemConstructorOptions = { ...rest };
    if (submenu) out.submenu = toElectronTemplate(submenu, on);
    if (command) out.click = () => on.command(command);
    else if (action) out.click = () => on.action(action, item);
    return out;
  });
}

export function installAppMenu(spec: MenuItemSpec[], on: MenuHandlers): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(toElectronTemplate(spec, on)));
}
