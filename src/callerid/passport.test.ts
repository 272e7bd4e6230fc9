import { describe, expect, it } from 'vitest';
import { passportJws } from '../../test/fixtures/callerid-invites.js';
import { parsePassport } from './index.js';
import { identifyCaller } from './identify-caller.js';

/** RFC 8588 §6 example payload. */
const RFC_PAYLOAD = {
  attest: 'A',
  dest: { tn: ['12155550131'] },
  iat: 1443208345,
  orig: { tn: '12155550121' },
  origid: '123e4567-e89b-12d3-a456-426655440000',
};

describe('parsePassport', () => {
  it('reads attest, orig, dest and iat from a full Identity header value', () => {
    const value = `${passportJws(RFC_PAYLOAD)};info=<https://cert.example.org/passport.cer>;alg=ES256;ppt=shaken`;
    expect(parsePassport(value)).toEqual({
      attest: 'A',
      orig: { tn: ['12155550121'] },
      dest: { tn: ['12155550131'] },
      iat: 1443208345,
      origid: '123e4567-e89b-12d3-a456-426655440000',
    });
  });

  it('accepts orig.tn as an array and dest.tn as a string', () => {
    const p = parsePassport(passportJws({ attest: 'b', orig: { tn: ['1', '2'] }, dest: { tn: '3' } }));
    expect(p).toMatchObject({ attest: 'B', orig: { tn: ['1', '2'] }, dest: { tn: ['3'] }, iat: null });
  });

  it('gives attest null for a missing or unknown level', () => {
    expect(parsePassport(passportJws({ orig: { tn: '1' } }))?.attest).toBeNull();
    expect(parsePassport(passportJws({ attest: 'D' }))?.attest).toBeNull();
    expect(parsePassport(passportJws({ attest: ['A'] }))?.attest).toBeNull();
  });

  it.each([
    '',
    'abc',
    'a.b',
    '..',
    '.e30.',
    'x.!!!!.y',
    'x.bm90IGpzb24.y', // "not json"
    `x.${Buffer.from('[1,2]').toString('base64url')}.y`,
    `x.${Buffer.from('null').toString('base64url')}.y`,
    `x.${Buffer.from('"A"').toString('base64url')}.y`,
    `x.${'A'.repeat(100_000)}.y`,
    'MEUCIQDx1n5iY2FhYmJjY2RkZWVm;info=<https://x>;alg=ES256', // RFC 4474 style, not a JWS
  ])('returns null for junk %#', (value) => {
    expect(parsePassport(value)).toBeNull();
  });

  it('never throws on non-string input', () => {
    expect(parsePassport(undefined as unknown as string)).toBeNull();
    expect(parsePassport(42 as unknown as string)).toBeNull();
  });

  it('ignores a __proto__ key and odd claim types', () => {
    const p = parsePassport(
      `x.${Buffer.from('{"__proto__":{"attest":"A"},"iat":"soon","orig":{"tn":{"a":1}}}').toString('base64url')}.y`,
    );
    expect(p).toEqual({ attest: null, orig: { tn: [] }, dest: { tn: [] }, iat: null, origid: null });
  });
});

describe('the PASSporT in a caller identity', () => {
  const headers = (map: Record<string, string[]>) => ({
    requestUri: 'sip:+390255550100@example.net',
    header: (n: string) => map[n.toLowerCase()] ?? [],
  });

  it('keeps the numbers the first readable token was signed for', () => {
    const identity = identifyCaller(
      headers({
        from: ['<sip:+12155550121@carrier.example>;tag=1'],
        identity: [
          'garbage',
          `${passportJws(RFC_PAYLOAD)};info=<https://cert.example.org/passport.cer>;alg=ES256;ppt=shaken`,
        ],
      }),
      { defaultCountry: 'IT' },
    );
    expect(identity.passport).toEqual({ orig: ['12155550121'], dest: ['12155550131'] });
    expect(identity.attestation).toBe('A');
  });

  it('has none without an Identity header, or with an unreadable one', () => {
    expect(
      identifyCaller(headers({ from: ['<sip:+12155550121@x>'] }), { defaultCountry: 'IT' }).passport,
    ).toBeUndefined();
    expect(
      identifyCaller(headers({ from: ['<sip:+12155550121@x>'], identity: ['a.b'] }), { defaultCountry: 'IT' }).passport,
    ).toBeUndefined();
  });
});
