import { describe, expect, it } from 'vitest';
import { findBreaches, type BreachRulesConfig, type DossierAttempt, type DossierMark } from '../dossier/rules.js';
import { breachText } from './breach-text.js';

const RULES: BreachRulesConfig = {
  fr: { enabled: true, callerPrefixes: ['+33'], timeZone: 'Europe/Paris', holidays: true },
  it: {
    enabled: true,
    rpoRegisteredOn: '2026-01-15',
    rpoGraceDays: 15,
    rpoNumbers: [],
    surveyCategories: ['survey'],
    timeZone: 'Europe/Rome',
  },
};
let seq = 0;
function call(time: string, callerKey: string, extra: Partial<DossierAttempt> = {}): DossierAttempt {
  return {
    callId: `c${++seq}@test`,
    time: Date.parse(time),
    callerKey,
    calledNumber: '+390612345678',
    refusedAt: null,
    ...extra,
  };
}

/** Each breach's Italian and English text, by rule, for these calls. */
function said(calls: DossierAttempt[], marks = new Map<string, DossierMark>()) {
  return findBreaches(calls, marks, RULES).map((b) => ({
    rule: b.rule,
    it: breachText('it', b),
    en: breachText('en', b),
  }));
}

describe('dossier breaches in the page language', () => {
  it('says the French rules in Italian from the facts, legal references as written', () => {
    const fr = '+33162000001';
    const out = said([
      call('2026-02-07T11:00:00+01:00', fr), // a Saturday
      call('2026-07-14T11:00:00+02:00', fr), // Fête nationale
      call('2026-02-10T21:15:00+01:00', fr, { refusedAt: Date.parse('2026-02-10T21:15:30+01:00') }),
      call('2026-02-12T11:00:00+01:00', fr),
    ]);
    const italian = out.map((b) => b.it);
    expect(italian).toContain(
      'chiamata di sabato (alle 11:00, ora di Europe/Paris), fuori dalle fasce consentite, dal lunedì al venerdì 10:00–13:00 e 14:00–20:00 (FR décret 2022-1313)',
    );
    expect(italian).toContain(
      'chiamata in un giorno festivo, Fête nationale (alle 11:00, ora di Europe/Paris), fuori dalle fasce consentite, dal lunedì al venerdì 10:00–13:00 e 14:00–20:00 (FR décret 2022-1313)',
    );
    expect(italian).toContain(
      'chiamata alle 21:15, ora di Europe/Paris, fuori dalle fasce consentite, dal lunedì al venerdì 10:00–13:00 e 14:00–20:00 (FR décret 2022-1313)',
    );
    expect(italian).toContain(
      'chiamata 1 giorno dopo un rifiuto del 10/2/2026 (FR décret 2022-1313: 60 giorni di attesa)',
    );
    for (const b of out) expect(b.en).not.toMatch(/chiamata/);
  });

  it('counts French attempts in Italian', () => {
    const fr = '+33162000002';
    const days = ['02', '03', '04', '05', '06'].map((d) => call(`2026-03-${d}T11:00:00+01:00`, fr));
    expect(
      said(days)
        .filter((b) => b.rule === 'fr-frequency')
        .map((b) => b.it),
    ).toEqual(['5° tentativo in 30 giorni (FR décret 2022-1313, al massimo 4)']);
  });

  it('says the Italian rules in Italian, the category named in Italian', () => {
    const out = said(
      [call('2026-02-03T10:00:00+01:00', '+390844000001'), call('2026-01-10T10:00:00+01:00', '+3908431234567')],
      new Map([['+3908431234567', { company: 'Example Energia', category: 'energy' }]]),
    );
    expect(out.map((b) => b.it)).toEqual([
      'prefisso AGCOM dei sondaggi statistici 0843 usato per vendere: segnato "energia" dall’ufficio (lo 0843 è riservato ai sondaggi statistici)',
      'il prefisso AGCOM del telemarketing 0844 ha chiamato un numero iscritto al Registro Pubblico delle Opposizioni dal 15/1/2026, vincolante dal 30/1/2026 dopo i 15 giorni concessi agli operatori (Legge 5/2018)',
    ]);
    expect(out[1]?.en).toBe(
      'AGCOM telemarketing prefix 0844 calling a number on the Registro Pubblico delle Opposizioni since 2026-01-15, binding from 2026-01-30 after the 15-day grace period (Legge 5/2018)',
    );
  });
});
