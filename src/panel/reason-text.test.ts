import { describe, expect, it } from 'vitest';
import { localeFor } from './i18n.js';
import { REASON_LANGUAGE, italianCodes, reasonText, reasonsText, type ReasonLike } from './reason-text.js';

const it_ = localeFor('it', 'Europe/Rome');
const en = localeFor('en', 'Europe/Rome');

/** Reasons as the screening writes them (texts and facts copied from register rows). */
const R: Record<string, ReasonLike> = {
  markedNuisance: {
    code: 'marked-nuisance',
    text: 'marked nuisance by you on 27 Nov 2026 (Assicurazioni Esempio, insurance)',
    params: { markedAt: '2026-11-27T14:41:11.000Z', company: 'Assicurazioni Esempio', category: 'insurance' },
  },
  markedTrusted: {
    code: 'marked-trusted',
    text: 'marked trusted by you on 30 Nov 2026',
    params: { markedAt: '2026-11-30T09:00:00.000Z' },
  },
  afterRefusal: {
    code: 'attempt-after-refusal',
    text: '1st attempt in 1 day after a refusal on 17 Nov',
    params: { attempt: 1, days: 1, refusedAt: '2026-11-17T14:41:22.000Z', limit: 3 },
  },
  repeat: {
    code: 'repeat-after-refusal',
    text: '3rd attempt in 2 days after a refusal on 3 Nov',
    params: { attempt: 3, days: 2, refusedAt: '2026-11-03T10:00:00.000Z', limit: 3 },
  },
  talked: {
    code: 'persistent-human',
    text: 'talked 11 min with you on 16 Nov',
    params: { seconds: 632, at: '2026-11-16T11:35:00.000Z' },
  },
  withheld: { code: 'withheld', text: 'number withheld (Privacy: id)', params: { why: 'privacy-header' } },
  anonymous: { code: 'withheld', text: 'anonymous caller', params: { why: 'anonymous-uri' } },
  junk: {
    code: 'unparsable-number',
    text: 'caller ID is not a valid number ("+39abc!!")',
    params: { raw: '+39abc!!' },
  },
  prefix: {
    code: 'telemarketing-prefix',
    text: 'AGCOM telemarketing prefix 0844',
    params: { country: 'IT', prefix: '0844', e164Prefix: '+390844' },
  },
  block: {
    code: 'nuisance-block',
    text: '3 numbers you marked nuisance in +1 732 759 35xx (2 blocks of ten)',
    params: { block: '+1 732 759 35xx', prefix: '+1732759 35', members: 3, level: 'large', spread: 2, marked: 3 },
  },
  friends: {
    code: 'friend-reports',
    text: 'reported by 4 friends (alfa, beta, gamma, 1 more, Acme Energia, energy); 5 needed to count',
    params: { friends: 4, consensus: 5 },
  },
  sweepNow: {
    code: 'sweep',
    text: 'rang 3 of your numbers within 6 min (now)',
    params: { dids: 3, windowMinutes: 10, at: '2026-11-05T09:00:00.000Z' },
  },
  policy: {
    code: 'policy-rule',
    text: 'policy rule 2 "sales line" (closed (Ferragosto)): reject:607',
    params: { rule: 2, name: 'sales line', action: 'reject:607' },
  },
  remembered: {
    code: 'check-remembered',
    text: 'passed the check on 3 Nov 2026: let through without one for 30 days',
    params: { passedAt: '2026-11-03T10:00:00.000Z' },
  },
  gateway: {
    code: 'shaken-gateway',
    text: 'caller ID not attested by the carrier (STIR/SHAKEN C, gateway)',
    params: { attest: 'C' },
  },
  shaken: { code: 'shaken-failed', text: 'the carrier could not verify the caller ID (TN-Validation-Failed)' },
};

describe("reasons in the panel's language", () => {
  it('are rebuilt in Italian from the facts the register keeps', () => {
    const said = Object.fromEntries(Object.entries(R).map(([k, r]) => [k, reasonText(it_, r)]));
    expect(said).toEqual({
      markedNuisance: 'segnato come molesto da voi il 27 nov 2026 (Assicurazioni Esempio, insurance)',
      markedTrusted: 'segnato come fidato da voi il 30 nov 2026',
      afterRefusal: '1° tentativo in 1 giorno dopo un rifiuto del 17 nov',
      repeat: '3° tentativo in 2 giorni dopo un rifiuto del 3 nov',
      talked: 'ha parlato con voi per 11 min il 16 nov',
      withheld: 'numero nascosto (Privacy: id)',
      anonymous: 'chiamante anonimo',
      junk: 'l\'identificativo del chiamante non è un numero valido ("+39abc!!")',
      prefix: 'prefisso AGCOM del telemarketing 0844',
      block: '3 numeri che avete segnato come molesti in +1 732 759 35xx (2 blocchi da dieci)',
      friends: 'segnalato da 4 amici (alfa, beta, gamma, 1 altro, Acme Energia, energy); ne servono 5 perché conti',
      sweepNow: 'ha chiamato 3 dei vostri numeri in 6 min (ora)',
      policy: 'regola 2 "sales line" (chiuso (Ferragosto)): reject:607',
      remembered: 'ha superato la verifica il 3 nov 2026: passa senza verifica per 30 giorni',
      gateway: "l'identificativo non è attestato dal gestore (STIR/SHAKEN C, gateway)",
      shaken: 'the carrier could not verify the caller ID (TN-Validation-Failed)', // English only, as written
    });
  });

  it('keep the English text in English, and wherever a fact is missing or of another shape', () => {
    for (const r of Object.values(R)) expect(reasonText(en, r)).toBe(r.text);
    const old = { code: 'marked-nuisance', text: 'marked nuisance by you on 3 Nov 2026' }; // no params
    expect(reasonText(it_, old)).toBe(old.text);
    const odd = { ...R.afterRefusal!, params: { attempt: '1', days: 1, refusedAt: 'yesterday' } };
    expect(reasonText(it_, odd)).toBe(odd.text);
    expect(reasonText(it_, { code: 'withheld', text: 'number withheld', params: { why: 'new-reason' } })).toBe(
      'number withheld',
    );
    expect(reasonText(it_, { code: 'not-a-code', text: 'something new' })).toBe('something new');
    expect(reasonsText(it_, [R.markedTrusted!, R.shaken!])).toBe(
      'segnato come fidato da voi il 30 nov 2026; the carrier could not verify the caller ID (TN-Validation-Failed)',
    );
  });

  it('say in Italian exactly the codes listed as Italian', () => {
    const listed = Object.entries(REASON_LANGUAGE)
      .filter(([, lang]) => lang === 'it')
      .map(([code]) => code);
    expect(italianCodes().sort()).toEqual(listed.sort());
  });
});
