/**
 * The tenant in an event's `context` (`"tenant-id"`, base64 of the protobuf `TenantIdentifiers`), as a
 * redacted export writes it: read from real Cloud events, written back naming the pseudonym.
 */
import { describe, expect, it } from 'vitest';
import { redactTenantContext } from '../../../../../src-main/shared/export/redact.js';
import { readTenantContext, writeTenantContext } from '../../../../../src-main/shared/export/tenant-context.js';

const pseudonym = (_kind: string, v: string) => `tenant-${v.length.toString().padStart(10, '0')}`;

describe("an event's context tenant", () => {
  it('reads the tenants real events name, and none from an empty value', () => {
    expect(readTenantContext('CgN0dG4=')).toBe('ttn');
    expect(readTenantContext('CgN0dGk=')).toBe('tti');
    expect(readTenantContext('Cgl0aGV0aGluZ3M=')).toBe('thethings');
    expect(readTenantContext('')).toBe('');
  });

  it('writes what The Things Stack writes', () => {
    expect(writeTenantContext('thethings')).toBe('Cgl0aGV0aGluZ3M=');
    expect(readTenantContext(writeTenantContext('a'.repeat(200)))).toBe('a'.repeat(200));
  });

  it("names a customer's tenant by its pseudonym, keeps TTN's and no tenant, and drops what it cannot read", () => {
    expect(readTenantContext(redactTenantContext('Cgl0aGV0aGluZ3M=', pseudonym)!)).toBe('tenant-0000000009');
    expect(redactTenantContext('CgN0dG4=', pseudonym)).toBeUndefined();
    expect(redactTenantContext('', pseudonym)).toBeUndefined();
    expect(redactTenantContext('not base64!', pseudonym)).toBe('');
    expect(redactTenantContext('EglhY21lLWNvcnA=', pseudonym)).toBe('');
  });
});
