import { describe, expect, it } from 'vitest';
import { INVITE_CASES, inviteText, type IdentityExpectation } from '../../test/fixtures/callerid-invites.js';
import { headersFrom, headersOf } from '../../test/support/sip-headers.js';
import { callerKey, identifyCaller } from './index.js';
import type { CallerIdentity } from './types.js';

const IT = { defaultCountry: 'IT' };

/** The identity flattened to the fields a case can expect. */
function project(id: CallerIdentity): Required<IdentityExpectation> {
  return {
    e164: id.number?.e164 ?? null,
    raw: id.number?.raw ?? null,
    type: id.number?.type ?? null,
    country: id.number?.country ?? null,
    valid: id.number?.valid ?? false,
    flags: id.number?.flags ?? [],
    displayName: id.displayName,
    source: id.source,
    withheld: id.withheld,
    withheldReason: id.withheldReason,
    attestation: id.attestation,
    verstat: id.verstat,
    key: callerKey(id),
  };
}

describe('identifyCaller on real-world INVITEs', () => {
  it('has at least 40 cases', () => {
    expect(INVITE_CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(INVITE_CASES)('$name', (c) => {
    const id = identifyCaller(headersFrom(inviteText(c.headers)), { defaultCountry: c.defaultCountry ?? 'IT' });
    expect(project(id)).toMatchObject(c.expect);
  });
});

describe('identifyCaller display names', () => {
  it('caps a 10 kB display name at 128 characters', () => {
    const name = 'A'.repeat(10_240);
    const id = identifyCaller(headersOf({ from: `"${name}" <sip:0212345678@10.0.0.1>;tag=1` }), IT);
    expect(id.displayName).toBe('A'.repeat(128));
    expect(id.number?.e164).toBe('+390212345678');
  });

  it('never splits a surrogate pair at the cap', () => {
    const id = identifyCaller(headersOf({ from: `"${'😀'.repeat(200)}" <sip:0212345678@h>` }), IT);
    expect(Array.from(id.displayName ?? '')).toHaveLength(128);
    expect(id.displayName).toBe('😀'.repeat(128));
  });

  it('turns NUL, CR and LF into spaces and drops C1 controls', () => {
    const id = identifyCaller(
      headersOf({ from: `"Mario\u0000Rossi\r\nINVITE sip:x\u0085\u009b" <sip:0212345678@h>` }),
      IT,
    );
    expect(id.displayName).toBe('Mario Rossi INVITE sip:x');
  });

  it('gives null for a name made only of invisible characters', () => {
    const id = identifyCaller(headersOf({ from: `"\u202E\u200B\u0000 " <sip:0212345678@h>` }), IT);
    expect(id.displayName).toBeNull();
  });

  it('drops lone surrogates', () => {
    const id = identifyCaller(headersOf({ from: `"ab\uD800cd\uDC00" <sip:0212345678@h>` }), IT);
    expect(id.displayName).toBe('abcd');
  });
});

describe('identifyCaller choice between values', () => {
  it('prefers the value that parses, in either order', () => {
    for (const pai of [
      ['<sip:gw@carrier.example>, <tel:+390212345678>'],
      ['<tel:+390212345678>', '<sip:gw@carrier.example>'],
    ]) {
      const id = identifyCaller(headersOf({ 'p-asserted-identity': pai, from: '<sip:1@h>' }), IT);
      expect(id.number?.e164).toBe('+390212345678');
    }
  });

  it('prefers tel:/user=phone over a plain sip: user when both parse', () => {
    const id = identifyCaller(
      headersOf({ 'p-asserted-identity': '<sip:+390611111111@h>, <sip:+390622222222@h;user=phone>' }),
      IT,
    );
    expect(id.number?.e164).toBe('+390622222222');
  });

  it('keeps PAI over From even when From looks better (PAI is asserted by the network)', () => {
    const id = identifyCaller(
      headersOf({ 'p-asserted-identity': '<sip:reception@h>', from: '<sip:+390212345678@h>' }),
      IT,
    );
    expect(id.source).toBe('p-asserted-identity');
    expect(id.number?.raw).toBe('reception');
  });

  it('ignores an adapter that throws or returns junk', () => {
    const headers = {
      requestUri: 'sip:x@y',
      header(name: string): string[] {
        if (name === 'from') throw new Error('adapter bug');
        return [42, null, '<tel:+390212345678>'] as unknown as string[];
      },
    };
    const id = identifyCaller(headers, IT);
    expect(id.number?.e164).toBe('+390212345678');
  });
});

describe('callerKey', () => {
  it('is the E.164 number, raw: text, or null', () => {
    expect(callerKey(identifyCaller(headersOf({ from: '<sip:0212345678@h>' }), IT))).toBe('+390212345678');
    expect(callerKey(identifyCaller(headersOf({ from: '<sip:abc@h>' }), IT))).toBe('raw:abc');
    expect(callerKey(identifyCaller(headersOf({ from: '<sip:anonymous@anonymous.invalid>' }), IT))).toBeNull();
  });
});
