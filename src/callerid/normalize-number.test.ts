import { getCountries, getCountryCallingCode } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test/support/prng.js';
import { isPlaceholderNumber, normalizeNumber, normalizePlainNumber } from './normalize-number.js';

describe('normalizeNumber', () => {
  it.each([
    ['02 1234567', 'IT', '+39021234567', 'FIXED_LINE'],
    ['0212345678', 'IT', '+390212345678', 'FIXED_LINE'],
    ['(02) 1234-5678', 'IT', '+390212345678', 'FIXED_LINE'],
    ['333 123 4567', 'IT', '+393331234567', 'MOBILE'],
    ['+39 333 1234567', 'IT', '+393331234567', 'MOBILE'],
    ['0039 333 1234567', 'IT', '+393331234567', 'MOBILE'],
    ['00393331234567', 'US', '+393331234567', 'MOBILE'],
    ['393331234567', 'IT', '+393331234567', 'MOBILE'],
    ['800 123 456', 'IT', '+39800123456', 'TOLL_FREE'],
    ['892123', 'IT', '+39892123', 'PREMIUM_RATE'],
    ['0162123456', 'FR', '+33162123456', 'FIXED_LINE'],
    ['+33 (0)1 62 12 34 56', 'IT', '+33162123456', 'FIXED_LINE'],
    ['030 1234567', 'DE', '+49301234567', 'FIXED_LINE'],
    ['+44 20 7946 0000', 'IT', '+442079460000', 'FIXED_LINE'],
    ['(212) 555-1234', 'US', '+12125551234', 'FIXED_LINE_OR_MOBILE'],
    ['1-212-555-1234', 'US', '+12125551234', 'FIXED_LINE_OR_MOBILE'],
    ['011 33 1 62 12 34 56', 'US', '+33162123456', 'FIXED_LINE'],
    ['tel:+390212345678', 'IT', '+390212345678', 'FIXED_LINE'],
    ['+39.02.1234.5678', 'it', '+390212345678', 'FIXED_LINE'],
  ])('%s (%s) → %s', (raw, country, e164, type) => {
    const n = normalizeNumber(raw, country);
    expect(n).toMatchObject({ raw, e164, type, valid: true, flags: [] });
  });

  it('keeps numbers outside the plan with e164 and the invalid flag', () => {
    const n = normalizeNumber('0844123456', 'IT');
    expect(n.e164).toBe('+390844123456');
    expect(n.country).toBe('IT');
    expect(n.flags).toEqual(n.valid ? [] : ['invalid']);
  });

  it.each(['112', '113', '115', '118', '1515', '48123', '4 5 6 7'])('flags service number %s as short-code', (raw) => {
    expect(normalizeNumber(raw, 'IT')).toMatchObject({
      raw,
      e164: null,
      type: null,
      valid: false,
      flags: ['short-code'],
    });
  });

  it.each([
    ['+39 02 1234567 ext. 12', 'not-a-number'],
    ['Intesa..SP', 'not-a-number'],
    ['-PROMO', 'not-a-number'],
    ['PROMO-', 'not-a-number'],
    ['PROMO+ENERGIA', 'not-a-number'],
    ['Promozioni-Energia-Italia', 'not-a-number'],
    ['781558****', 'unparsable'],
    ['7194301`476', 'unparsable'],
    ['5186350741?', 'unparsable'],
    ['8005078317;222', 'unparsable'],
    ['2+3', 'unparsable'],
    ['', 'unparsable'],
    ['   ', 'unparsable'],
    ['+', 'unparsable'],
    ['()-.', 'unparsable'],
    ['7', 'too-short'],
    ['00', 'too-short'],
    ['+39', 'too-short'],
    ['123456789012345678', 'too-long'],
    ['+170611454600144', 'too-long'],
    ['+0039021234', 'unparsable'],
  ])('flags %j as %s without throwing', (raw, flag) => {
    const n = normalizeNumber(raw, 'US');
    expect(n.e164).toBeNull();
    expect(n.flags).toEqual([flag]);
  });

  // How banks, couriers, shops and marketers send texts (session 49, sms49): letters, so no number, and a sender ID.
  it.each([
    'IntesaSP',
    'POSTE',
    'Poste.it',
    'BNL Info',
    'BRT',
    'Amazon',
    'PROMO-ENERGIA',
    'M&S',
    "L'Oreal",
    'Info_Sped',
    'saidpress1',
    '951677xxxx',
    '1-800-FLOWERS',
  ])('flags %j as not-a-number and alphanumeric (a sender ID)', (raw) => {
    expect(normalizeNumber(raw, 'IT')).toEqual({
      raw,
      e164: null,
      type: null,
      valid: false,
      country: null,
      flags: ['not-a-number', 'alphanumeric'],
    });
  });

  it('caps raw at 64 characters and strips control characters', () => {
    expect(normalizeNumber('1'.repeat(500), 'IT').raw).toHaveLength(64);
    expect(normalizeNumber('02\u0000123\u202E4567', 'IT')).toMatchObject({ raw: '02 1234567', e164: '+39021234567' });
  });

  it('survives an unknown default country: international numbers parse, national ones are unparsable', () => {
    expect(normalizeNumber('+390212345678', 'XX').e164).toBe('+390212345678');
    expect(normalizeNumber('0212345678', 'XX').flags).toEqual(['unparsable']);
    expect(normalizeNumber('0212345678', '').flags).toEqual(['unparsable']);
  });

  it('returns independent objects from the cache', () => {
    const a = normalizeNumber('0844123456', 'IT');
    a.flags.push('mutated');
    expect(normalizeNumber('0844123456', 'IT').flags).not.toContain('mutated');
  });

  it('gives the same answer for the same number written differently', () => {
    const forms = ['+390212345678', '0039 02 1234 5678', '02-12345678', '(02) 12345678', '390212345678'];
    const keys = new Set(forms.map((f) => normalizeNumber(f, 'IT').e164));
    expect([...keys]).toEqual(['+390212345678']);
  });
});

describe('normalizePlainNumber (a `+` and digits, or digits, already scanned: identify-caller.ts plainFrom)', () => {
  it('gives what normalizeNumber gives, over generated numbers of every length and each default country', () => {
    const rand = mulberry32(7122026);
    const prefixes = ['+', '', '00', '0', '+39', '0039', '+1', '39', '+0', '+800'];
    for (let i = 0; i < 20_000; i++) {
      let digits = '';
      const n = 1 + Math.floor(rand() * (i % 10 === 0 ? 80 : 20));
      for (let k = 0; k < n; k++) digits += String(Math.floor(rand() * 10));
      const raw = prefixes[i % prefixes.length]! + digits;
      const country = ['IT', 'US', 'GB', '', 'XX', 'it'][Math.floor(rand() * 6)]!;
      expect(normalizePlainNumber(raw, country)).toEqual(normalizeNumber(raw, country));
    }
  });
});

describe("isPlaceholderNumber (a carrier's caller ID that names no one: session 49)", () => {
  it.each([
    ['0000000000', true],
    ['0', true],
    ['00', true],
    ['000', true],
    ['+', true],
    ['-', true],
    ['+39', true],
    ['0039', true],
    ['+3900', true],
    ['+1', true],
    ['tel:+39', true],
    // A country code and zeros in full international form (session 50): parsed to E.164, but invalid.
    ['+390000000000', true],
    ['+39 0', true],
    ['00390000000000', true],
    ['+39 000 000 0000', true],
    ['+33000000000', true],
    ['+10000000000', true],
    ['+200000000000', true],
    // Not placeholders: a number, a short code, a name (a sender, keyed by its text), two national digits, masked digits.
    ['0212345678', false],
    ['+390212345678', false],
    ['112', false],
    ['48018', false],
    ['IntesaSP', false],
    ['gw01', false],
    ['12', false],
    ['39', false],
    ['0212**5678', false],
    // Zeros after a real number's first digits, and invalid numbers with other digits: keyed as before.
    ['+390200000000', false],
    ['+393000000000', false],
    ['+3931200000000', false],
    ['+4400000000001', false],
  ])('%s: %s', (raw, placeholder) => {
    expect(isPlaceholderNumber(normalizeNumber(raw, 'IT'))).toBe(placeholder);
  });

  it('a calling code and 1 to 14 zeros is a placeholder, but where libphonenumber finds it valid', () => {
    const valid = new Set<string>();
    for (const country of getCountries()) {
      for (let zeros = 1; zeros <= 14; zeros++) {
        const n = normalizeNumber(`+${getCountryCallingCode(country)}${'0'.repeat(zeros)}`, 'IT');
        if (n.valid) valid.add(n.raw);
        expect(isPlaceholderNumber(n), n.raw).toBe(!n.valid);
      }
    }
    // Two such numbers are in a plan (+672 00000, Australian Antarctic; +992 000000000, Tajikistan): they keep
    // their key.
    expect([...valid].length).toBeLessThanOrEqual(4);
  });

  it('a valid number is never a placeholder (random valid numbers of every country)', () => {
    let valid = 0;
    const rand = mulberry32(50);
    for (const country of getCountries()) {
      const cc = getCountryCallingCode(country);
      for (let i = 0; i < 40; i++) {
        let digits = '';
        const len = 6 + Math.floor(rand() * 8);
        for (let d = 0; d < len; d++) digits += String(Math.floor(rand() * 10));
        const n = normalizeNumber(`+${cc}${digits}`, 'IT');
        if (!n.valid) continue;
        valid++;
        expect(isPlaceholderNumber(n), n.raw).toBe(false);
      }
    }
    expect(valid).toBeGreaterThan(500);
  });
});
