import { describe, expect, it } from 'vitest';
import { RecentCache, RecentValuesCache } from './recent-cache.js';

describe('RecentValuesCache', () => {
  it('finds a key by its values, not by the strings that hold them', () => {
    const cache = new RecentValuesCache<string>(100);
    const message = 'From: <sip:1@h>;tag=a';
    cache.set(message.slice(6, 15), ['IT', 1, message.slice(6, 15)], 'one');
    expect(cache.get('<sip:1@h>', ['IT', 1, '<sip:1@h>'])).toBe('one');
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
    keys.forEach((key, i) => cache.set('a', key, `v${i}`));
    keys.forEach((key, i) => expect(cache.get('a', key)).toBe(`v${i}`));
    expect(cache.get('a', ['IT', 1, 'a'])).toBeUndefined();
    expect(cache.get('b', ['IT', 1, 'a', 0])).toBeUndefined();
  });

  it('holds at most 8 keys under one head, dropping the oldest', () => {
    const cache = new RecentValuesCache<number>(100);
    for (let i = 0; i < 9; i++) cache.set('h', ['h', i], i);
    expect(cache.get('h', ['h', 0])).toBeUndefined();
    for (let i = 1; i < 9; i++) expect(cache.get('h', ['h', i])).toBe(i);
  });

  it('forgets what was not asked for within two generations, and keeps what was', () => {
    const cache = new RecentValuesCache<number>(2);
    cache.set('a', ['a'], 1);
    cache.set('b', ['b'], 2);
    cache.set('c', ['c'], 3); // a and b age
    expect(cache.get('a', ['a'])).toBe(1); // promoted
    cache.set('d', ['d'], 4); // c and a age, b is gone
    cache.set('e', ['e'], 5);
    expect(cache.get('b', ['b'])).toBeUndefined();
    expect(cache.get('a', ['a'])).toBe(1);
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
