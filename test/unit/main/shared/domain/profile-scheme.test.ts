/**
 * A base URL typed without a scheme (#16, finding 10): given https:// (http:// on loopback), not refused.
 */
import { describe, expect, it } from 'vitest';
import { normalizeProfile, validateProfile, withScheme } from '../../../../../src-main/shared/domain/profile.js';

const input = (baseUrl: string) => ({ name: 'EU1', baseUrl, color: '#0b8a6f' });

describe('a URL without a scheme', () => {
  it('is accepted and saved with https://', () => {
    expect(validateProfile(input('eu1.cloud.thethings.network'))).toEqual({});
    expect(normalizeProfile(input('eu1.cloud.thethings.network/')).baseUrl).toBe('https://eu1.cloud.thethings.network');
  });

  it('gets http:// on loopback, and a URL with a scheme is kept as it is', () => {
    expect(withScheme('localhost:1885')).toBe('http://localhost:1885');
    expect(withScheme('127.0.0.1:1885')).toBe('http://127.0.0.1:1885');
    expect(withScheme('http://tts.example.com')).toBe('http://tts.example.com');
    expect(validateProfile(input('ftp://tts.example.com')).baseUrl).toContain('https:// or http://');
  });

  it('still refuses what is not an address', () => {
    expect(validateProfile(input('not a url')).baseUrl).toBeDefined();
  });
});
