import { describe, expect, it } from 'vitest';
import { hashDouble } from '../screening/second-sight.js';
import {
  detachedValues,
  flatCopy,
  HASH_START,
  hashText,
  RecentCache,
  RecentValuesCache,
  sameText,
  type ValuesKey,
} from './recent-cache.js';

/** Keys compared as the callers compare them: value by value. */
const same = (held: ValuesKey, key: ValuesKey): boolean =>
  held.length === key.length && held.every((v, i) => v === key[i]);

/** A cache that stores every key offered (admission passed: a key's second offer). */
function put<V>(cache: RecentValuesCache<V>, hash: number, key: ValuesKey, value: V): void {
  cache.admits(hash);
  expect(cache.admits(hash)).toBe(true);
  cache.set(hash, detachedValues(key), value);
}

describe('RecentValuesCache', () => {
  it('finds a key by its values, not by the strings that hold them', () => {
    const cache = new RecentValuesCache<string>(100);
    const message = 'From: <sip:1@h>;tag=a';
    put(cache, 7, ['IT', 1, message.slice(6, 15)], 'one');
    expect(cache.get(7, same, ['IT', 1, '<sip:1@h>'])).toBe('one');
  });

  it('keeps apart keys that differ in any value, in a count or in where one list ends', () => {
    const cache = new RecentValuesCache<string>(100);
    const keys = [
      ['IT', 1, 'a', 0],
      ['IT', 0, 1, 'a'],
      ['US', 1, 'a', 0],
      ['IT', 1, 'a', 1, 'b'],
      ['IT', 2, 'a', 'b'],
      ['IT', 1, 'a', 0, 0],
    ];
    keys.forEach((key, i) => put(cache, 1, key, `v${i}`));
    keys.forEach((key, i) => expect(cache.get(1, same, key)).toBe(`v${i}`));
    expect(cache.get(1, same, ['IT', 1, 'a'])).toBeUndefined();
    expect(cache.get(2, same, ['IT', 1, 'a', 0])).toBeUndefined();
  });

  it('holds at most 8 keys under one hash, dropping the oldest', () => {
    const cache = new RecentValuesCache<number>(100);
    for (let i = 0; i < 9; i++) put(cache, 5, ['h', i], i);
    expect(cache.get(5, same, ['h', 0])).toBeUndefined();
    for (let i = 1; i < 9; i++) expect(cache.get(5, same, ['h', i])).toBe(i);
  });

  it('forgets what was not asked for within two generations, and keeps what was', () => {
    const cache = new RecentValuesCache<number>(2);
    put(cache, 1, ['a'], 1);
    put(cache, 2, ['b'], 2);
    put(cache, 3, ['c'], 3); // a and b age
    expect(cache.get(1, same, ['a'])).toBe(1); // promoted
    put(cache, 4, ['d'], 4); // c and a age, b is gone
    put(cache, 5, ['e'], 5);
    expect(cache.get(2, same, ['b'])).toBeUndefined();
    expect(cache.get(1, same, ['a'])).toBe(1);
  });

  it('admits a hash the second time it is offered, not the first', () => {
    const cache = new RecentValuesCache<number>(100);
    for (const hash of [0, 1, -1, 0x7fffffff, -0x80000000, hashText(HASH_START, '<tel:+390212345678>')]) {
      expect(cache.admits(hash)).toBe(false);
      expect(cache.admits(hash)).toBe(true);
    }
    // Another hash in the same slot (of SecondSight's 1 << 14) takes it over: the first must come twice again.
    let slotMate = 4;
    while (((hashDouble(slotMate) ^ hashDouble(3)) & ((1 << 14) - 1)) !== 0) slotMate++;
    expect(cache.admits(3)).toBe(false);
    expect(cache.admits(slotMate)).toBe(false);
    expect(cache.admits(3)).toBe(false);
    expect(cache.admits(3)).toBe(true);
  });

  it('hashes text by its code units, a prefix alike whatever string holds it', () => {
    const whole = '"A" <sip:1@h>;tag=x';
    expect(hashText(HASH_START, whole, 13)).toBe(hashText(HASH_START, '"A" <sip:1@h>'));
    expect(hashText(HASH_START, 'ab')).not.toBe(hashText(HASH_START, 'ba'));
    expect(hashText(HASH_START, '')).toBe(HASH_START);
  });
});

describe('RecentCache', () => {
  it('forgets what was not asked for within two generations', () => {
    const cache = new RecentCache<number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.get('a')).toBe(1);
    cache.set('d', 4);
    cache.set('e', 5);
    expect(cache.get('b')).toBeUndefined();
  });
});

describe("sameText (the called-number cache's compare)", () => {
  // Header values as drachtio-srf holds them: slices of the whole message.
  const message = 'From: <sip:+390212345678@h>;tag=a1\r\nP-Asserted-Identity: <tel:+390212345678>\r\n';
  const pai = message.slice(message.indexOf('<tel:'), message.lastIndexOf('\r\n'));

  it('says what === says, whatever the strings are made of', () => {
    const cases: Array<[string, string]> = [
      [pai, '<tel:+390212345678>'],
      [pai, '<tel:+390212345679>'],
      [pai, '<tel:+39021234567>'],
      [pai, 'x<tel:+390212345678'],
      ['', ''],
      ['a', ''],
      ['abab', 'baba'],
      ['aab', 'aba'],
    ];
    for (const [a, b] of cases) {
      expect([a, b, sameText(a, b)]).toEqual([a, b, a === b]);
      expect([b, a, sameText(b, a)]).toEqual([b, a, a === b]);
    }
  });
});

describe('flatCopy', () => {
  it('gives the same text, whatever it holds and however long', () => {
    const message = 'From: "A \\"B\\"" <sip:+390212345678@h>;tag=a1\r\n';
    for (const s of [
      '',
      'IT',
      '+390212345678',
      message.slice(6, 40),
      '\u0000\u0001\r\n\t"\\',
      '\ud800x\udfff',
      '\u00e8\u0100'.repeat(40),
      'x'.repeat(1030),
    ]) {
      expect(flatCopy(s)).toBe(s);
    }
  });
});
