/**
 * electron-builder configuration. Run with `electron-builder --config electron.config.ts`
 * (`npm run package`, release machines only: packaging downloads Electron and its tools).
 */
import type { Configuration } from 'electron-builder';

export const config = {
  appId: 'dev.eventdesk.app',
  productName: 'Event Desk',
  directories: { buildResources: 'build', output: 'release' },
  files: ['dist/main/**', 'dist/preload/**', 'dist/renderer/**', 'dist/cli/**', 'package.json'],
  asar: true,
  // keytar's native module cannot load from inside an asar archive.
  asarUnpack: ['**/node_modules/keytar/**'],
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Development',
    maintainer: 'Event Desk developers <dev@event-desk.invalid>',
    icon: 'build/icon.png',
  },
  mac: { target: 'dmg', category: 'public.app-category.developer-tools', icon: 'build/icon.png' },
  win: { target: 'nsis', icon: 'build/icon.png' },
  nsis: { oneClick: false, allowToChangeInstallationDirectory: true },
  // Double-clicking an export or support bundle opens it in Event Desk (macOS delivers it as open-file,
  // Linux and Windows on the command line, passed to the running window by the single-instance lock).
  fileAssociations: [
    {
      ext: 'ndjson',
      name: 'Event Desk bundle',
      description: 'Event Desk export or support bundle (NDJSON)',
      mimeType: 'application/x-ndjson',
      role: 'Viewer',
      rank: 'Alternate',
    },
  ],
  // Electron fuses, flipped in the packaged binary (Electron security checklist: "Fuses"; #13). The app
  // never runs the binary as plain Node (no process.fork), takes no NODE_OPTIONS or --inspect in
  // production, and loads only its own integrity-checked asar. Nothing it serves uses file://.
  electronFuses: {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
  },
} satisfies Configuration;

export default config;
