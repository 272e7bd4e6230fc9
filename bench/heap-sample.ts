/**
 * The heading of bench/sip-handler.ts `--heap-sample`: what its sum counts and whether the round kept its pace.
 *
 * With `--survivors` the sum is what survived a scavenge (or was allocated old), not what was allocated. It depends on
 * how many calls are in flight when each scavenge runs: a round that falls behind its pace (a loaded machine: the
 * ticks come late, a call's requests wait, its rows wait longer for their commit) keeps more of every call alive at
 * each scavenge. On 7 Dec 2026 (proxied, --cdr --dist --carrier, 800/s, 8,000 calls) the same tree read 1,518 B a call
 * at load ~1.5 and 9,119 B with six busy loops beside it (load ~5), against 40,097 B allocated: session 48's
 * "~12 KB, every allocation" (load 6–11) was survivors at that load, read as allocations.
 */

/** Calls handed to the handler this many ms or more after they were due (p99): the round did not keep its pace. */
export const BEHIND_MS = 10;

export interface HeapSampleRound {
  calls: number;
  /** Bytes the profile holds (its nodes' selfSize summed). */
  bytes: number;
  survivors: boolean;
  scavenges: number;
  majorGcs: number;
  /** How late the round's calls were handed to the handler after their due time, ms: p99 and the largest. */
  lateP99Ms: number;
  lateMaxMs: number;
}

/** The heading line, and a warning line when a survivors' reading came from a round that fell behind its pace. */
export function heapSampleHeading(r: HeapSampleRound): string[] {
  const what = r.survivors ? 'survived a scavenge or allocated old' : 'allocated';
  const lines = [
    `${what} during ${r.calls} crocetta calls: ${(r.bytes / r.calls).toFixed(0)} bytes a call (${r.scavenges} scavenges, ` +
      `${r.majorGcs} major GCs; calls handed late p99 ${r.lateP99Ms.toFixed(1)} ms, at most ${r.lateMaxMs.toFixed(1)} ms)`,
  ];
  if (r.survivors && r.lateP99Ms >= BEHIND_MS)
    lines.push(
      `  the round fell behind its pace (p99 ${r.lateP99Ms.toFixed(1)} ms late ≥ ${BEHIND_MS} ms): more of each call was ` +
        'in flight at each scavenge, so more survived; compare survivors only from rounds that kept their pace',
    );
  return lines;
}
