import { describe, expect, it } from 'vitest';
import { passportJws } from '../../test/fixtures/callerid-invites.js';
import { parsePassport } from './index.js';

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
    const p = parsePassport(`x.${Buffer.from('{"__proto__":{"attest":"A"},"iat":"soon","orig":{"tn":{"a":1}}}').toString('base64url')}.y`);
    expect(p).toEqual({ attest: null, orig: { tn: [] }, dest: { tn: [] }, iat: null, origid: null });
  });
});
