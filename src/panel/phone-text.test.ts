import { describe, expect, it } from 'vitest';
import { numberSearchText, phoneCountryName, phoneText, prefixFromTyped, prefixText } from './phone-text.js';

describe('phone numbers as the office reads them', () => {
  it('writes numbers of our own country in national form, grouped', () => {
    expect(phoneText('+390212345678', 'IT')).toBe('02 1234 5678');
    expect(phoneText('+393331234567', 'IT')).toBe('333 123 4567');
    expect(phoneText('+39800123456', 'IT')).toBe('800 123 456');
    expect(phoneText('+3908431234567', 'IT')).toBe('0843 123 4567');
    // AGCOM's telemarketing and survey ranges, unknown to libphonenumber-js (it left them as 0844123456).
    expect(phoneText('+390844123456', 'IT')).toBe('0844 123 456');
    expect(phoneText('+390843123456', 'IT')).toBe('0843 123 456');
    expect(phoneText('+390844123456', 'FR')).toBe('+39 0844 123 456');
  });

  it('writes foreign numbers in international form', () => {
    expect(phoneText('+442079460958', 'IT')).toBe('+44 20 7946 0958');
    expect(phoneText('+33612345678', 'IT')).toBe('+33 6 12 34 56 78');
    expect(phoneText('+12125551234', 'IT')).toBe('+1 212 555 1234');
  });

  it('follows the configured country', () => {
    expect(phoneText('+33612345678', 'FR')).toBe('06 12 34 56 78');
    expect(phoneText('+390212345678', 'FR')).toBe('+39 02 1234 5678');
    // A country libphonenumber-js does not know: every number international.
    expect(phoneText('+390212345678', 'XX')).toBe('+39 02 1234 5678');
  });

  it('shows what is not a number as received, never a blank', () => {
    expect(phoneText('raw:OFFERTA-2x1', 'IT')).toBe('OFFERTA-2x1');
    expect(phoneText('raw:<b>', 'IT')).toBe('<b>');
    expect(phoneText('anonymous', 'IT')).toBe('anonymous');
    expect(phoneText('+', 'IT')).toBe('+');
    expect(phoneText('', 'IT')).toBe('');
    // A number outside its country's plan keeps its digits, without made-up groups.
    expect(phoneText('+390212', 'IT')).toBe('0212');
  });

  it('names the country of a number', () => {
    expect(phoneCountryName('+442079460958', 'it')).toBe('Regno Unito');
    expect(phoneCountryName('+442079460958', 'en')).toBe('United Kingdom');
    expect(phoneCountryName('+390212345678', 'it')).toBe('Italia');
    expect(phoneCountryName('raw:junk', 'it')).toBeNull();
  });
});

describe('a register search typed as a phone number', () => {
  it('finds a whole number however it is written', () => {
    const e164 = '+390212345678';
    for (const typed of [
      '02 1234 5678',
      '0212345678',
      '+39 02 1234 5678',
      '0039 02 1234 5678',
      '02-1234-5678',
      '(02) 1234.5678',
    ])
      expect(e164).toContain(numberSearchText(typed, 'IT'));
    expect(numberSearchText('0039 02 1234 5678', 'IT')).toBe(e164);
    expect(numberSearchText('02 1234 5678', 'IT')).toBe('0212345678');
    expect(numberSearchText('+44 20 7946 0958', 'IT')).toBe('+442079460958');
    expect(numberSearchText('0044 20 7946 0958', 'IT')).toBe('+442079460958');
    expect(numberSearchText('06 12 34 56 78', 'FR')).toBe('+33612345678');
  });

  it('keeps a part of a number as its digits, found inside the E.164', () => {
    expect(numberSearchText('1234 5678', 'IT')).toBe('12345678');
    expect(numberSearchText('02 1234', 'IT')).toBe('021234');
    expect(numberSearchText('+39 02 12', 'IT')).toBe('+390212');
    expect(numberSearchText('0039 333', 'IT')).toBe('+39333');
    expect('+390212345678').toContain(numberSearchText('02 1234', 'IT'));
  });

  it('leaves words alone', () => {
    expect(numberSearchText('Offerte Luce', 'IT')).toBeNull();
    expect(numberSearchText('Asterisk PBX 18.2', 'IT')).toBeNull();
    expect(numberSearchText('', 'IT')).toBeNull();
    expect(numberSearchText('+', 'IT')).toBeNull();
  });

  it('reads a prefix typed as people dial it into the E.164 the rules keep', () => {
    // Italy keeps the 0 after +39; the UK, France and the NANP drop their trunk prefix.
    expect(prefixFromTyped('02 871769', 'IT')).toBe('+3902871769');
    expect(prefixFromTyped('0843', 'IT')).toBe('+390843');
    expect(prefixFromTyped('333', 'IT')).toBe('+39333');
    expect(prefixFromTyped('3', 'IT')).toBe('+393');
    expect(prefixFromTyped('020 7946', 'GB')).toBe('+44207946');
    expect(prefixFromTyped('06 12', 'FR')).toBe('+33612');
    expect(prefixFromTyped('1 800', 'US')).toBe('+1800');
    expect(prefixFromTyped('800-555', 'US')).toBe('+1800555');
  });

  it('keeps a prefix typed with its country code, + or 00, and refuses what is not one', () => {
    expect(prefixFromTyped('+39 02 871769', 'IT')).toBe('+3902871769');
    expect(prefixFromTyped('0039 (02) 871.769', 'IT')).toBe('+3902871769');
    expect(prefixFromTyped('+44 20', 'IT')).toBe('+4420');
    expect(prefixFromTyped('Offerte', 'IT')).toBeNull();
    expect(prefixFromTyped('', 'IT')).toBeNull();
    expect(prefixFromTyped('+', 'IT')).toBeNull();
    expect(prefixFromTyped('02 12', 'XX')).toBeNull();
  });

  it("shows a rule's prefix as the office dials it, grouped as the numbers that begin with it", () => {
    expect(prefixText('+39082812', 'IT')).toBe('0828 12');
    expect(prefixText('+39333', 'IT')).toBe('333');
    expect(prefixText('+390212345678', 'IT')).toBe('02 1234 5678');
    expect(prefixText('+44207946', 'GB')).toBe('020 7946');
    expect(prefixText('+33612', 'FR')).toBe('06 12');
    expect(prefixText('+1800', 'US')).toBe('800');
    expect(prefixText('+1800555', 'US')).toBe('(800) 555');
    // Another country's prefix international; a country code alone, or a prefix no number begins with, as kept.
    expect(prefixText('+44207946', 'IT')).toBe('+44 20 7946');
    expect(prefixText('+39', 'IT')).toBe('+39');
    expect(prefixText('+999', 'IT')).toBe('+999');
    expect(prefixText('raw:abc', 'IT')).toBe('raw:abc');
  });

  it('reads back every prefix it shows as the same prefix', () => {
    for (const [prefix, country] of [
      ['+39082812', 'IT'],
      ['+3902871769', 'IT'],
      ['+39333', 'IT'],
      ['+44207946', 'GB'],
      ['+33612', 'FR'],
      ['+1800555', 'US'],
      ['+44207946', 'IT'],
    ] as const)
      expect(prefixFromTyped(prefixText(prefix, country), country)).toBe(prefix);
  });
});
