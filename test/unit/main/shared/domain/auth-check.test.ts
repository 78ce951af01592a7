import { describe, expect, it } from 'vitest';
import { explainRights, parseAuthInfo } from '../../../../../src-main/shared/domain/auth-check.js';

const appKey = (rights: string[]) =>
  parseAuthInfo({
    api_key: { api_key: { id: 'K1', rights }, entity_ids: { application_ids: { application_id: 'app1' } } },
  });

describe('what a key will see', () => {
  it('reads an API key answer: owner entity, key id, rights', () => {
    expect(appKey(['RIGHT_APPLICATION_TRAFFIC_READ'])).toEqual({
      kind: 'api-key',
      entity: { kind: 'application', id: 'app1' },
      keyId: 'K1',
      rights: ['RIGHT_APPLICATION_TRAFFIC_READ'],
      universalRights: [],
      isAdmin: false,
    });
  });

  it('reads an OAuth token answer as a user', () => {
    const a = parseAuthInfo({ oauth_access_token: { user_ids: { user_id: 'alice' }, rights: ['RIGHT_USER_ALL'] } });
    expect(a.kind).toBe('oauth');
    expect(a.entity).toEqual({ kind: 'user', id: 'alice' });
  });

  it('an application key with full rights: no warnings beyond the notes about gateways and propagation', () => {
    const w = explainRights(appKey(['RIGHT_APPLICATION_ALL']));
    expect(w.filter((x) => x.severity === 'warning')).toEqual([]);
    expect(w.map((x) => x.text).join('\n')).toMatch(/sees no gateway events/);
    expect(w.map((x) => x.text).join('\n')).toMatch(/Subscribe to the device/);
  });

  it('an application key without traffic rights is told it will not see uplinks', () => {
    const w = explainRights(appKey(['RIGHT_APPLICATION_INFO']));
    const text = w.map((x) => x.text).join('\n');
    expect(text).toMatch(/No uplinks, downlinks and joins .*lacks .*APPLICATION_TRAFFIC_READ/);
    expect(text).toMatch(/No device registry changes .*APPLICATION_DEVICES_READ/);
    expect(text).not.toMatch(/No application changes/);
  });

  it('a user key without gateway traffic rights is told it will not see gs.* events', () => {
    const user = parseAuthInfo({
      api_key: {
        api_key: { id: 'K', rights: ['RIGHT_APPLICATION_ALL', 'RIGHT_GATEWAY_INFO'] },
        entity_ids: { user_ids: { user_id: 'u' } },
      },
    });
    const text = explainRights(user)
      .map((x) => x.text)
      .join('\n');
    expect(text).toMatch(
      /No gateway traffic \(gs\.up\.\*, gs\.down\.\*, gs\.txack\.\*\): the key lacks .*GATEWAY_TRAFFIC_READ/,
    );
    expect(text).toMatch(/No gateway status messages/);
    expect(text).not.toMatch(/No gateway changes/);
  });

  it('a key with no rights is told it will see nothing', () => {
    const w = explainRights(appKey([]));
    expect(w).toEqual([{ severity: 'warning', text: expect.stringMatching(/no rights at all/) }]);
  });

  it('LINK implies traffic read (as the server expands it)', () => {
    expect(
      explainRights(appKey(['RIGHT_APPLICATION_LINK'])).some((w) => /uplinks/.test(w.text) && w.severity === 'warning'),
    ).toBe(false);
  });
});
