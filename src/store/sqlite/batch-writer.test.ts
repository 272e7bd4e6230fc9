import { describe, expect, it } from 'vitest';
import { BatchWriter } from './batch-writer.js';
import type { AttemptInserter } from './commit-batch.js';
import type { Connection } from './connection.js';

/** A writer over a fake statement that notes when SQLite is first asked to run (no database needed). */
function writer(): { batches: BatchWriter<object>; runs: string[] } {
  const runs: string[] = [];
  const one = { run: () => (runs.push('run'), Promise.resolve({ lastID: runs.length, changes: 1 })) };
  const inserter = { one, many: one, rows: 50 } as unknown as AttemptInserter;
  const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const batches = new BatchWriter(
    {} as Connection,
    inserter,
    {},
    {
      maxBatch: 500,
      maxQueued: 100,
      retryMinMs: 10,
      retryMaxMs: 40,
      closeTimeoutMs: 100,
      logger: silent,
    },
  );
  return { batches, runs };
}

const write = (committed: (id: number) => void) => ({
  kind: 'attempt' as const,
  params: [],
  committed,
  failed: (err: Error) => {
    throw err;
  },
});

describe('the group commit: when an idle writer starts', () => {
  it('as soon as the current code yields (a microtask), by default', async () => {
    const { batches, runs } = writer();
    batches.enqueue(write(() => undefined));
    expect(runs).toEqual([]); // writes of the same synchronous step share the commit
    await Promise.resolve();
    expect(runs).toEqual(['run']);
  });

  it('afterThisTurn: only once the I/O callbacks of this turn have run (setImmediate), the answer sent first', async () => {
    const { batches, runs } = writer();
    const done = new Promise<number>((resolve) => batches.enqueue(write(resolve), true));
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(runs).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toEqual(['run']);
    expect(await done).toBe(1);
  });
});
