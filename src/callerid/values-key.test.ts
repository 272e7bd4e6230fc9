/**
 * screenedValuesKey: one key for requests whose caller ID and called number are read from the same values (the
 * From's lone tag aside), another as soon as any value either reads differs, or the settings they read them with.
 */
import { describe, expect, it } from 'vitest';
import { calledNumber, trunkUsers } from './called-number.js';
import { identifyCaller } from './identify-caller.js';
import type { SipHeaderSource } from './types.js';
import { screenedValuesKey } from './values-key.js';

const BASE: Record<string, string[]> = {
  from: ['"Energia" <sip:+390298765432@198.51.100.7>;tag=a1b2'],
  to: ['<sip:+390612345678@203.0.113.5>'],
};
const URI = 'sip:+390612345678@203.0.113.5';

function headers(values: Record<string, string[]>, requestUri = URI): SipHeaderSource {
  return { requestUri, header: (name) => values[name] ?? [] };
}

const OPTS = { defaultCountry: 'IT' };

describe('screenedValuesKey', () => {
  it('is the same for another From tag, and so are the caller ID and the called number', () => {
    const a = headers(BASE);
    const b = headers(Object.assign({}, BASE, { from: ['"Energia" <sip:+390298765432@198.51.100.7>;tag=zz9'] }));
    expect(screenedValuesKey(a, OPTS)).toBe(screenedValuesKey(b, OPTS));
    expect(identifyCaller(b, OPTS)).toEqual(identifyCaller(a, OPTS));
    expect(calledNumber(b, OPTS)).toEqual(calledNumber(a, OPTS));
  });

  it('differs for any other value the caller ID or the called number reads, and for their settings', () => {
    const base = screenedValuesKey(headers(BASE), OPTS);
    const others: Array<[string, Record<string, string[]>]> = [
      ['p-asserted-identity', { 'p-asserted-identity': ['<sip:+390298765433@198.51.100.7>'] }],
      ['remote-party-id', { 'remote-party-id': ['<sip:+390298765433@198.51.100.7>;party=calling'] }],
      ['privacy', { privacy: ['id'] }],
      ['identity', { identity: ['eyJhbGciOiJFUzI1NiJ9.e30.sig;info=<https://x/cert>'] }],
      ['p-attestation-indicator', { 'p-attestation-indicator': ['A'] }],
      ['p-called-party-id', { 'p-called-party-id': ['<sip:+390612345679@203.0.113.5>'] }],
      ['to', { to: ['<sip:+390612345679@203.0.113.5>'] }],
      ['from, its user', { from: ['"Energia" <sip:+390298765433@198.51.100.7>;tag=a1b2'] }],
      ['from, its name', { from: ['"Energie" <sip:+390298765432@198.51.100.7>;tag=a1b2'] }],
      ['from, a parameter beside its tag', { from: ['"Energia" <sip:+390298765432@198.51.100.7>;tag=a1b2;x=1'] }],
    ];
    const keys = new Set([base]);
    for (const [what, extra] of others) {
      const key = screenedValuesKey(headers(Object.assign({}, BASE, extra)), OPTS);
      expect(key, what).not.toBe(base);
      keys.add(key);
    }
    keys.add(screenedValuesKey(headers(BASE, 'sip:+390612345679@203.0.113.5'), OPTS));
    keys.add(screenedValuesKey(headers(BASE), { defaultCountry: 'FR' }));
    keys.add(
      screenedValuesKey(headers(BASE), {
        defaultCountry: 'IT',
        trunkUsers: trunkUsers([{ username: 'acct', number: '+390612345678' }]),
      }),
    );
    expect(keys.size).toBe(others.length + 4);
  });

  it('tells values apart however their characters are split between headers', () => {
    const a = headers(Object.assign({}, BASE, { 'p-asserted-identity': ['ab'], 'remote-party-id': ['c'] }));
    const b = headers(Object.assign({}, BASE, { 'p-asserted-identity': ['a'], 'remote-party-id': ['bc'] }));
    const c = headers(Object.assign({}, BASE, { 'p-asserted-identity': ['a', 'b'], 'remote-party-id': ['c'] }));
    const d = headers(Object.assign({}, BASE, { 'p-asserted-identity': ['a;1:b'] }));
    const keys = [a, b, c, d].map((x) => screenedValuesKey(x, OPTS));
    expect(new Set(keys).size).toBe(4);
  });
});
