import { describe, expect, it } from 'vitest';
import { createClassifier } from './classify.js';
import { FR_PACK } from './packs/fr.js';
import { IT_PACK } from './packs/it.js';
import { NO_EVIDENCE } from './types.js';
import { caller, NOW, rules } from './test-fixtures.js';

const classifier = createClassifier(rules());
const judge = (e164: string) => classifier(caller(e164), NO_EVIDENCE, NOW);

describe('IT pack (Legge 5/2018, AGCOM)', () => {
  it('keeps the leading 0 of the national prefix in E.164', () => {
    expect(IT_PACK.map((e) => e.e164Prefix)).toEqual(['+390843', '+390844']);
  });

  it.each(['+390844000000', '+39084412345678'])('%s is telemarketing', (e164) => {
    expect(judge(e164).reasons[0]?.text).toBe('AGCOM telemarketing prefix 0844');
  });

  it.each(['+39844123456', '+390845123456', '+390284412345', '+41844123456'])('%s is not matched', (e164) => {
    expect(judge(e164).reasons).toEqual([]);
  });
});

describe('FR pack (ARCEP décision 2022-1583)', () => {
  const metropolitan = ['0162', '0163', '0270', '0271', '0377', '0378', '0424', '0425', '0568', '0569', '0948', '0949'];
  const overseas = ['09475', '09476', '09477', '09478', '09479'];

  it('lists exactly the ranges of the decision', () => {
    expect(FR_PACK.map((e) => e.nationalPrefix)).toEqual([...metropolitan, ...overseas]);
  });

  it.each(metropolitan)('%s is an automated-calling range', (national) => {
    const d = judge(`+33${national.slice(1)}123456`);
    expect(d.verdict).toBe('nuisance');
    expect(d.reasons[0]).toMatchObject({
      code: 'automated-call-prefix',
      text: `ARCEP automated-calling range ${national}`,
    });
  });

  it.each(overseas)('overseas %s is matched as +33%s…', (national) => {
    const d = judge(`+33${national.slice(1)}12345`);
    expect(d.verdict).toBe('nuisance');
    expect(d.reasons[0]?.text).toBe(`ARCEP automated-calling range ${national}`);
  });

  it.each(['+33937123456', '+33938123456', '+33939123456'])(
    'delivery and ride-hailing platforms are not telemarketing: %s',
    (e164) => {
      expect(judge(e164)).toEqual({ verdict: 'unknown', score: 0, reasons: [] });
    },
  );

  it.each(['+339474123456', '+339470123456', '+33612345678', '+33164123456', '+3316'])('%s is not matched', (e164) => {
    expect(judge(e164).reasons).toEqual([]);
  });
});
