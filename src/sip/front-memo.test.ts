/** The front's map (front-memo.ts): bounded, starting afresh past its bound; a key of hostile length never kept. */
import { describe, expect, it } from 'vitest';
import { UNKNOWN_CALLER } from '../callerid/types.js';
import { FrontMemo, type FrontEntry } from './front-memo.js';

const ENTRY: FrontEntry = { identity: UNKNOWN_CALLER, called: null, callerKey: '+390298765432' };

describe('the front memo', () => {
  it('keeps at most its bound, then starts afresh; the same key again is no new entry', () => {
    const front = new FrontMemo(3);
    for (const key of ['a', 'b', 'c', 'c']) front.set(key, ENTRY);
    expect(front.size).toBe(3);
    expect(front.get('a')).toBe(ENTRY);
    front.set('d', ENTRY);
    expect(front.size).toBe(1);
    expect(front.get('a')).toBeUndefined();
    expect(front.get('d')).toBe(ENTRY);
  });

  it('never keeps nor looks up a key longer than 2,048 characters', () => {
    const front = new FrontMemo();
    const long = 'x'.repeat(2049);
    front.set(long, ENTRY);
    expect(front.size).toBe(0);
    front.set('x'.repeat(2048), ENTRY);
    expect(front.get('x'.repeat(2048))).toBe(ENTRY);
  });
});
