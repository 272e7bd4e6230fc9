/**
 * identify-caller.ts' plainFrom: a request whose only identity header is a plain From `<sip:+digits@host>;tag=…`
 * gets its identity without the general parse. Its identity must be the general parse's, for every From value,
 * country and company of other headers: compared here over generated values of every shape (the plain one with
 * real-shaped numbers of many countries, and the near misses: display names, other schemes and cases, parameters
 * in and after the URI, anonymous users and hosts, separators, spaces, other identity headers, two values).
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test/support/prng.js';
import { identifyParsedUnguarded, identifyUnguarded } from './identify-caller.js';
import type { SipHeaderSource } from './types.js';

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)] as T;
}

function digits(rand: () => number, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String(Math.floor(rand() * 10));
  return out;
}

/** Numbers as callers send them: E.164 and national of several countries, short codes, junk lengths. */
function user(rand: () => number): string {
  const shapes: Array<() => string> = [
    () => `+393${digits(rand, 9)}`, // Italian mobile
    () => `+390${digits(rand, 5 + Math.floor(rand() * 6))}`, // Italian fixed line, every length
    () => `+3906698${digits(rand, 3)}`, // Vatican's range in +39
    () => `0${digits(rand, 5 + Math.floor(rand() * 6))}`, // national, IT default
    () => `3${digits(rand, 9)}`,
    () => `0039${digits(rand, 10)}`,
    () => `39${digits(rand, 10)}`,
    () => `+1${pick(rand, ['212', '415', '800', '900'])}${digits(rand, 7)}`,
    () => `+44${pick(rand, ['20', '7', '800'])}${digits(rand, 8)}`,
    () => `+33${pick(rand, ['1', '6', '9'])}${digits(rand, 8)}`,
    () => `+49${digits(rand, 6 + Math.floor(rand() * 7))}`,
    () => `+${pick(rand, ['800', '882', '979', '7', '86', '0', '999'])}${digits(rand, 4 + Math.floor(rand() * 9))}`,
    () => pick(rand, ['112', '113', '1515', '48123', '4', '+', '', '00', '+0']),
    () => digits(rand, 1 + Math.floor(rand() * 20)),
    () => `+${digits(rand, 1 + Math.floor(rand() * 20))}`,
    // Near misses in the user part.
    () => pick(rand, ['anonymous', 'Anonymous', 'restricted', 'unknown', 'pbx', '%2B390212345678']),
    () => `+39 02 ${digits(rand, 7)}`,
    () => `+39-02-${digits(rand, 7)}`,
    () => `+3902${digits(rand, 7)};npdi`,
    () => `0212345678;phone-context=+39`,
    () => `+3902${digits(rand, 7)}:secret`,
  ];
  return pick(rand, shapes)();
}

function host(rand: () => number): string {
  return pick(rand, [
    '127.0.0.1',
    '198.51.100.7:5061',
    'carrier.example.net',
    'a',
    'anonymous.invalid',
    'anonymous.invalid:5060',
    'ANONYMOUS.INVALID',
    'Carrier.Example.Net',
    '[2001:db8::1]',
    'host_name',
    '',
  ]);
}

function fromValue(rand: () => number): string {
  // The shortcut's shape, two times in five (its near misses are the rest, and the hosts and numbers in it).
  if (rand() < 0.4) return `<sip:${user(rand)}@${host(rand)}>${pick(rand, ['', ';tag=abc123', ';tag=9T8 ', ' '])}`;
  const scheme = pick(rand, ['sip:', 'sip:', 'sip:', 'sip:', 'SIP:', 'sips:', 'tel:', '']);
  const uriParams = pick(rand, ['', '', '', ';user=phone', ';verstat=TN-Validation-Passed-A', ';transport=udp']);
  const uri = scheme === 'tel:' ? `tel:${user(rand)}${uriParams}` : `${scheme}${user(rand)}@${host(rand)}${uriParams}`;
  const name = pick(rand, ['', '', '', '"Mario Rossi" ', 'Anonymous ', '"" ', ' ', 'Unknown ']);
  const after = pick(rand, [
    '',
    ';tag=abc123',
    ';tag=1234T5',
    ';tag=x ',
    ' ;tag=x',
    ';TAG=x',
    ';tag=',
    ';tag=a;verstat=TN-Validation-Passed',
    ';verstat=TN-Validation-Passed-B',
    ';tag=verstat',
    ' ',
    ',<sip:+390212345678@h>',
  ]);
  const bracket = rand() < 0.9;
  return bracket ? `${name}<${uri}>${after}` : `${uri}${after}`;
}

function headersOf(rand: () => number): SipHeaderSource {
  const values: Record<string, string[]> = {};
  values['from'] = rand() < 0.05 ? [fromValue(rand), fromValue(rand)] : rand() < 0.02 ? [] : [fromValue(rand)];
  // Mostly From alone (the shortcut's case), sometimes with another identity header.
  if (rand() < 0.08) values['p-asserted-identity'] = [`<sip:+39021234567${Math.floor(rand() * 10)}@carrier>`];
  if (rand() < 0.04) values['remote-party-id'] = ['<sip:+390212345670@carrier>;party=calling;privacy=full'];
  if (rand() < 0.05) values['privacy'] = [pick(rand, ['id', 'none', 'user'])];
  if (rand() < 0.03) values['p-attestation-indicator'] = ['A'];
  if (rand() < 0.02) values['identity'] = ['not-a-passport;info=<https://cert.example/x.pem>'];
  return { requestUri: 'sip:+390612345678@203.0.113.5', header: (name) => values[name] ?? [] };
}

describe('a plain From value (identify-caller.ts plainFrom)', () => {
  it('gives the identity the general parse gives, over generated From values and headers', () => {
    const rand = mulberry32(3122026);
    let same = 0;
    for (let i = 0; i < 60_000; i++) {
      const headers = headersOf(rand);
      const opts = { defaultCountry: pick(rand, ['IT', 'IT', 'IT', 'US', 'GB', 'FR', '', 'XX', 'it']) };
      const fast = identifyUnguarded(headers, opts);
      const parsed = identifyParsedUnguarded(headers, opts);
      if (JSON.stringify(fast) !== JSON.stringify(parsed)) {
        expect([headers.header('from'), opts, fast]).toEqual([headers.header('from'), opts, parsed]);
      }
      same++;
    }
    expect(same).toBe(60_000);
  });

  it('takes the shortcut for the plain shape (a number that cannot parse included) and not for a near miss', () => {
    const plain = (from: string): SipHeaderSource => ({
      requestUri: 'sip:+390612345678@203.0.113.5',
      header: (name) => (name === 'from' ? [from] : []),
    });
    const IT = { defaultCountry: 'IT' };
    // The same identities, whichever way; the plain shape's has no display name and is never withheld.
    for (const from of [
      '<sip:+390212345678@127.0.0.1>;tag=1T2',
      '<sip:0212345678@carrier.example.net:5060>',
      '<sip:+99912345@h>;tag=x',
      '<sip:4@h>',
    ]) {
      expect(identifyUnguarded(plain(from), IT)).toEqual(identifyParsedUnguarded(plain(from), IT));
      expect(identifyUnguarded(plain(from), IT)).toMatchObject({ displayName: null, withheld: false, source: 'from' });
    }
    expect(identifyUnguarded(plain('<sip:+390212345678@anonymous.invalid>'), IT)).toMatchObject({
      withheld: true,
      withheldReason: 'anonymous-uri',
    });
    expect(identifyUnguarded(plain('"Mario" <sip:+390212345678@h>'), IT).displayName).toBe('Mario');
  });
});
