import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import config from '../../../electron.config.js';

describe('electron-builder configuration', () => {
  it('builds a Linux AppImage and deb, a macOS dmg and a Windows installer', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toBe('dmg');
    expect(config.win.target).toBe('nsis');
  });

  it('takes its resources from build/ and packages the built main, preload and renderer', () => {
    expect(config.directories.buildResources).toBe('build');
    expect(config.files).toEqual(
      expect.arrayContaining(['dist/main/**', 'dist/preload/**', 'dist/renderer/**', 'package.json']),
    );
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { main: string };
    expect(pkg.main).toBe('dist/main/main.cjs');
  });

  it('has what the deb target needs and an icon that exists', () => {
    expect(config.linux.maintainer).toMatch(/<.+@.+>/);
    expect(existsSync(config.linux.icon)).toBe(true);
  });

  it('opens exports and support bundles from the file manager, without claiming every NDJSON file', () => {
    expect(config.fileAssociations).toEqual([
      expect.objectContaining({ ext: 'ndjson', name: 'Event Desk bundle', role: 'Viewer', rank: 'Alternate' }),
    ]);
  });

  it('keeps the native keychain module outside the asar archive', () => {
    expect(config.asarUnpack).toContain('**/node_modules/keytar/**');
  });

  it('flips the Electron fuses: no run-as-node, no NODE_OPTIONS or --inspect, encrypted cookies, only its own checked asar', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
});
