import { describe, expect, it } from 'vitest';
import { prefixReason } from '../screening/prefix-evidence.js';
import { dayFormatter } from '../screening/dates.js';
import type { PrefixEstimate } from '../screening/prefix-tree.js';
import { localeFor } from './i18n.js';
import { REASON_LANGUAGE, italianCodes, reasonText, reasonsText, type ReasonLike } from './reason-text.js';

const it_ = localeFor('it', 'Europe/Rome', 'IT');
const en = localeFor('en', 'Europe/Rome', 'IT');

/** Reasons as the screening writes them (texts and facts copied from register rows). */
const R: Record<string, ReasonLike> = {
  markedNuisance: {
    code: 'marked-nuisance',
    text: 'marked nuisance by you on 27 Nov 2026 (Assicurazioni Esempio, insurance)',
    params: { markedAt: '2026-11-27T14:41:11.000Z', company: 'Assicurazioni Esempio', category: 'insurance' },
  },
  trap: {
    code: 'trap-did',
    text: 'called +390212345679 (now), a number of yours that is never published: only diallers going down a list call it',
    params: { did: '+390212345679', at: '2026-11-27T14:41:11.000Z' },
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
  sameDay: {
    code: 'attempt-after-refusal',
    text: '2nd attempt the same day after a refusal on 17 Nov',
    params: { attempt: 2, days: 0, refusedAt: '2026-11-17T14:41:22.000Z', limit: 3 },
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
  it('write the numbers in them as the office reads them, in English too', () => {
    expect(reasonText(en, R.trap as ReasonLike)).toBe(
      'called 02 1234 5679 (now), a number of yours that is never published: only diallers going down a list call it',
    );
    expect(reasonText(en, { code: 'x', text: 'called +442079460958 and +1 212 555 12xx' })).toBe(
      'called +44 20 7946 0958 and +1 212 555 12xx',
    );
  });

  it("write a prefix rule's prefix as the rules page does, in both languages (before: +39029911 in Italian, 02999)", () => {
    const rule = (prefix: string): ReasonLike => ({
      code: 'prefix-rule',
      text: `suspect by your prefix rule ${prefix} (Esempio)`,
      params: { prefix, label: 'Esempio', verdict: 'suspect' },
    });
    expect(reasonText(it_, rule('+39029911'))).toBe('sospetto per la vostra regola di prefisso 02 9911 (Esempio)');
    expect(reasonText(en, rule('+3902999'))).toBe('suspect by your prefix rule 02 999 (Esempio)');
    expect(reasonText(it_, rule('+442079'))).toBe('sospetto per la vostra regola di prefisso +44 20 79 (Esempio)');
    expect(reasonText(en, rule('+442079'))).toBe('suspect by your prefix rule +44 20 79 (Esempio)');
    const trusted: ReasonLike = {
      code: 'trusted-prefix',
      text: 'trusted by your prefix rule +390212 (sede)',
      params: { prefix: '+390212', label: 'sede' },
    };
    expect(reasonText(en, trusted)).toBe('trusted by your prefix rule 02 12 (sede)');
    expect(reasonText(it_, trusted)).toBe('fidato per la vostra regola di prefisso 02 12 (sede)');
  });

  it('write a block of our own country nationally, as its numbers are written; a foreign block as it is', () => {
    const rome: ReasonLike = {
      code: 'nuisance-block',
      text: '4 nuisance numbers in +39 06 8405 84xx',
      params: { block: '+39 06 8405 84xx', prefix: '+3906840584', members: 4, level: 'small' },
    };
    const mobiles: ReasonLike = {
      code: 'nuisance-block',
      text: '12 numbers you marked nuisance in +39 333 123 4xxx (3 blocks of ten)',
      params: { block: '+39 333 123 4xxx', prefix: '+393331234', members: 12, level: 'large', spread: 3, marked: 12 },
    };
    expect(reasonText(it_, rome)).toBe('4 numeri molesti in 06 8405 84xx');
    expect(reasonText(en, rome)).toBe('4 nuisance numbers in 06 8405 84xx');
    expect(reasonText(it_, mobiles)).toBe(
      '12 numeri che avete segnato come molesti in 333 123 4xxx (3 blocchi da dieci)',
    );
    expect(reasonText(en, mobiles)).toBe('12 numbers you marked nuisance in 333 123 4xxx (3 blocks of ten)');
    // Abroad, and a block whose prefix is not one: as the screening wrote it.
    expect(
      reasonText(it_, { ...rome, params: { ...rome.params, block: '+44 20 7946 09xx', prefix: '+4420794609' } }),
    ).toBe('4 numeri molesti in +44 20 7946 09xx');
    expect(reasonText(en, { ...rome, params: { ...rome.params, prefix: 'n/a' } })).toBe(rome.text);
  });

  it('are rebuilt in Italian from the facts the register keeps', () => {
    const said = Object.fromEntries(Object.entries(R).map(([k, r]) => [k, reasonText(it_, r)]));
    expect(said).toEqual({
      markedNuisance: 'segnato come molesto da voi il 27 nov 2026 (Assicurazioni Esempio, assicurazioni)',
      markedTrusted: 'segnato come fidato da voi il 30 nov 2026',
      afterRefusal: '1° tentativo in 1 giorno dopo un rifiuto del 17 nov',
      sameDay: '2° tentativo lo stesso giorno dopo un rifiuto del 17 nov',
      repeat: '3° tentativo in 2 giorni dopo un rifiuto del 3 nov',
      talked: 'ha parlato con voi per 11 min il 16 nov',
      trap: 'ha chiamato 02 1234 5679 (ora), un vostro numero mai pubblicato: lo chiamano solo i centralini automatici che scorrono un elenco',
      withheld: 'numero nascosto (Privacy: id)',
      anonymous: 'chiamante anonimo',
      junk: 'l\'identificativo del chiamante non è un numero valido ("+39abc!!")',
      prefix: 'prefisso AGCOM del telemarketing 0844',
      block: '3 numeri che avete segnato come molesti in +1 732 759 35xx (2 blocchi da dieci)',
      friends: 'segnalato da 4 amici (alfa, beta, gamma, 1 altro, Acme Energia, energia); ne servono 5 perché conti',
      sweepNow: 'ha chiamato 3 dei vostri numeri in 6 min (ora)',
      policy: 'regola 2 "sales line" (chiuso (Ferragosto)): rifiutata (607 indesiderata)',
      remembered: 'ha superato la verifica il 3 nov 2026: passa senza verifica per 30 giorni',
      gateway: "l'identificativo non è attestato dal gestore (STIR/SHAKEN C, gateway)",
      shaken: "il gestore non ha potuto verificare l'identificativo (TN-Validation-Failed)",
    });
  });

  it("name a mark's and a friend's report's category in English as the mark beside them does, not by its key", () => {
    const telecom = {
      code: 'marked-nuisance',
      text: 'marked nuisance by you on 7 Dec 2026 (TelcoX, telecom)',
      params: { markedAt: '2026-12-07T03:43:48.000Z', company: 'TelcoX', category: 'telecom' },
    };
    expect(reasonText(en, telecom)).toBe('marked nuisance by you on 7 Dec 2026 (TelcoX, telecoms)');
    const support = {
      code: 'marked-trusted',
      text: 'marked trusted by you on 7 Dec 2026 (tech-support)',
      params: { markedAt: '2026-12-07T03:43:48.000Z', category: 'tech-support' },
    };
    expect(reasonText(en, support)).toBe('marked trusted by you on 7 Dec 2026 (tech support)');
    const friends = {
      code: 'friend-reports',
      text: 'reported by 2 friends (alfa, beta, Rete Uno, telecom); 3 needed to count',
      params: { friends: 2, consensus: 3 },
    };
    expect(reasonText(en, friends)).toBe('reported by 2 friends (alfa, beta, Rete Uno, telecoms); 3 needed to count');
    // The office's own word, and a company last (no category), stay as written.
    const own = { ...telecom, text: 'marked nuisance by you on 7 Dec 2026 (Sole Srl, Fotovoltaico)' };
    expect(reasonText(en, { ...own, params: { ...telecom.params, category: 'Fotovoltaico' } })).toBe(own.text);
    const company = { ...friends, text: 'reported by 1 friend (alfa, Rete Uno)' };
    expect(reasonText(en, company)).toBe(company.text);
  });

  it('keep the English text in English, and wherever a fact is missing or of another shape', () => {
    for (const r of Object.values(R)) if (r !== R.trap) expect(reasonText(en, r)).toBe(r.text);
    const old = { code: 'marked-nuisance', text: 'marked nuisance by you on 3 Nov 2026' }; // no params
    expect(reasonText(it_, old)).toBe(old.text);
    const odd = { ...R.afterRefusal!, params: { attempt: '1', days: 1, refusedAt: 'yesterday' } };
    expect(reasonText(it_, odd)).toBe(odd.text);
    expect(reasonText(it_, { code: 'withheld', text: 'number withheld', params: { why: 'new-reason' } })).toBe(
      'number withheld',
    );
    expect(reasonText(it_, { code: 'not-a-code', text: 'something new' })).toBe('something new');
    expect(reasonsText(it_, [R.markedTrusted!, R.shaken!])).toBe(
      "segnato come fidato da voi il 30 nov 2026; il gestore non ha potuto verificare l'identificativo (TN-Validation-Failed)",
    );
    // A text of another shape than the one the facts were read against stays English (never a made-up sentence).
    const other = { code: 'off-hours', text: 'calling at night (4 times lately)', params: { times: 4 } };
    expect(reasonText(it_, other)).toBe(other.text);
    const prefix = {
      code: 'prefix-evidence',
      text: 'Albania is busy lately',
      params: { level: 'country', prefix: '+355' },
    };
    expect(reasonText(it_, prefix)).toBe(prefix.text);
  });

  it('say in Italian exactly the codes listed as Italian', () => {
    const listed = Object.entries(REASON_LANGUAGE)
      .filter(([, lang]) => lang === 'it')
      .map(([code]) => code);
    expect(italianCodes().sort()).toEqual(listed.sort());
  });

  it('say in Italian the reasons that were English only: own rules, bypass, out of hours, STIR/SHAKEN, the check', () => {
    const cases: Array<[ReasonLike, string]> = [
      [
        {
          code: 'prefix-rule',
          text: 'nuisance by your prefix rule +3902999 (Esempio call centre)',
          params: { prefix: '+3902999', label: 'Esempio call centre', verdict: 'nuisance' },
        },
        'molesto per la vostra regola di prefisso 02 999 (Esempio call centre)',
      ],
      [
        {
          code: 'prefix-rule',
          text: 'suspect by your prefix rule +44',
          params: { prefix: '+44', label: '', verdict: 'suspect' },
        },
        'sospetto per la vostra regola di prefisso +44',
      ],
      [
        {
          code: 'trusted-prefix',
          text: 'trusted by your prefix rule +390212 (headquarters)',
          params: { prefix: '+390212', label: 'headquarters' },
        },
        'fidato per la vostra regola di prefisso 02 12 (headquarters)',
      ],
      [
        {
          code: 'bypass',
          text: 'one of your own numbers (+390212345670): not screened',
          params: { rule: '+390212345670' },
        },
        'uno dei vostri numeri (02 1234 5670): non esaminato',
      ],
      [
        {
          code: 'bypass',
          text: 'internal caller 204 (bypass rule ^[1-9][0-9]{2}$): not screened',
          params: { rule: '^[1-9][0-9]{2}$' },
        },
        'chiamante interno 204 (regola di esclusione ^[1-9][0-9]{2}$): non esaminato',
      ],
      [
        {
          code: 'display-name-allow',
          text: 'display name "Studio "Rossi" srl" matches your allow pattern rossi',
          params: { pattern: 'rossi' },
        },
        'il nome mostrato "Studio "Rossi" srl" corrisponde al vostro schema di fiducia rossi',
      ],
      [
        {
          code: 'display-name-block',
          text: 'display name "<b>PROMO</b>" matches your block pattern promo',
          params: { pattern: 'promo', name: '<b>PROMO</b>' },
        },
        'il nome mostrato "<b>PROMO</b>" corrisponde al vostro schema di blocco promo',
      ],
      [
        { code: 'off-hours', text: 'calling outside business hours', params: { times: 1 } },
        'chiama fuori dall’orario di apertura',
      ],
      [
        { code: 'off-hours', text: 'calling outside business hours (3 times lately)', params: { times: 3 } },
        'chiama fuori dall’orario di apertura (3 volte di recente)',
      ],
      [
        {
          code: 'shaken-failed',
          text: 'caller ID signature (STIR/SHAKEN) is invalid',
          params: { verstat: '', verified: 'invalid' },
        },
        "la firma dell'identificativo (STIR/SHAKEN) non è valida",
      ],
      [
        {
          code: 'block-sweep',
          text: '3 numbers of +39 02 8717 6xxx rang 4 of your numbers within 12 min (now)',
          params: { numbers: 3, dids: 4, block: '+390287176', windowMinutes: 30 },
        },
        '3 numeri di +39 02 8717 6xxx hanno chiamato 4 dei vostri numeri in 12 min (ora)',
      ],
      [
        { code: 'internal-error', text: 'not screened because of an internal error: forwarded to the PBX' },
        'non esaminata per un errore interno: passata al centralino',
      ],
      [
        {
          code: 'unroutable-called-number',
          text: 'the number called could not be read (Request-URI user "s"): not forwarded',
        },
        'il numero chiamato non si legge (utente della Request-URI "s"): non inoltrata',
      ],
      [
        { code: 'check-not-possible', text: 'human check not possible (its offer has no G.711): tagged instead' },
        'verifica umana non possibile (la sua offerta non ha G.711): passata segnata come sospetta',
      ],
      [
        {
          code: 'range-repeat',
          text: "called again after a refusal that rested on its country's or operator range's evidence alone, nothing else against this number: check instead (actions.rangeRepeat)",
          params: { action: 'check' },
        },
        'ha richiamato dopo un rifiuto basato solo sulle prove contro il suo paese o la sua numerazione, e nient’altro contro questo numero: verifica umana (premere un tasto) invece (actions.rangeRepeat)',
      ],
    ];
    for (const [reason, italian] of cases) expect(reasonText(it_, reason)).toBe(italian);
  });

  it("say the prefix tree's estimates in Italian, as prefix-evidence.ts writes them today", () => {
    const dates = dayFormatter('Europe/Rome');
    const estimate = (node: PrefixEstimate['node'], more: Partial<PrefixEstimate> = {}): ReasonLike => {
      const r = prefixReason(
        {
          node,
          callingCode: '355',
          ndc: '',
          areaType: null,
          prior: 0.1,
          mean: 0.8,
          bound: 0.7,
          weight: 0.6,
          lastNuisanceAt: null,
          ...more,
        },
        dates,
      );
      if (r === null) throw new Error('no reason');
      return r;
    };
    const country = estimate(
      { level: 'country', depth: 0, prefix: '355', free: 0, nuisance: 12.2, legit: 0, imputed: 0 },
      { lastNuisanceAt: Date.parse('2026-11-03T10:00:00Z') },
    );
    expect(reasonText(it_, country)).toBe(
      '12 blocchi di numeri in Albania (+355) con chiamate rifiutate o segnate come moleste di recente (l’ultima il 3 nov); nessuno dei vostri chiamanti chiama da lì',
    );
    const area = estimate(
      { level: 'area', depth: 1, prefix: '39347', free: 0, nuisance: 1, legit: 2, imputed: 0 },
      { callingCode: '39', ndc: '347', areaType: 'MOBILE' },
    );
    expect(reasonText(it_, area)).toBe(
      '1 blocco di numeri in +39 347 (cellulari) con chiamate rifiutate o segnate come moleste di recente; i vostri chiamanti chiamano da 2 dei suoi blocchi',
    );
    const block = estimate(
      { level: 'block', depth: 4, prefix: '390287176', free: 3, nuisance: 7, legit: 1, imputed: 0 },
      { callingCode: '39', ndc: '02' },
    );
    expect(reasonText(it_, block)).toMatch(
      /^7 numeri in \+39 .+ rifiutati o segnati come molesti di recente; 1 dei vostri chiamanti chiama da lì$/,
    );
    for (const r of [country, area, block]) expect(reasonText(en, r)).toBe(r.text);
  });
});
