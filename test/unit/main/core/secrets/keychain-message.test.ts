/**
 * The no-keychain message (#16, finding 10): one remedy for each situation, including the one the
 * README and the tests use on a machine without a desktop session.
 */
import { describe, expect, it } from 'vitest';
import { keychainError } from '../../../../../src-main/core/secrets/secret-store.js';

describe('the keychain error', () => {
  it('on Linux names both the desktop remedy and scripts/with-keyring.sh, without assuming sudo', () => {
    const r = keychainError(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY'), 'linux');
    expect(r.error.message).toContain('apt-get install gnome-keyring');
    expect(r.error.message).toContain('bash scripts/with-keyring.sh npm run harness');
    expect(r.error.message).not.toContain('sudo');
  });
});
