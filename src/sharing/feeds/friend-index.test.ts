import { describe, expect, it } from 'vitest';
import { FriendIndex } from './friend-index.js';

const row = (caller_key: string, friend: string, weight: number) => ({
  caller_key,
  friend,
  weight,
  company: null,
  category: null,
});

describe("friends' reports for the prefix tree", () => {
  it('lists the numbers whose reports count, their weights combined, and tells a subscriber after each replace', () => {
    const index = new FriendIndex(2);
    const seen: Array<Array<{ callerKey: string; weight: number }>> = [];
    index.subscribe((i) => seen.push([...i.counted()]));
    expect(seen).toEqual([[]]);
    index.replace([
      row('+355691234567', 'anna', 0.5),
      row('+355691234567', 'bruno', 0.5),
      row('+393331234567', 'anna', 0.9), // one friend: below the consensus of 2
      row('+40721234567', 'anna', 0.6),
      row('+40721234567', 'bruno', 0.5),
    ]);
    index.clear('+40721234567'); // cleared on appeal
    expect(seen[1]).toEqual([
      { callerKey: '+355691234567', weight: 0.75 },
      { callerKey: '+40721234567', weight: 0.8 },
    ]);
    expect([...index.counted()]).toEqual([{ callerKey: '+355691234567', weight: 0.75 }]);
    // The appeal told the subscriber at once (the tree lets go of the number now, not at the next pull round).
    expect(seen).toHaveLength(3);
    expect(seen[2]).toEqual([{ callerKey: '+355691234567', weight: 0.75 }]);
    index.clear('+40721234567'); // again: nothing new
    index.clear('+393399999999'); // nobody reports it: nothing to tell
    expect(seen).toHaveLength(3);
  });
});
