import { describe, expect, it } from 'vitest';
import { headersFrom, headersOf } from '../../test/support/sip-headers.js';
import { calledNumber } from './index.js';

const IT = { defaultCountry: 'IT' };

describe('calledNumber', () => {
  it.each([
    ['sip:0212345678@10.0.0.5:5060;user=phone', '+390212345678'],
    ['sip:+390212345678@crocetta.example', '+390212345678'],
    ['sip:390212345678@10.0.0.5', '+390212345678'],
    ['sip:00390212345678@10.0.0.5', '+390212345678'],
    ['sip:%2B390212345678@10.0.0.5', '+390212345678'],
    ['tel:+390212345678', '+390212345678'],
  ])('reads our DID from the Request-URI %s', (ruri, e164) => {
    expect(calledNumber(headersOf({ to: '<sip:999@x>' }, ruri), IT)?.e164).toBe(e164);
  });

  it('falls back to To when the Request-URI has no number (registration trunks)', () => {
    const raw = `INVITE sip:crocetta@10.0.0.5:5060 SIP/2.0\r\nt: "Ufficio" <sip:+390612345678@carrier.example>\r\nf: <sip:+393331234567@carrier.example>;tag=1\r\n\r\n`;
    expect(calledNumber(headersFrom(raw), IT)?.e164).toBe('+390612345678');
  });

  it('returns the raw Request-URI number when neither parses, and null when there is none', () => {
    expect(calledNumber(headersOf({ to: '<sip:reception@x>' }, 'sip:100@10.0.0.5'), IT)).toMatchObject({
      raw: '100',
      e164: null,
      flags: ['short-code'],
    });
    expect(calledNumber(headersOf({}, 'sip:10.0.0.5'), IT)).toBeNull();
    expect(calledNumber(headersOf({ to: 'garbage<' }, ''), IT)).toBeNull();
  });

  it('never throws', () => {
    const broken = { requestUri: undefined as unknown as string, header: (): string[] => { throw new Error('x'); } };
    expect(calledNumber(broken, IT)).toBeNull();
  });
});
