import { describe, expect, it } from 'vitest';
import { FULL_REDACTION, redactValue, scrubStrings, TOO_DEEP } from '../../../../../src-main/shared/export/redact.js';

const ALL = FULL_REDACTION;

function deep(depth: number): Record<string, unknown> {
  let v: unknown = { device_id: 'secret-dev' };
  for (let i = 0; i < depth; i++) v = { a: v };
  return { name: 'x', info: v };
}

describe('redaction of an event nested 10,000 levels deep (#13)', () => {
  it('returns a copy that can be written, with the part past the limit cut, not leaked', () => {
    const out = redactValue(deep(10_000), { ...ALL, payloads: false }, (_k, v) => `p-${v.length}`);
    const text = JSON.stringify(out);
    expect(text).toContain(TOO_DEEP);
    expect(text).not.toContain('secret-dev');
  });
  it('scrubStrings copes too', () => {
    const out = scrubStrings(deep(10_000), new Map([['secret-dev', 'device-1']]));
    expect(JSON.stringify(out)).toContain(TOO_DEEP);
  });
  it('events of ordinary depth are not cut', () => {
    const out = redactValue(deep(20), ALL, () => 'dev-p');
    expect(JSON.stringify(out)).not.toContain(TOO_DEEP);
    expect(JSON.stringify(out)).toContain('dev-p');
  });
});
