import { describe, expect, it } from 'vitest';
import {
  normalizeProfile,
  streamUrls,
  validateProfile,
  type ProfileInput,
} from '../../../../../src-main/shared/domain/profile.js';

const good: ProfileInput = { name: 'TTN EU1', baseUrl: 'https://eu1.cloud.thethings.network', color: '#1f6feb' };

describe('profile validation', () => {
  it('accepts a plain cloud profile', () => {
    expect(validateProfile(good)).toEqual({});
  });

  it('explains each bad field in words for the form', () => {
    const e = validateProfile({
      name: ' ',
      baseUrl: 'eu1 cloud (no address)',
      color: 'blue',
      caPem: 'not a cert',
      components: { gs: 'ftp://x' },
    });
    expect(e.name).toMatch(/Give the profile a name/);
    expect(e.baseUrl).toMatch(/not a URL/);
    expect(e.color).toBe('Pick a colour.');
    expect(e.caPem).toMatch(/BEGIN CERTIFICATE/);
    expect(e['components.gs']).toMatch(/Gateway Server URL must start with https:\/\/ or http:\/\//);
  });

  it('refuses credentials and queries in URLs (a key belongs in the keychain)', () => {
    expect(validateProfile({ ...good, baseUrl: 'https://user:NNSXS.A@eu1.cloud.thethings.network' }).baseUrl).toMatch(
      /user name or password/,
    );
    expect(validateProfile({ ...good, baseUrl: 'https://x.example/?k=1' }).baseUrl).toMatch(/query/);
  });

  it('normalizes trailing slashes and empty optional fields', () => {
    expect(normalizeProfile({ ...good, baseUrl: 'https://x.example/ ', notes: '  ', components: { is: ' ' } })).toEqual(
      { name: 'TTN EU1', baseUrl: 'https://x.example', color: '#1f6feb' },
    );
  });

  it('subscribes once per distinct component URL in a split deployment, like the CLI', () => {
    expect(streamUrls(good)).toEqual(['https://eu1.cloud.thethings.network']);
    expect(streamUrls({ baseUrl: 'https://b', components: { gs: 'https://gs', ns: 'https://ns' } })).toEqual([
      'https://b',
      'https://gs',
      'https://ns',
    ]);
  });
});
