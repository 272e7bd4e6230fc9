import { describe, expect, it } from 'vitest';
import { BatchWriter } from './batch-writer.js';
import type { AttemptInserter, TransactionStatements } from './commit-batch.js';

/** A writer over a fake statement that notes when SQLite is first asked to run (no database needed). */
function writer(): { batches: BatchWriter<object>; runs: string[] } {
  const runs: string[] = [];
  const one = { run: () => (runs.push('run'), Promise.resolve({ lastID: runs.length, changes: 1 })) };
  const inserter = { one, many: one, rows: 50 } as unknown as AttemptInserter;
  const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const batches = new BatchWriter(
    {} as TransactionStatements,
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

describe('a batch of several writes', () => {
  it('runs in one transaction of prepared statements: BEGIN, the INSERTs, COMMIT, one trip each', async () => {
    const trips: string[] = [];
    const stmt = (name: string) => ({
      run: () => (trips.push(name), Promise.resolve({ lastID: trips.length, changes: name === 'many' ? 2 : 1 })),
    });
    const tx = { begin: stmt('begin'), commit: stmt('commit'), rollback: stmt('rollback') };
    const inserter = { one: stmt('one'), many: stmt('many'), rows: 2 };
    const batches = new BatchWriter(
      tx as unknown as TransactionStatements,
      inserter as unknown as AttemptInserter,
      {},
      {
        maxBatch: 500,
        maxQueued: 100,
        retryMinMs: 10,
        retryMaxMs: 40,
        closeTimeoutMs: 100,
        logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      },
    );
    const ids = Array.from({ length: 3 }, () => new Promise<number>((resolve) => batches.enqueue(write(resolve))));
    await Promise.all(ids);
    expect(trips).toEqual(['begin', 'many', 'one', 'commit']);
  });
});
