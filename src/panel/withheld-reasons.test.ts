/**
 * A withheld caller's reasons without its digits (session 39): every reason code whose text or facts can hold the
 * caller's number, or a part of it, or its display name, written as the screening writes it, hidden, then said by the panel in Italian
 * and in English: no digit of the number is left, and the Italian sentence is still rebuilt (not English).
 */
import { describe, expect, it } from 'vitest';
import { localeFor } from './i18n.js';
import { REASON_LANGUAGE, reasonText, type ReasonLike } from './reason-text.js';
import { carriesDigits, hiddenReason, HIDDEN_DIGITS } from './withheld-reasons.js';

const it_ = localeFor('it', 'Europe/Rome', 'IT');
const en = localeFor('en', 'Europe/Rome', 'IT');

/** A reason of each code that can carry the caller's digits, the digits as any text could show them, its Italian. */
const CASES: Array<{ reason: ReasonLike; digits: RegExp; italian: string }> = [
  {
    reason: {
      code: 'shaken-orig-mismatch',
      text: 'caller ID +393339998877 does not match the number its STIR/SHAKEN token was signed for (+393339998800)',
      params: { signedFor: '+393339998800', callerId: '+393339998877' },
    },
    digits: /333|999|88/,
    italian: `l'identificativo … non corrisponde al numero per cui è stato firmato il token STIR/SHAKEN (…)`,
  },
  {
    reason: {
      code: 'prefix-rule',
      text: 'nuisance by your prefix rule +3902999 (Esempio call centre)',
      params: { prefix: '+3902999', label: 'Esempio call centre', verdict: 'nuisance' },
    },
    digits: /02\s?999|3902/,
    italian: 'molesto per la vostra regola di prefisso … (Esempio call centre)',
  },
  {
    reason: {
      code: 'trusted-prefix',
      text: 'trusted by your prefix rule +390212 (headquarters)',
      params: { prefix: '+390212', label: 'headquarters' },
    },
    digits: /0212|02 12/,
    italian: 'fidato per la vostra regola di prefisso … (headquarters)',
  },
  {
    reason: {
      code: 'telemarketing-prefix',
      text: 'AGCOM telemarketing prefix 0844',
      params: { country: 'IT', prefix: '0844', e164Prefix: '+390844' },
    },
    digits: /0844/,
    italian: 'prefisso AGCOM del telemarketing …',
  },
  {
    reason: {
      code: 'survey-prefix',
      text: 'AGCOM statistical-survey prefix 0843',
      params: { country: 'IT', prefix: '0843', e164Prefix: '+390843' },
    },
    digits: /0843/,
    italian: 'prefisso AGCOM dei sondaggi statistici …',
  },
  {
    reason: {
      code: 'automated-call-prefix',
      text: 'ARCEP automated-calling range 0162',
      params: { country: 'FR', prefix: '0162', e164Prefix: '+33162' },
    },
    digits: /0162|33162/,
    italian: 'numerazione ARCEP delle chiamate automatiche …',
  },
  {
    reason: {
      code: 'nuisance-block',
      text: '4 nuisance numbers in +39 06 8405 84xx',
      params: { block: '+39 06 8405 84xx', prefix: '+3906840584', members: 4, level: 'small' },
    },
    digits: /8405|06840/,
    italian: '4 numeri molesti in …',
  },
  {
    reason: {
      code: 'block-sweep',
      text: '3 numbers of +39 02 8717 6xxx rang 4 of your numbers within 12 min (now)',
      params: { numbers: 3, dids: 4, block: '+390287176', windowMinutes: 30 },
    },
    digits: /8717|0287/,
    italian: '3 numeri di … hanno chiamato 4 dei vostri numeri in 12 min (ora)',
  },
  {
    reason: {
      code: 'block-sweep',
      text: '3 numbers of +39 02 8717 6xxx contacted 4 of your numbers within 12 min (now)',
      params: { numbers: 3, dids: 4, block: '+390287176', windowMinutes: 30 },
    },
    digits: /8717|0287/,
    italian: '3 numeri di … hanno contattato 4 dei vostri numeri in 12 min (ora)',
  },
  {
    reason: {
      code: 'prefix-evidence',
      text: '8 number ranges of +355 69 (mobile) with calls refused or marked nuisance lately (last on 2 Nov); none of your callers calls from there',
      params: {
        level: 'area',
        depth: 2,
        prefix: '+35569',
        nuisance: 8,
        legit: 0,
        imputed: 0,
        prior: 0.1,
        estimate: 0.6,
        bound: 0.4,
      },
    },
    digits: /355|69/,
    italian:
      '8 blocchi di numeri in … con chiamate rifiutate o segnate come moleste di recente (l’ultima il 2 nov); nessuno dei vostri chiamanti chiama da lì',
  },
  {
    reason: {
      code: 'prefix-evidence',
      text: '5 numbers in +39 02 8717 69xx refused or marked nuisance lately; none of your callers calls from there',
      params: {
        level: 'block',
        depth: 9,
        prefix: '+3902871769',
        free: 2,
        nuisance: 5,
        legit: 0,
        imputed: 0,
        prior: 0.1,
        estimate: 0.6,
        bound: 0.4,
      },
    },
    digits: /8717|0287/,
    italian: '5 numeri in … rifiutati o segnati come molesti di recente; nessuno dei vostri chiamanti chiama da lì',
  },
  {
    reason: {
      code: 'unparsable-number',
      text: 'caller ID is not a valid number ("+39333999x")',
      params: { raw: '+39333999x' },
    },
    digits: /333/,
    italian: `l'identificativo del chiamante non è un numero valido ("…")`,
  },
  {
    reason: {
      code: 'service-number',
      text: 'emergency or service number 1515: never blocked',
      params: { number: '1515' },
    },
    digits: /1515/,
    italian: 'numero di emergenza o di servizio …: mai bloccato',
  },
  {
    reason: {
      code: 'bypass',
      text: 'internal caller 204 (bypass rule ^[1-9][0-9]{2}$): not screened',
      params: { rule: '^[1-9][0-9]{2}$' },
    },
    digits: /204/,
    italian: 'chiamante interno … (regola di esclusione ^[1-9][0-9]{2}$): non esaminato',
  },
  {
    reason: {
      code: 'bypass',
      text: 'one of your own numbers (+390212345670): not screened',
      params: { rule: '+390212345670' },
    },
    digits: /345\s?670|2345670/,
    italian: 'uno dei vostri numeri (…): non esaminato',
  },
  {
    reason: {
      code: 'display-name-block',
      text: 'display name "Acme Energia 3339998877" matches your block pattern energia',
      params: { pattern: 'energia', name: 'Acme Energia 3339998877' },
    },
    digits: /Acme|3339998877/,
    italian: 'il nome mostrato "…" corrisponde al vostro schema di blocco energia',
  },
  {
    reason: {
      code: 'display-name-allow',
      text: 'display name "Studio Bianchi 0212345" matches your allow pattern ^Studio',
      params: { pattern: '^Studio' },
    },
    digits: /Bianchi|0212345/,
    italian: 'il nome mostrato "…" corrisponde al vostro schema di fiducia ^Studio',
  },
];

describe("a withheld caller's reasons", () => {
  it.each(CASES.map((c) => [`${c.reason.code}: ${c.reason.text}`, c] as const))(
    'hide its digits: %s',
    (_, { reason, digits, italian }) => {
      // As written, the reason names the digits (the test would prove nothing otherwise).
      expect(reason.text).toMatch(digits);
      const hidden = hiddenReason(reason);
      expect(hidden.code).toBe(reason.code);
      expect(hidden.text).toContain(HIDDEN_DIGITS);
      expect(JSON.stringify(hidden)).not.toMatch(digits);
      expect(reasonText(it_, hidden)).toBe(italian);
      expect(reasonText(en, hidden)).not.toMatch(digits);
    },
  );

  it('leave every other reason as written, and know every code that can carry digits', () => {
    const trap: ReasonLike = {
      code: 'trap-did',
      text: 'called +390212345699 (now), a number of yours that is never published: only diallers going down a list call it',
      params: { did: '+390212345699', at: '2026-11-27T14:41:11.000Z' },
    };
    expect(hiddenReason(trap)).toBe(trap);
    const covered = new Set(CASES.map((c) => c.reason.code));
    const carrying = Object.keys(REASON_LANGUAGE).filter(carriesDigits);
    expect(carrying.sort()).toEqual([...covered].sort());
  });
});
