import { afterEach, describe, expect, it, vi } from 'vitest';
import { mulberry32 } from '../../test/support/prng.js';
import { ANONYMOUS_USERS, isAnonymousUri } from './privacy.js';
import { parseUri } from './sip-uri.js';

/** The rule before the first-character check: the user part, lower-cased, is one of the anonymous ones. */
const ANONYMOUS = [...ANONYMOUS_USERS];
const byTheSet = (user: string | null, host: string): boolean =>
  host === 'anonymous.invalid' || (user !== null && ANONYMOUS_USERS.has(user.toLowerCase()));

describe('isAnonymousUri', () => {
  afterEach(() => vi.restoreAllMocks());

  it('answers as the anonymous user parts do, for any first character', () => {
    const rand = mulberry32(12);
    const users = [
      ...ANONYMOUS,
      ...ANONYMOUS.map((u) => u.toUpperCase()),
      'Anonymous',
      'ANONYMOUS.INVALID',
      '+390212345678',
      '0212345678',
      '',
      '_anonymous',
      '@anonymous',
      '[anonymous',
      '`anonymous',
      '{anonymous',
      'Ånonymous',
      'İanonymous',
      '\u212Aanonymous',
    ];
    for (let i = 0; i < 2000; i++) {
      const first = String.fromCharCode(Math.floor(rand() * 0x250));
      users.push(first + ANONYMOUS[i % ANONYMOUS.length]!.slice(1));
    }
    for (const user of users) {
      for (const host of ['h.example', 'anonymous.invalid']) {
        const uri = { ...parseUri(`sip:x@${host}`), user };
        expect([user, host, isAnonymousUri(uri)]).toEqual([user, host, byTheSet(user, host)]);
      }
    }
    expect(isAnonymousUri(parseUri('sip:Anonymous@h.example'))).toBe(true);
    expect(isAnonymousUri(parseUri('tel:restricted'))).toBe(true);
  });

  it('does not lower-case and look up a user part that begins with a digit or +', () => {
    const uris = [parseUri('sip:+390212345678@h.example'), parseUri('sip:0212345678@h.example')];
    const lower = vi.spyOn(String.prototype, 'toLowerCase');
    const has = vi.spyOn(Set.prototype, 'has');
    has.mockClear();
    lower.mockClear();
    const answers = uris.map(isAnonymousUri);
    const calls = has.mock.calls.length + lower.mock.calls.length;
    vi.restoreAllMocks();
    expect(answers).toEqual([false, false]);
    expect(calls).toBe(0);
  });
});
