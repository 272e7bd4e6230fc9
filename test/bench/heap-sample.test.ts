import { describe, expect, it } from 'vitest';
import { BEHIND_MS, heapSampleHeading, type HeapSampleRound } from '../../bench/heap-sample.js';

const round = (over: Partial<HeapSampleRound>): HeapSampleRound => ({
  calls: 8000,
  bytes: 8000 * 1518,
  survivors: true,
  scavenges: 23,
  majorGcs: 1,
  lateP99Ms: 2.4,
  lateMaxMs: 6.1,
  ...over,
});

describe('bench/sip-handler --heap-sample heading', () => {
  it('says survivors when it counts survivors, allocations otherwise (session 48 read one for the other)', () => {
    expect(heapSampleHeading(round({}))).toEqual([
      'survived a scavenge or allocated old during 8000 crocetta calls: 1518 bytes a call (23 scavenges, 1 major GCs; ' +
        'calls handed late p99 2.4 ms, at most 6.1 ms)',
    ]);
    expect(heapSampleHeading(round({ survivors: false, bytes: 8000 * 40097 }))[0]).toMatch(
      /^allocated during 8000 crocetta calls: 40097 bytes a call/,
    );
  });

  it('warns when a survivors round fell behind its pace, and only then', () => {
    const behind = heapSampleHeading(round({ bytes: 8000 * 9119, lateP99Ms: BEHIND_MS + 5, lateMaxMs: 40 }));
    expect(behind).toHaveLength(2);
    expect(behind[1]).toContain('the round fell behind its pace (p99 15.0 ms late');
    expect(heapSampleHeading(round({ lateP99Ms: BEHIND_MS - 0.1 }))).toHaveLength(1);
    expect(heapSampleHeading(round({ survivors: false, lateP99Ms: BEHIND_MS + 5 }))).toHaveLength(1);
  });
});
