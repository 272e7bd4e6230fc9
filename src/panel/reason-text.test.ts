import { describe, expect, it } from 'vitest';
import { prefixReason } from '../screening/prefix-evidence.js';
import { dayFormatter } from '../screening/dates.js';
import type { PrefixEstimate } from '../screening/prefix-tree.js';
import { localeFor } from './i18n.js';
import { friendReason } from '../screening/friends.js';
import type { ReasonCode } from '../screening/types.js';
import {
  REASON_LANGUAGE,
  fromFacts,
  italianCodes,
  olderEnglish,
  reasonText,
  reasonsText,
  type ReasonLike,
} from './reason-text.js';
import { hiddenReason } from './withheld-reasons.js';

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
    text: '1st attempt after a refusal on 17 Nov (within 1 day)',
    params: { attempt: 1, days: 1, refusedAt: '2026-11-17T14:41:22.000Z', limit: 3 },
  },
  sameDay: {
    code: 'attempt-after-refusal',
    text: '2nd attempt after a refusal on 17 Nov (the same day)',
    params: { attempt: 2, days: 0, refusedAt: '2026-11-17T14:41:22.000Z', limit: 3 },
  },
  repeat: {
    code: 'repeat-after-refusal',
    text: '3rd attempt after a refusal on 3 Nov (within 2 days)',
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
      afterRefusal: '1° tentativo dopo un rifiuto del 17 nov (entro 1 giorno)',
      sameDay: '2° tentativo dopo un rifiuto del 17 nov (lo stesso giorno)',
      repeat: '3° tentativo dopo un rifiuto del 3 nov (entro 2 giorni)',
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

/** A friend's report as friends.ts writes it today, from reports of [friend, company, category]; consensus 3. */
function friends(...reports: Array<[string, string | null, string | null]>): ReasonLike {
  const r = friendReason({
    reports: reports.map(([friend, company, category]) => ({ friend, weight: 0.5, company, category })),
    consensus: 3,
  });
  if (r === null) throw new Error('no report');
  return r;
}

/**
 * A consistent row of every reason code (its text the sentence its writer makes of its facts), and how the panel says
 * it in English and in Italian. A new code does not compile until it has a row here.
 */
const EVERY_CODE: Record<ReasonCode, Array<[ReasonLike, string, string]>> = {
  'marked-nuisance': [
    [
      {
        code: 'marked-nuisance',
        text: 'marked nuisance on 7 Dec 2026, imported from a FRITZ!Box list (TelcoX, telecom)',
        params: {
          markedAt: '2026-12-07T03:43:48.000Z',
          company: 'TelcoX',
          category: 'telecom',
          from: 'import:fritzbox',
        },
      },
      'marked nuisance on 7 Dec 2026, imported from a FRITZ!Box list (TelcoX, telecoms)',
      'segnato come molesto il 7 dic 2026, importato da un elenco FRITZ!Box (TelcoX, telefonia)',
    ],
    [
      {
        code: 'marked-nuisance',
        text: 'marked nuisance on 7 Dec 2026, imported from a crocetta export',
        params: { markedAt: '2026-12-07T03:43:48.000Z', from: 'import:json' },
      },
      'marked nuisance on 7 Dec 2026, imported from a crocetta export',
      "segnato come molesto il 7 dic 2026, importato da un'esportazione di crocetta",
    ],
    [
      {
        code: 'marked-nuisance',
        text: 'marked nuisance by you on 7 Dec 2026 (TelcoX, telecom)',
        params: { markedAt: '2026-12-07T03:43:48.000Z', company: 'TelcoX', category: 'telecom' },
      },
      'marked nuisance by you on 7 Dec 2026 (TelcoX, telecoms)',
      'segnato come molesto da voi il 7 dic 2026 (TelcoX, telefonia)',
    ],
    [
      {
        code: 'marked-nuisance',
        text: 'marked nuisance by you on 7 Dec 2026 (Sole Srl, Fotovoltaico)',
        params: { markedAt: '2026-12-07T03:43:48.000Z', company: 'Sole Srl', category: 'Fotovoltaico' },
      },
      'marked nuisance by you on 7 Dec 2026 (Sole Srl, Fotovoltaico)',
      'segnato come molesto da voi il 7 dic 2026 (Sole Srl, Fotovoltaico)',
    ],
    [
      {
        code: 'marked-nuisance',
        text: 'marked nuisance by you on 27 Nov 2026',
        params: { markedAt: '2026-11-27T14:41:11.000Z' },
      },
      'marked nuisance by you on 27 Nov 2026',
      'segnato come molesto da voi il 27 nov 2026',
    ],
  ],
  'marked-trusted': [
    [
      {
        code: 'marked-trusted',
        text: 'marked trusted on 7 Dec 2026, imported from a vCard contacts file',
        params: { markedAt: '2026-12-07T03:43:48.000Z', from: 'import:vcard' },
      },
      'marked trusted on 7 Dec 2026, imported from a vCard contacts file',
      'segnato come fidato il 7 dic 2026, importato da una rubrica vCard',
    ],
    [
      {
        code: 'marked-trusted',
        text: 'marked trusted by you on 7 Dec 2026 (tech-support)',
        params: { markedAt: '2026-12-07T03:43:48.000Z', category: 'tech-support' },
      },
      'marked trusted by you on 7 Dec 2026 (tech support)',
      'segnato come fidato da voi il 7 dic 2026 (finta assistenza informatica)',
    ],
    [
      {
        code: 'marked-trusted',
        text: 'marked trusted by you on 30 Nov 2026 (Studio Bianchi)',
        params: { markedAt: '2026-11-30T09:00:00.000Z', company: 'Studio Bianchi' },
      },
      'marked trusted by you on 30 Nov 2026 (Studio Bianchi)',
      'segnato come fidato da voi il 30 nov 2026 (Studio Bianchi)',
    ],
  ],
  'prefix-rule': [
    [
      {
        code: 'prefix-rule',
        text: 'nuisance by your prefix rule +3902999 (Esempio call centre)',
        params: { prefix: '+3902999', label: 'Esempio call centre', verdict: 'nuisance' },
      },
      'nuisance by your prefix rule 02 999 (Esempio call centre)',
      'molesto per la vostra regola di prefisso 02 999 (Esempio call centre)',
    ],
    [
      {
        code: 'prefix-rule',
        text: 'suspect by your prefix rule +44',
        params: { prefix: '+44', label: '', verdict: 'suspect' },
      },
      'suspect by your prefix rule +44',
      'sospetto per la vostra regola di prefisso +44',
    ],
  ],
  'trusted-prefix': [
    [
      {
        code: 'trusted-prefix',
        text: 'trusted by your prefix rule +390212 (sede)',
        params: { prefix: '+390212', label: 'sede' },
      },
      'trusted by your prefix rule 02 12 (sede)',
      'fidato per la vostra regola di prefisso 02 12 (sede)',
    ],
  ],
  'telemarketing-prefix': [
    [
      {
        code: 'telemarketing-prefix',
        text: 'AGCOM telemarketing prefix 0844',
        params: { country: 'IT', prefix: '0844', e164Prefix: '+390844' },
      },
      'AGCOM telemarketing prefix 0844',
      'prefisso AGCOM del telemarketing 0844',
    ],
  ],
  'survey-prefix': [
    [
      {
        code: 'survey-prefix',
        text: 'AGCOM statistical-survey prefix 0843',
        params: { country: 'IT', prefix: '0843', e164Prefix: '+390843' },
      },
      'AGCOM statistical-survey prefix 0843',
      'prefisso AGCOM dei sondaggi statistici 0843',
    ],
  ],
  'automated-call-prefix': [
    [
      {
        code: 'automated-call-prefix',
        text: 'ARCEP automated-calling range 0162',
        params: { country: 'FR', prefix: '0162', e164Prefix: '+33162' },
      },
      'ARCEP automated-calling range 0162',
      'numerazione ARCEP delle chiamate automatiche 0162',
    ],
  ],
  'repeat-after-refusal': [
    [
      {
        code: 'repeat-after-refusal',
        text: '3rd attempt after a refusal on 3 Nov (within 2 days)',
        params: { attempt: 3, days: 2, refusedAt: '2026-11-03T10:00:00.000Z', limit: 3 },
      },
      '3rd attempt after a refusal on 3 Nov (within 2 days)',
      '3° tentativo dopo un rifiuto del 3 nov (entro 2 giorni)',
    ],
  ],
  'attempt-after-refusal': [
    [
      {
        code: 'attempt-after-refusal',
        text: '1st attempt after a refusal on 17 Nov (within 1 day)',
        params: { attempt: 1, days: 1, refusedAt: '2026-11-17T14:41:22.000Z', limit: 3 },
      },
      '1st attempt after a refusal on 17 Nov (within 1 day)',
      '1° tentativo dopo un rifiuto del 17 nov (entro 1 giorno)',
    ],
    [
      {
        code: 'attempt-after-refusal',
        text: '2nd attempt after a refusal on 17 Nov (the same day)',
        params: { attempt: 2, days: 0, refusedAt: '2026-11-17T14:41:22.000Z', limit: 3 },
      },
      '2nd attempt after a refusal on 17 Nov (the same day)',
      '2° tentativo dopo un rifiuto del 17 nov (lo stesso giorno)',
    ],
  ],
  withheld: [
    [
      { code: 'withheld', text: 'number withheld (Privacy: id)', params: { why: 'privacy-header' } },
      'number withheld (Privacy: id)',
      'numero nascosto (Privacy: id)',
    ],
    [
      { code: 'withheld', text: 'anonymous caller', params: { why: 'anonymous-uri' } },
      'anonymous caller',
      'chiamante anonimo',
    ],
    [
      { code: 'withheld', text: 'number withheld', params: { why: 'unspecified' } },
      'number withheld',
      'numero nascosto',
    ],
  ],
  'unparsable-number': [
    [
      { code: 'unparsable-number', text: 'caller ID is not a valid number ("+39abc!!")', params: { raw: '+39abc!!' } },
      'caller ID is not a valid number ("+39abc!!")',
      'l\'identificativo del chiamante non è un numero valido ("+39abc!!")',
    ],
  ],
  'internal-error': [
    [
      { code: 'internal-error', text: 'not screened because of an internal error: forwarded to the PBX' },
      'not screened because of an internal error: forwarded to the PBX',
      'non esaminata per un errore interno: passata al centralino',
    ],
  ],
  'unroutable-called-number': [
    [
      {
        code: 'unroutable-called-number',
        text: 'the number called could not be read (Request-URI user "s"): not forwarded',
      },
      'the number called could not be read (Request-URI user "s"): not forwarded',
      'il numero chiamato non si legge (utente della Request-URI "s"): non inoltrata',
    ],
  ],
  burst: [
    [
      {
        code: 'burst',
        text: '4 attempts within 10 min (now)',
        params: { attempts: 4, windowMinutes: 10, at: '2026-11-05T09:00:00.000Z' },
      },
      '4 attempts within 10 min (now)',
      '4 tentativi in 10 min (ora)',
    ],
  ],
  sweep: [
    [
      {
        code: 'sweep',
        text: 'rang 3 of your numbers within 6 min (now)',
        params: { dids: 3, windowMinutes: 10, at: '2026-11-05T09:00:00.000Z' },
      },
      'rang 3 of your numbers within 6 min (now)',
      'ha chiamato 3 dei vostri numeri in 6 min (ora)',
    ],
    [
      {
        code: 'sweep',
        text: 'contacted 3 of your numbers within 6 min (now)',
        params: { dids: 3, windowMinutes: 10, at: '2026-11-05T09:00:00.000Z' },
      },
      'contacted 3 of your numbers within 6 min (now)',
      'ha contattato 3 dei vostri numeri in 6 min (ora)',
    ],
  ],
  'block-sweep': [
    [
      {
        code: 'block-sweep',
        text: '3 numbers of +39 02 8717 6xxx rang 4 of your numbers within 12 min (now)',
        params: { numbers: 3, dids: 4, block: '+390287176', windowMinutes: 30 },
      },
      '3 numbers of +39 02 8717 6xxx rang 4 of your numbers within 12 min (now)',
      '3 numeri di +39 02 8717 6xxx hanno chiamato 4 dei vostri numeri in 12 min (ora)',
    ],
    [
      {
        code: 'block-sweep',
        text: '3 numbers of +39 02 8717 6xxx contacted 4 of your numbers within 12 min (now)',
        params: { numbers: 3, dids: 4, block: '+390287176', windowMinutes: 30 },
      },
      '3 numbers of +39 02 8717 6xxx contacted 4 of your numbers within 12 min (now)',
      '3 numeri di +39 02 8717 6xxx hanno contattato 4 dei vostri numeri in 12 min (ora)',
    ],
  ],
  'short-calls': [
    [
      {
        code: 'short-calls',
        text: '2 answered calls shorter than 5 s (last 3 Nov 10:00)',
        params: { calls: 2, maxSeconds: 5, last: '2026-11-03T09:00:00.000Z' },
      },
      '2 answered calls shorter than 5 s (last 3 Nov 10:00)',
      "2 chiamate risposte più brevi di 5 s (l'ultima: 03/11/26, 10:00)",
    ],
  ],
  'off-hours': [
    [
      { code: 'off-hours', text: 'calling outside business hours', params: { times: 1 } },
      'calling outside business hours',
      'chiama fuori dall’orario di apertura',
    ],
    [
      { code: 'off-hours', text: 'calling outside business hours (3 times lately)', params: { times: 3 } },
      'calling outside business hours (3 times lately)',
      'chiama fuori dall’orario di apertura (3 volte di recente)',
    ],
    [
      { code: 'off-hours', text: 'a text outside business hours', params: { times: 1 } },
      'a text outside business hours',
      'un messaggio fuori dall’orario di apertura',
    ],
    [
      { code: 'off-hours', text: 'a text outside business hours (3 attempts lately)', params: { times: 3 } },
      'a text outside business hours (3 attempts lately)',
      'un messaggio fuori dall’orario di apertura (3 tentativi di recente)',
    ],
  ],
  'nuisance-block': [
    [
      {
        code: 'nuisance-block',
        text: '4 nuisance numbers in +39 06 8405 84xx',
        params: { block: '+39 06 8405 84xx', prefix: '+3906840584', members: 4, level: 'small' },
      },
      '4 nuisance numbers in 06 8405 84xx',
      '4 numeri molesti in 06 8405 84xx',
    ],
    [
      {
        code: 'nuisance-block',
        text: '3 numbers you marked nuisance in +1 732 759 35xx (2 blocks of ten)',
        params: { block: '+1 732 759 35xx', prefix: '+1732759 35', members: 3, level: 'large', spread: 2, marked: 3 },
      },
      '3 numbers you marked nuisance in +1 732 759 35xx (2 blocks of ten)',
      '3 numeri che avete segnato come molesti in +1 732 759 35xx (2 blocchi da dieci)',
    ],
  ],
  'prefix-evidence': [
    [
      {
        code: 'prefix-evidence',
        text: '12 number ranges of Albania (+355) with calls refused or marked nuisance lately (last on 3 Nov); none of your callers calls from there',
        params: { level: 'country', prefix: '+355' },
      },
      '12 number ranges of Albania (+355) with calls refused or marked nuisance lately (last on 3 Nov); none of your callers calls from there',
      '12 blocchi di numeri in Albania (+355) con chiamate rifiutate o segnate come moleste di recente (l’ultima il 3 nov); nessuno dei vostri chiamanti chiama da lì',
    ],
  ],
  'trap-did': [
    [
      {
        code: 'trap-did',
        text: 'called +390212345679 (now), a number of yours that is never published: only diallers going down a list call it',
        params: { did: '+390212345679', at: '2026-11-27T14:41:11.000Z' },
      },
      'called 02 1234 5679 (now), a number of yours that is never published: only diallers going down a list call it',
      'ha chiamato 02 1234 5679 (ora), un vostro numero mai pubblicato: lo chiamano solo i centralini automatici che scorrono un elenco',
    ],
    [
      {
        code: 'trap-did',
        text: 'texted +390212345679 (now), a number of yours that is never published: only senders going down a list reach it',
        params: { did: '+390212345679', at: '2026-11-27T14:41:11.000Z' },
      },
      'texted 02 1234 5679 (now), a number of yours that is never published: only senders going down a list reach it',
      'ha scritto a 02 1234 5679 (ora), un vostro numero mai pubblicato: lo raggiungono solo gli invii automatici che scorrono un elenco',
    ],
    [
      {
        code: 'trap-did',
        text: 'contacted +390212345679 (on 27 Nov), a number of yours that is never published: only senders going down a list reach it',
        params: { did: '+390212345679', at: '2026-11-27T14:41:11.000Z' },
      },
      'contacted 02 1234 5679 (on 27 Nov), a number of yours that is never published: only senders going down a list reach it',
      'ha contattato 02 1234 5679 (il 27 nov), un vostro numero mai pubblicato: lo raggiungono solo gli invii automatici che scorrono un elenco',
    ],
  ],
  'shaken-failed': [
    [
      {
        code: 'shaken-failed',
        text: 'caller ID signature (STIR/SHAKEN) is invalid',
        params: { verstat: '', verified: 'invalid' },
      },
      'caller ID signature (STIR/SHAKEN) is invalid',
      "la firma dell'identificativo (STIR/SHAKEN) non è valida",
    ],
    [
      { code: 'shaken-failed', text: 'the carrier could not verify the caller ID (TN-Validation-Failed)' },
      'the carrier could not verify the caller ID (TN-Validation-Failed)',
      "il gestore non ha potuto verificare l'identificativo (TN-Validation-Failed)",
    ],
  ],
  'shaken-gateway': [
    [
      {
        code: 'shaken-gateway',
        text: 'caller ID not attested by the carrier (STIR/SHAKEN C, gateway)',
        params: { attest: 'C' },
      },
      'caller ID not attested by the carrier (STIR/SHAKEN C, gateway)',
      "l'identificativo non è attestato dal gestore (STIR/SHAKEN C, gateway)",
    ],
  ],
  'shaken-full': [
    [
      { code: 'shaken-full', text: 'caller ID attested by the carrier (STIR/SHAKEN A)', params: { attest: 'A' } },
      'caller ID attested by the carrier (STIR/SHAKEN A)',
      "l'identificativo è attestato dal gestore (STIR/SHAKEN A)",
    ],
  ],
  'shaken-orig-mismatch': [
    [
      {
        code: 'shaken-orig-mismatch',
        text: 'caller ID +390212345678 does not match the number its STIR/SHAKEN token was signed for (+442079460958)',
        params: { signedFor: '+442079460958', callerId: '+390212345678' },
      },
      'caller ID 02 1234 5678 does not match the number its STIR/SHAKEN token was signed for (+44 20 7946 0958)',
      "l'identificativo 02 1234 5678 non corrisponde al numero per cui è stato firmato il token STIR/SHAKEN (+44 20 7946 0958)",
    ],
  ],
  'shaken-dest-mismatch': [
    [
      {
        code: 'shaken-dest-mismatch',
        text: 'STIR/SHAKEN token signed for a call to +442079460958, not to your +390212345670 (replayed, or forwarded)',
        params: { signedFor: '+442079460958', called: '+390212345670' },
      },
      'STIR/SHAKEN token signed for a call to +44 20 7946 0958, not to your 02 1234 5670 (replayed, or forwarded)',
      'token STIR/SHAKEN firmato per una chiamata a +44 20 7946 0958, non al vostro 02 1234 5670 (riutilizzato, o inoltrato)',
    ],
  ],
  'display-name-block': [
    [
      {
        code: 'display-name-block',
        text: 'display name "<b>PROMO</b>" matches your block pattern promo',
        params: { pattern: 'promo', name: '<b>PROMO</b>' },
      },
      'display name "<b>PROMO</b>" matches your block pattern promo',
      'il nome mostrato "<b>PROMO</b>" corrisponde al vostro schema di blocco promo',
    ],
  ],
  'display-name-allow': [
    [
      {
        code: 'display-name-allow',
        text: 'display name "Studio "Rossi" srl" matches your allow pattern rossi',
        params: { pattern: 'rossi' },
      },
      'display name "Studio "Rossi" srl" matches your allow pattern rossi',
      'il nome mostrato "Studio "Rossi" srl" corrisponde al vostro schema di fiducia rossi',
    ],
  ],
  'friend-reports': [
    [
      friends(['alfa', null, null]),
      'reported by 1 friend (alfa); 3 needed to count',
      'segnalato da 1 amico (alfa); ne servono 3 perché conti',
    ],
    [
      friends(['alfa', 'Acme Energia', 'energy'], ['beta', null, null]),
      'reported by 2 friends (alfa, beta, Acme Energia, energy); 3 needed to count',
      'segnalato da 2 amici (alfa, beta, Acme Energia, energia); ne servono 3 perché conti',
    ],
    [
      friends(
        ['alfa', 'Rete Uno', 'telecom'],
        ['beta', 'Altra', 'energy'],
        ['gamma', null, null],
        ['delta', null, null],
      ),
      'reported by 4 friends (alfa, beta, gamma, 1 more, Rete Uno, telecoms)',
      'segnalato da 4 amici (alfa, beta, gamma, 1 altro, Rete Uno, telefonia)',
    ],
    [
      friends(['alfa', null, 'telecom'], ['beta', null, null]),
      'reported by 2 friends (alfa, beta, telecoms); 3 needed to count',
      'segnalato da 2 amici (alfa, beta, telefonia); ne servono 3 perché conti',
    ],
  ],
  'talked-with-you': [
    [
      {
        code: 'talked-with-you',
        text: "you talked with this caller on 16 Nov (45 s): friends' reports only tag it",
        params: { at: '2026-11-16T11:35:00.000Z', seconds: 45 },
      },
      "you talked with this caller on 16 Nov (45 s): friends' reports only tag it",
      'avete parlato con questo chiamante il 16 nov (45 s): le segnalazioni degli amici lo segnano solo come sospetto',
    ],
    [
      {
        code: 'talked-with-you',
        text: "you talked with this caller on 16 Nov (2 min): friends' reports only tag it",
        params: { at: '2026-11-16T11:35:00.000Z', seconds: 130 },
      },
      "you talked with this caller on 16 Nov (2 min): friends' reports only tag it",
      'avete parlato con questo chiamante il 16 nov (2 min): le segnalazioni degli amici lo segnano solo come sospetto',
    ],
  ],
  bypass: [
    [
      {
        code: 'bypass',
        text: 'one of your own numbers (+390212345670): not screened',
        params: { rule: '+390212345670' },
      },
      'one of your own numbers (02 1234 5670): not screened',
      'uno dei vostri numeri (02 1234 5670): non esaminato',
    ],
    [
      {
        code: 'bypass',
        text: 'internal caller 204 (bypass rule ^[1-9][0-9]{2}$): not screened',
        params: { rule: '^[1-9][0-9]{2}$' },
      },
      'internal caller 204 (bypass rule ^[1-9][0-9]{2}$): not screened',
      'chiamante interno 204 (regola di esclusione ^[1-9][0-9]{2}$): non esaminato',
    ],
  ],
  'service-number': [
    [
      { code: 'service-number', text: 'emergency or service number 112: never blocked', params: { number: '112' } },
      'emergency or service number 112: never blocked',
      'numero di emergenza o di servizio 112: mai bloccato',
    ],
  ],
  'allow-next': [
    [
      {
        code: 'allow-next',
        text: 'let through once: you asked on 3 Nov 2026 to let the next call through',
        params: { setAt: '2026-11-03T10:00:00.000Z' },
      },
      'let through once: you asked on 3 Nov 2026 to let the next call through',
      'fatto passare una volta: il 3 nov 2026 avete chiesto di far passare la prossima chiamata',
    ],
    [
      {
        code: 'allow-next',
        text: 'let through once: you asked on 3 Nov 2026 to let the next text through',
        params: { setAt: '2026-11-03T10:00:00.000Z' },
      },
      'let through once: you asked on 3 Nov 2026 to let the next text through',
      'fatto passare una volta: il 3 nov 2026 avete chiesto di far passare il prossimo messaggio',
    ],
  ],
  'called-by-us': [
    [
      {
        code: 'called-by-us',
        text: 'you called this number on 3 Nov 2026',
        params: { calledAt: '2026-11-03T10:00:00.000Z' },
      },
      'you called this number on 3 Nov 2026',
      "l'avete chiamato voi il 3 nov 2026",
    ],
  ],
  'persistent-human': [
    [
      {
        code: 'persistent-human',
        text: 'talked 11 min with you on 16 Nov',
        params: { seconds: 632, at: '2026-11-16T11:35:00.000Z' },
      },
      'talked 11 min with you on 16 Nov',
      'ha parlato con voi per 11 min il 16 nov',
    ],
  ],
  'policy-rule': [
    [
      {
        code: 'policy-rule',
        text: 'policy rule 2 "sales line" (closed (Ferragosto)): reject:607',
        params: { rule: 2, name: 'sales line', action: 'reject:607' },
      },
      'policy rule 2 "sales line" (closed (Ferragosto)): reject:607',
      'regola 2 "sales line" (chiuso (Ferragosto)): rifiutata (607 indesiderata)',
    ],
    [
      { code: 'policy-rule', text: 'policy rule 1: tag', params: { rule: 1, name: '', action: 'tag' } },
      'policy rule 1: tag',
      'regola 1: passata, segnata sospetta',
    ],
  ],
  'check-remembered': [
    [
      {
        code: 'check-remembered',
        text: 'passed the check on 3 Nov 2026: let through without one for 30 days',
        params: { passedAt: '2026-11-03T10:00:00.000Z' },
      },
      'passed the check on 3 Nov 2026: let through without one for 30 days',
      'ha superato la verifica il 3 nov 2026: passa senza verifica per 30 giorni',
    ],
  ],
  'check-no-second-chance': [
    [
      {
        code: 'check-no-second-chance',
        text: 'passed the check on 3 Nov 2026, then marked nuisance by you on 5 Nov 2026: no second chance',
        params: { passedAt: '2026-11-03T10:00:00.000Z', markedAt: '2026-11-05T10:00:00.000Z' },
      },
      'passed the check on 3 Nov 2026, then marked nuisance by you on 5 Nov 2026: no second chance',
      "ha superato la verifica il 3 nov 2026, poi l'avete segnato come molesto il 5 nov 2026: nessuna seconda possibilità",
    ],
    [
      {
        code: 'check-no-second-chance',
        text: 'passed the check on 3 Nov 2026, then marked nuisance on 5 Nov 2026, imported from a list of numbers: no second chance',
        params: { passedAt: '2026-11-03T10:00:00.000Z', markedAt: '2026-11-05T10:00:00.000Z', from: 'import:list' },
      },
      'passed the check on 3 Nov 2026, then marked nuisance on 5 Nov 2026, imported from a list of numbers: no second chance',
      'ha superato la verifica il 3 nov 2026, poi segnato come molesto il 5 nov 2026, importato da un elenco di numeri: nessuna seconda possibilità',
    ],
  ],
  'check-not-possible': [
    [
      { code: 'check-not-possible', text: 'human check not possible (its offer has no G.711): tagged instead' },
      'human check not possible (its offer has no G.711): tagged instead',
      'verifica umana non possibile (la sua offerta non ha G.711): passata segnata come sospetta',
    ],
  ],
  'range-repeat': [
    [
      {
        code: 'range-repeat',
        text: "called again after a refusal that rested on its country's or operator range's evidence alone, nothing else against this number: check instead (actions.rangeRepeat)",
        params: { action: 'check' },
      },
      "called again after a refusal that rested on its country's or operator range's evidence alone, nothing else against this number: check instead (actions.rangeRepeat)",
      'ha richiamato dopo un rifiuto basato solo sulle prove contro il suo paese o la sua numerazione, e nient’altro contro questo numero: verifica umana (premere un tasto) invece (actions.rangeRepeat)',
    ],
  ],
  'text-pace': [
    [
      {
        code: 'text-pace',
        text: "a text made suspect by its pace alone (burst, off-hours), as a bank's one-time codes are: tagged at most, never refused for it",
        params: { pace: 'burst, off-hours' },
      },
      "a text made suspect by its pace alone (burst, off-hours), as a bank's one-time codes are: tagged at most, never refused for it",
      'un messaggio reso sospetto solo dal suo ritmo (molti tentativi ravvicinati, fuori orario), come i codici monouso di una banca: al massimo segnato, mai rifiutato per questo',
    ],
    [
      {
        code: 'text-pace',
        text: "a text made suspect by its pace alone (sweep, block-sweep), as a bank's one-time codes are: tagged at most, never refused for it",
        params: { pace: 'sweep, block-sweep' },
      },
      "a text made suspect by its pace alone (sweep, block-sweep), as a bank's one-time codes are: tagged at most, never refused for it",
      'un messaggio reso sospetto solo dal suo ritmo (più vostri numeri, numeri di uno stesso blocco), come i codici monouso di una banca: al massimo segnato, mai rifiutato per questo',
    ],
  ],
  'withheld-refusal': [
    [
      {
        code: 'withheld-refusal',
        text: 'refused only for withholding its number (with it shown: tag): not counted as a refusal of the number',
        params: { action: 'tag' },
      },
      'refused only for withholding its number (with it shown: tag): not counted as a refusal of the number',
      'rifiutata solo perché ha nascosto il numero (con il numero visibile: passata, segnata sospetta): non conta come rifiuto del numero',
    ],
    [
      {
        code: 'withheld-refusal',
        text: 'refused only for withholding its number (with it shown: allow): not counted as a refusal of the number',
        params: { action: 'allow' },
      },
      'refused only for withholding its number (with it shown: allow): not counted as a refusal of the number',
      'rifiutata solo perché ha nascosto il numero (con il numero visibile: lasciata passare): non conta come rifiuto del numero',
    ],
  ],
};

describe('reasons said from their facts, in both languages', () => {
  it('say every code in English from its facts, the same text as before for every consistent row, and in Italian', () => {
    expect(Object.keys(EVERY_CODE).sort()).toEqual(Object.keys(REASON_LANGUAGE).sort());
    for (const rows of Object.values(EVERY_CODE)) {
      expect(rows.length).toBeGreaterThan(0);
      for (const [r, english, italian] of rows) {
        expect(fromFacts(en, r)).toBe(english);
        expect(olderEnglish(r, en)).toBe(english);
        expect(reasonText(en, r)).toBe(english);
        expect(fromFacts(it_, r)).toBe(italian);
        expect(reasonText(it_, r)).toBe(italian);
        // A withheld caller's reason, its digits hidden in the text and the facts alike, is still read from them.
        expect(fromFacts(en, hiddenReason(r))).not.toBeNull();
      }
    }
  });

  it('name only what the facts say is a category, and leave names that look like numbers as written', () => {
    // A company named as a category is a company: not renamed (before: `telecoms`, `energia`).
    const company = friends(['alfa', 'telecom', null], ['beta', null, null]);
    expect(company.text).toBe('reported by 2 friends (alfa, beta, telecom); 3 needed to count');
    expect(reasonText(en, company)).toBe(company.text);
    expect(reasonText(it_, company)).toBe('segnalato da 2 amici (alfa, beta, telecom); ne servono 3 perché conti');
    const energy = friends(['alfa', 'energy', null]);
    expect(reasonText(it_, energy)).toBe('segnalato da 1 amico (alfa, energy); ne servono 3 perché conti');
    // So is a friend named as one (before: `telecoms`, `telefonia`).
    const friend = friends(['alfa', null, null], ['telecom', null, null]);
    expect(reasonText(en, friend)).toBe('reported by 2 friends (alfa, telecom); 3 needed to count');
    expect(reasonText(it_, friend)).toBe('segnalato da 2 amici (alfa, telecom); ne servono 3 perché conti');
    // Every category shown is named, not only the last item (before: `telecom, debt relief`, `telecom, debiti`).
    const two = friends(['alfa', null, 'telecom'], ['beta', null, 'debt']);
    expect(reasonText(en, two)).toBe('reported by 2 friends (alfa, beta, telecoms, debt relief); 3 needed to count');
    expect(reasonText(it_, two)).toBe(
      'segnalato da 2 amici (alfa, beta, telefonia, debiti); ne servono 3 perché conti',
    );
    const first = friends(['alfa', null, 'telecom'], ['beta', 'Rete Uno', null]);
    expect(reasonText(en, first)).toBe('reported by 2 friends (alfa, beta, telecoms, Rete Uno); 3 needed to count');
    expect(reasonText(it_, first)).toBe(
      'segnalato da 2 amici (alfa, beta, telefonia, Rete Uno); ne servono 3 perché conti',
    );
    // A display name, a rule's label or name, an internal caller: as written, as the Italian panel shows them
    // (before: the English panel wrote every `+` and six digits or more in any reason as a number, `02 1234 5678`).
    const cases: ReasonLike[] = [
      {
        code: 'display-name-block',
        text: 'display name "+390212345678" matches your block pattern ^\\+39',
        params: { pattern: '^\\+39', name: '+390212345678' },
      },
      {
        code: 'prefix-rule',
        text: 'suspect by your prefix rule +3902999 (was +390299912345)',
        params: { prefix: '+3902999', label: 'was +390299912345', verdict: 'suspect' },
      },
      {
        code: 'policy-rule',
        text: 'policy rule 3 "line +390212345670": tag',
        params: { rule: 3, name: 'line +390212345670', action: 'tag' },
      },
      {
        code: 'bypass',
        text: 'internal caller +3902123456 (bypass rule ^\\+3902123): not screened',
        params: { rule: '^\\+3902123' },
      },
    ];
    const shown = cases.map((r) => reasonText(en, r));
    expect(shown).toEqual([
      cases[0]?.text,
      'suspect by your prefix rule 02 999 (was +390299912345)',
      cases[2]?.text,
      cases[3]?.text,
    ]);
  });

  it('say a repeat after a refusal with its ordinal next to "after a refusal", rows written before session 47 too', () => {
    // Written before: "1st attempt the same day after a refusal" read as the caller's first call of the day, on its
    // second refused call (reasons47's office walk). The count is the rule's (the call after a refusal is its 1st).
    const older = (text: string, attempt: number, days: number): ReasonLike => ({
      code: attempt >= 3 ? 'repeat-after-refusal' : 'attempt-after-refusal',
      text,
      params: { attempt, days, refusedAt: '2026-11-05T09:00:00.000Z', limit: 3 },
    });
    const said = (r: ReasonLike) => [reasonText(en, r), reasonText(it_, r)];
    expect(said(older('1st attempt the same day after a refusal on 5 Nov', 1, 0))).toEqual([
      '1st attempt after a refusal on 5 Nov (the same day)',
      '1° tentativo dopo un rifiuto del 5 nov (lo stesso giorno)',
    ]);
    expect(said(older('3rd attempt in 2 days after a refusal on 5 Nov', 3, 2))).toEqual([
      '3rd attempt after a refusal on 5 Nov (within 2 days)',
      '3° tentativo dopo un rifiuto del 5 nov (entro 2 giorni)',
    ]);
    expect(said(older('11th attempt in 1 day after a refusal on 5 Nov', 11, 1))).toEqual([
      '11th attempt after a refusal on 5 Nov (within 1 day)',
      '11° tentativo dopo un rifiuto del 5 nov (entro 1 giorno)',
    ]);
    // A text its facts do not make (another attempt) is shown as written.
    expect(reasonText(en, older('2nd attempt the same day after a refusal on 5 Nov', 1, 0))).toBe(
      '2nd attempt the same day after a refusal on 5 Nov',
    );
  });

  it("keep today's text for a friend's report written before its facts said which item is a category", () => {
    const older = {
      code: 'friend-reports',
      text: 'reported by 2 friends (alfa, beta, telecom)',
      params: { friends: 2, consensus: 2 },
    };
    expect(reasonText(en, older)).toBe('reported by 2 friends (alfa, beta, telecoms)');
    expect(reasonText(it_, older)).toBe('segnalato da 2 amici (alfa, beta, telefonia)');
    // The same text written today by a friend named `telecom` (no company, no category): as written.
    const today = friends(['alfa', null, null], ['beta', null, null]);
    expect(today.params).toEqual({ friends: 2, consensus: 3, about: 0 });
    expect(friends(['alfa', 'Rete Uno', 'telecom'], ['beta', 'Altra', 'debt']).params).toEqual({
      friends: 2,
      consensus: 3,
      about: 2,
      company: 'Rete Uno',
      category: 'telecom',
    });
    expect(friends(['alfa', null, 'telecom'], ['beta', null, 'debt'], ['gamma', 'X', null]).params).toEqual({
      friends: 3,
      consensus: 3,
      about: 2,
      category: 'telecom',
      category2: 'debt',
    });
    // A report whose text does not fit its facts: English as before, Italian left in English.
    const odd = { ...today, text: 'reported by 2 friends (alfa, beta, telecom)' };
    expect(reasonText(en, odd)).toBe('reported by 2 friends (alfa, beta, telecoms)');
    expect(reasonText(it_, odd)).toBe(odd.text);
  });
});
