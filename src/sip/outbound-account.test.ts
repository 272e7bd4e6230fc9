import { describe, expect, it } from 'vitest';
import { trunkAccounts } from '../trunk/settings.js';
import { trunkInput } from '../trunk/test-fixtures.js';
import { accountFor, outboundAccounts } from './outbound-account.js';

const accounts = trunkAccounts(
  trunkInput({
    registrar: 'sip:voip.carrier.example',
    password: 'p1',
    accounts: [
      { username: 'ufficio2', password: 'p2', authUsername: 'auth2', number: '0612345670', domain: '' },
      // Its user name is the second's configured number: the configured number wins.
      { username: '0612345670', password: 'p3', authUsername: '', number: '', domain: '' },
    ],
  }),
);
const all = outboundAccounts(accounts, 'IT')!;
const userFor = (...ids: Array<string | undefined>): string => accountFor(all, ids, 'IT').username;

describe('the account of an outbound call', () => {
  it('is the one whose number the PBX presents, in any of its forms, P-Asserted-Identity first', () => {
    expect(userFor(undefined, undefined, '<sip:0612345670@10.0.0.5>;tag=1')).toBe('ufficio2');
    expect(userFor('<sip:+390612345670@10.0.0.5>', undefined, '<sip:201@10.0.0.5>;tag=1')).toBe('ufficio2');
    expect(userFor('"Office" <tel:00390612345670>', undefined, '<sip:0612345678@10.0.0.5>;tag=1')).toBe('ufficio2');
    expect(userFor(undefined, '<sip:390612345678@10.0.0.5>', '<sip:201@h>')).toBe('0612345678');
    expect(all.first.auth).toEqual({ username: '0612345678', password: 'p1' });
    expect(accountFor(all, ['<sip:0612345670@h>'], 'IT').auth).toEqual({ username: 'auth2', password: 'p2' });
  });

  it('is the first when the caller ID is no account’s (an extension, withheld, another number)', () => {
    expect(userFor(undefined, undefined, '"Reception" <sip:201@10.0.0.5>;tag=1')).toBe('0612345678');
    expect(userFor('<sip:anonymous@anonymous.invalid>', undefined, undefined)).toBe('0612345678');
    expect(userFor(undefined, undefined, '<sip:+390299999999@h>')).toBe('0612345678');
    expect(userFor('<sip:+390299999999@h>, <tel:+390612345670>', undefined, undefined)).toBe('ufficio2');
  });

  it('is always the first with one account, whatever the caller ID', () => {
    const one = outboundAccounts(accounts.slice(0, 1), 'IT')!;
    expect(accountFor(one, ['<sip:0612345670@h>'], 'IT').username).toBe('0612345678');
    expect(outboundAccounts([], 'IT')).toBeNull();
  });
});

describe("where an account's outbound calls go", () => {
  const twoCarriers = (fax: { trunkUri?: string }) =>
    trunkAccounts(
      trunkInput({
        registrar: 'sip:sip.carrier-a.example',
        password: 'p1',
        accounts: [
          { username: 'sede2', password: 'p2', authUsername: '', number: '0612345670', domain: '' },
          {
            username: 'fax',
            password: 'p3',
            authUsername: '',
            number: '0612345690',
            domain: '',
            registrar: 'sip:voip.carrier-b.example',
            ...fax,
          },
        ],
      }),
    );
  const uris = (fax: { trunkUri?: string }, firstCarrierUri: string): string[] => {
    const out = outboundAccounts(twoCarriers(fax), 'IT', firstCarrierUri)!;
    return ['0612345678', '0612345670', '0612345690'].map((n) => accountFor(out, [`<sip:${n}@h>`], 'IT').uri);
  };

  it("is TRUNK_URI (else the registrar) at the first carrier, another carrier's registrar without TRUNK_2_URI", () => {
    expect(uris({}, 'sip:proxy.carrier-a.example')).toEqual([
      'sip:proxy.carrier-a.example',
      'sip:proxy.carrier-a.example',
      'sip:voip.carrier-b.example',
    ]);
    expect(uris({}, '')).toEqual([
      'sip:sip.carrier-a.example',
      'sip:sip.carrier-a.example',
      'sip:voip.carrier-b.example',
    ]);
  });

  it("is the account's own trunkUri (TRUNK_n_URI) when given: another carrier's outbound proxy", () => {
    expect(uris({ trunkUri: 'sip:sbc.carrier-b.example:5070' }, 'sip:proxy.carrier-a.example')).toEqual([
      'sip:proxy.carrier-a.example',
      'sip:proxy.carrier-a.example',
      'sip:sbc.carrier-b.example:5070',
    ]);
  });
});
