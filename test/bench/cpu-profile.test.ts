import { describe, expect, it } from 'vitest';
import { busiestWindow, moduleOf, summarize } from '../../bench/cpu-profile.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0 });

/**
 * root → handler (src/sip/handle-request) → info (pino) → write (native); root → (idle); root → (garbage collector).
 * Samples, one every 100 µs: `pattern` gives each sample's node.
 */
function profile(pattern: number[]) {
  return {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 5, 6] },
      { id: 2, callFrame: frame('handler', 'file:///repo/dist/src/sip/handle-request.js', 9), children: [3] },
      { id: 3, callFrame: frame('info', 'file:///repo/node_modules/pino/lib/proto.js', 4), children: [4] },
      { id: 4, callFrame: frame('writeString'), children: [] },
      { id: 5, callFrame: frame('(idle)'), children: [] },
      { id: 6, callFrame: frame('(garbage collector)'), children: [] },
    ],
    startTime: 0,
    endTime: pattern.length * 100,
    samples: pattern,
    timeDeltas: pattern.map(() => 100),
  };
}

describe('bench cpu-profile summary', () => {
  it('names a frame by package, repository file or pseudo-frame', () => {
    expect(moduleOf(frame('x', 'file:///a/node_modules/@scope/pkg/lib/x.js'))).toBe('@scope/pkg');
    expect(moduleOf(frame('x', 'file:///a/node_modules/pino/lib/x.js'))).toBe('pino');
    expect(moduleOf(frame('x', 'file:///repo/dist/src/sip/screen.js'))).toBe('src/sip/screen');
    expect(moduleOf(frame('x', 'node:internal/streams/readable'))).toBe('node:internal/streams');
    expect(moduleOf(frame('(garbage collector)'))).toBe('(garbage collector)');
    expect(moduleOf(frame('writeString'))).toBe('(native)');
  });

  it('sums self and inclusive time, idle apart, each module once per sample', () => {
    // 4 samples in the native write under pino under the handler, 2 in the handler itself, 1 GC, 3 idle.
    const s = summarize(profile([4, 4, 4, 4, 2, 2, 6, 5, 5, 5]), { window: 0 });
    expect(s.totalUs).toBe(1000);
    expect(s.idleUs).toBe(300);
    expect(s.busyUs).toBe(700);
    expect(s.selfByModule.get('(native)')).toBe(400);
    expect(s.selfByModule.get('src/sip/handle-request')).toBe(200);
    expect(s.inclusiveByModule.get('src/sip/handle-request')).toBe(600);
    expect(s.inclusiveByModule.get('pino')).toBe(400);
    expect(s.inclusiveByFunction.get('handler src/sip/handle-request:10')).toBe(600);
    expect(s.selfByFunction.get('(garbage collector)')).toBe(100);
  });

  it('finds the busiest stretch and counts only the samples inside it', () => {
    // 0.5 s idle, 0.3 s busy, 0.2 s idle: the busiest 0.3 s is 0.5–0.8 s.
    const pattern = [
      ...new Array<number>(5000).fill(5),
      ...new Array<number>(3000).fill(2),
      ...new Array<number>(2000).fill(5),
    ];
    const p = profile(pattern);
    const idle = new Set([5]);
    expect(busiestWindow(p, 0.3, idle)).toEqual([500_000, 800_000]);
    const s = summarize(p, { window: 0.3 });
    expect(s.busyUs).toBe(300_000);
    expect(s.idleUs).toBe(0);
  });

  it('lists the call paths that lead to a function', () => {
    const s = summarize(profile([4, 4, 3, 2]), { window: 0, callers: 'writeString', depth: 3 });
    expect([...s.callers.entries()]).toEqual([['writeString ← info pino:5 ← handler src/sip/handle-request:10', 200]]);
  });
});
