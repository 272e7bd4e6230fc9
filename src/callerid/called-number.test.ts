import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { headersFrom, headersOf } from '../../test/support/sip-headers.js';
import { calledNumber, NO_TRUNK_USERS, trunkCalledUser, trunkUsers } from './index.js';

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
    const broken = {
      requestUri: undefined as unknown as string,
      header: (): string[] => {
        throw new Error('x');
      },
    };
    expect(calledNumber(broken, IT)).toBeNull();
  });

  describe('on a call to the registration trunk contact', () => {
    const TRUNK = { ...IT, trunkUsername: '0612345678' };
    const ruri = 'sip:0612345678@192.0.2.10:5080';

    it('reads the DID from P-Called-Party-ID, never from the numeric account name in the Request-URI', () => {
      const h = headersOf(
        { to: '<sip:0612345678@carrier.example>', 'p-called-party-id': '<sip:+390612345699@carrier.example>' },
        ruri,
      );
      expect(calledNumber(h, TRUNK)?.e164).toBe('+390612345699');
      expect(trunkCalledUser(h, '0612345678')).toBe('+390612345699');
    });

    it('else from To; and never the account name when neither carries a number', () => {
      expect(calledNumber(headersOf({ to: '<tel:+390612345677>' }, ruri), TRUNK)?.e164).toBe('+390612345677');
      expect(calledNumber(headersOf({ to: '<sip:office@carrier.example>' }, ruri), TRUNK)?.e164).toBeNull();
      expect(calledNumber(headersOf({}, ruri), TRUNK)).toBeNull();
      expect(trunkCalledUser(headersOf({}, ruri), '0612345678')).toBeNull();
    });

    it("with several accounts: the account's configured number, else as with one account", () => {
      const users = trunkUsers([{ username: '0612345678' }, { username: 'ufficio2', number: '+390612345670' }]);
      const opts = { ...IT, trunkUsers: users };
      const toSecond = headersOf(
        { to: '<sip:ufficio2@carrier.example>', 'p-called-party-id': '<sip:ufficio2@carrier.example>' },
        'sip:ufficio2@192.0.2.10:5080',
      );
      expect(calledNumber(toSecond, opts)?.e164).toBe('+390612345670');
      expect(trunkCalledUser(toSecond, users)).toBe('+390612345670');
      const toFirst = headersOf({ 'p-called-party-id': '<sip:+390612345699@carrier.example>' }, ruri);
      expect(calledNumber(toFirst, opts)?.e164).toBe('+390612345699');
      expect(trunkCalledUser(toFirst, users)).toBe('+390612345699');
      // A user name no account has is a DID as any other; an empty user name is no account.
      const other = headersOf({}, 'sip:0612345600@192.0.2.10');
      expect(calledNumber(other, opts)?.e164).toBe('+390612345600');
      expect(trunkCalledUser(other, users)).toBeNull();
      expect(trunkUsers([{ username: '' }])).toBe(NO_TRUNK_USERS);
    });

    it('leaves other calls as they were: the Request-URI number first', () => {
      const h = headersOf(
        { to: '<sip:+390612345677@x>', 'p-called-party-id': '<sip:+390612345699@x>' },
        'sip:+390612345600@192.0.2.10',
      );
      expect(calledNumber(h, TRUNK)?.e164).toBe('+390612345600');
      expect(trunkCalledUser(h, '0612345678')).toBeNull();
    });
  });
});

describe('calledNumber of recent requests', () => {
  it('answers again from its cache, and keeps apart requests that differ in a value it reads', () => {
    const opts = { defaultCountry: 'IT' };
    const a = headersOf({ to: '<sip:0212345678@h>' }, 'sip:pbx@10.0.0.5');
    const b = headersOf({ to: '<sip:0212345679@h>' }, 'sip:pbx@10.0.0.5');
    expect(calledNumber(a, opts)?.e164).toBe('+390212345678');
    expect(calledNumber(b, opts)?.e164).toBe('+390212345679');
    expect(calledNumber(a, opts)).toBe(calledNumber(a, opts));
    expect(Object.isFrozen(calledNumber(a, opts))).toBe(true);
    expect(calledNumber(a, { defaultCountry: 'US' })?.e164).not.toBe('+390212345678');
    const trunk = headersOf({ to: '<sip:0212345678@h>', 'p-called-party-id': '<sip:0299999999@h>' }, 'sip:acct@h');
    expect(calledNumber(trunk, opts)?.e164).toBe('+390212345678');
    expect(calledNumber(trunk, { ...opts, trunkUsername: 'acct' })?.e164).toBe('+390299999999');
  });
});

describe('what calledNumber keeps of a request', () => {
  // drachtio-srf's Request-URI and header values are slices of the whole SIP message: a number kept (the cache's, the
  // last one) or held with a call that is made of such a slice keeps the message alive.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const MESSAGE = 1 << 20;
  const DIDS = 16;

  it('holds no slice of the request: the messages are collected, called once or again (kept by the cache)', () => {
    const held: unknown[] = [];
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < DIDS; i++) {
        const did = `+3906${String(i).padStart(8, '0')}`;
        const text = `INVITE sip:${did}@127.0.0.1;user=phone SIP/2.0\r\nTo: <sip:${did}@127.0.0.1>\r\nX-Pad: ${'x'.repeat(MESSAGE)}${i}.${round}\r\n`;
        const requestUri = text.slice(text.indexOf('sip:'), text.indexOf(' SIP/2.0'));
        const toAt = text.indexOf('<sip:');
        const to = text.slice(toAt, text.indexOf('\r\n', toAt));
        const called = calledNumber({ requestUri, header: (n) => (n === 'to' ? [to] : []) }, IT);
        expect(called?.e164).toBe(did);
        held.push(called);
      }
    }
    gc();
    expect(held).toHaveLength(2 * DIDS);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan((2 * DIDS * MESSAGE) / 4);
  });
});
