import { describe, expect, it } from 'vitest';
import { dossierCsv, dossierJson } from './format.js';
import type { Dossier } from './load.js';
import { findBreaches, type BreachRulesConfig } from './rules.js';

const RULES: BreachRulesConfig = {
  fr: { enabled: true, callerPrefixes: ['+33'], timeZone: 'Europe/Paris', holidays: true },
  it: {
    enabled: false,
    rpoRegisteredOn: '',
    rpoGraceDays: 15,
    rpoNumbers: [],
    surveyCategories: [],
    timeZone: 'Europe/Rome',
  },
};

describe('dossier formats', () => {
  const attempt = {
    callId: '=HYPERLINK("http://x")@evil',
    time: Date.parse('2026-11-07T11:00:00+01:00'),
    callerKey: '+33140000001',
    calledNumber: '@did',
    refusedAt: null,
  };
  const d: Dossier = {
    subject: { kind: 'number', callerKey: '+33140000001' },
    since: null,
    until: null,
    generatedAt: Date.parse('2026-11-28T12:00:00Z'),
    timeZone: 'Europe/Rome',
    numbers: [{ callerKey: '+33140000001', label: null, company: null, category: null }],
    attempts: 1,
    breaches: findBreaches([attempt], new Map(), RULES),
  };

  it('neutralises formulas in CSV cells (caller-controlled Call-IDs, DIDs)', () => {
    const [, row] = dossierCsv(d).split('\r\n');
    expect(row).toBe(
      `1,fr-hours,FR,"call on a Saturday (11:00 Europe/Paris time), outside Mon–Fri 10:00–13:00 and 14:00–20:00 (FR décret 2022-1313)",breach,"'=HYPERLINK(""http://x"")@evil",2026-11-07T11:00:00+01:00,'+33140000001,'@did,,`,
    );
  });

  it('writes times in ISO 8601 with the offset in JSON', () => {
    const j = dossierJson(d);
    expect(j.generatedAt).toBe('2026-11-28T13:00:00+01:00');
    expect(j.byRule).toEqual({ 'fr-hours': 1 });
    expect(j.breaches[0]).toMatchObject({
      rule: 'fr-hours',
      callId: attempt.callId,
      time: '2026-11-07T11:00:00+01:00',
      evidence: [{ callId: attempt.callId }],
    });
  });
});
