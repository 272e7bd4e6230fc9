import { describe, expect, it } from 'vitest';
import { RecentAttempts } from './recent-attempts.js';

describe('RecentAttempts', () => {
  it('gives back what was remembered of an id, null journal key and caller included', () => {
    const recent = new RecentAttempts(8);
    recent.remember(1, '+39021', false, 17);
    recent.remember(2, null, true, null);
    recent.remember(3, '+39022', false, 18, true);
    expect(recent.get(1)).toEqual({ callerKey: '+39021', refused: false, withheld: false, journalKey: 17 });
    expect(recent.get(2)).toEqual({ callerKey: null, refused: true, withheld: false, journalKey: null });
    expect(recent.get(3)).toEqual({ callerKey: '+39022', refused: false, withheld: true, journalKey: 18 });
    expect(recent.get(4)).toBeUndefined();
  });

  it('remembers the last `size` ids: an id whose slot a later one took is forgotten', () => {
    const recent = new RecentAttempts(4);
    for (let id = 1; id <= 6; id++) recent.remember(id, `k${id}`, false, id + 100);
    expect(recent.get(1)).toBeUndefined();
    expect(recent.get(2)).toBeUndefined();
    for (let id = 3; id <= 6; id++) expect(recent.get(id)?.callerKey).toBe(`k${id}`);
  });

  it('markRefused changes what is remembered of that id only, and nothing for an id not remembered', () => {
    const recent = new RecentAttempts(4);
    recent.remember(5, 'a', false, 1);
    recent.remember(6, 'b', false, 2);
    recent.markRefused(5);
    recent.markRefused(9); // slot of 5, not remembered as 9
    expect(recent.get(5)?.refused).toBe(true);
    expect(recent.get(6)?.refused).toBe(false);
    expect(recent.get(9)).toBeUndefined();
  });

  it('knows nothing of ids that are not positive integers', () => {
    const recent = new RecentAttempts(4);
    recent.remember(4, 'a', false, null);
    expect(recent.get(0)).toBeUndefined();
    expect(recent.get(-4)).toBeUndefined();
    expect(recent.get(4.5)).toBeUndefined();
  });
});
