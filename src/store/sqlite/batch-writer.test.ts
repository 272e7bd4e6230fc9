import { describe, expect, it } from 'vitest';
import { BatchWriter, type BatchWriterOptions } from './batch-writer.js';
import type { AttemptInserter, RowUpdater, RowUpdateWrite, TransactionStatements } from './commit-batch.js';

/** A writer over a fake statement that notes when SQLite is first asked to run (no database needed). */
function writer(): { batches: BatchWriter<object>; runs: string[] } {
  const runs: string[] = [];
  const one = { run: () => (runs.push('run'), Promise.resolve({ lastID: runs.length, changes: 1 })) };
  const inserter = { statement: one, rows: 1 } as unknown as AttemptInserter;
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

/** An update of row `id` that notes `u<id>` in `settled` once committed. */
const update = (id: number, settled: string[]): RowUpdateWrite => ({
  kind: 'update',
  id,
  returned: undefined,
  line: () => JSON.stringify([id]),
  committed: () => settled.push(`u${id}`),
  failed: (err) => {
    throw err;
  },
});

const write = (committed: (id: number) => void) => ({
  kind: 'attempt' as const,
  line: '[]',
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

/** A writer whose statements note each trip: `rows n` for the INSERT of n attempts (its JSON array), `begin`, `commit`. */
function tripWriter(
  rows: number,
  over: Partial<BatchWriterOptions> = {},
): { batches: BatchWriter<object>; trips: string[] } {
  const trips: string[] = [];
  let lastID = 0;
  const stmt = (name: string, changes = 0) => ({
    run: () => (trips.push(name), (lastID += changes), Promise.resolve({ lastID, changes })),
  });
  const tx = { begin: stmt('begin'), commit: stmt('commit'), rollback: stmt('rollback') };
  const insert = {
    run: ([json]: [string]) => {
      const n = (JSON.parse(json) as unknown[]).length;
      trips.push(`rows ${n}`);
      lastID += n;
      return Promise.resolve({ lastID, changes: n });
    },
  };
  const inserter = { statement: insert, rows };
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
      ...over,
    },
  );
  return { batches, trips };
}

describe('a batch of several writes', () => {
  const enqueue = (batches: BatchWriter<object>, n: number): Promise<number[]> =>
    Promise.all(Array.from({ length: n }, () => new Promise<number>((resolve) => batches.enqueue(write(resolve)))));

  it('up to `rows` attempts: one INSERT of exactly that many rows, alone (its own transaction), one trip', async () => {
    const { batches, trips } = tripWriter(4);
    expect(await enqueue(batches, 3)).toEqual([1, 2, 3]);
    expect(trips).toEqual(['rows 3']);
  });

  it('more: one transaction of prepared statements, BEGIN, `rows` per INSERT, the rest in one, COMMIT', async () => {
    const { batches, trips } = tripWriter(2);
    expect(await enqueue(batches, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(trips).toEqual(['begin', 'rows 2', 'rows 2', 'rows 1', 'commit']);
  });
});

describe('deferrable writes (journaled: nobody waits for their commit)', () => {
  const deferWriter = (deferMs: number, deferRows = 4): { batches: BatchWriter<object>; trips: string[] } =>
    tripWriter(8, { deferMs, deferRows });
  const deferred = (committed: (id: number) => void = () => undefined) => ({ ...write(committed), deferrable: true });
  const turns = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
  };

  it('the first is committed at once; the next ones wait for the interval since that commit, then go together', async () => {
    const { batches, trips } = deferWriter(60);
    await new Promise<number>((resolve) => batches.enqueue(deferred(resolve)));
    expect(trips).toEqual(['rows 1']);
    const started = performance.now();
    const next = [1, 2, 3].map(() => new Promise<number>((resolve) => batches.enqueue(deferred(resolve))));
    await turns(5);
    expect(trips).toEqual(['rows 1']); // waiting for the interval
    expect(await Promise.all(next)).toEqual([2, 3, 4]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(40);
    expect(trips).toEqual(['rows 1', 'rows 3']);
  });

  it('a write that may not wait starts the commit at once, with the deferred ones queued before it', async () => {
    const { batches, trips } = deferWriter(60_000);
    await new Promise<number>((resolve) => batches.enqueue(deferred(resolve)));
    const waiting = new Promise<number>((resolve) => batches.enqueue(deferred(resolve)));
    await turns(5);
    expect(trips).toEqual(['rows 1']);
    const urgent = new Promise<number>((resolve) => batches.enqueue(write(resolve)));
    expect(await Promise.all([waiting, urgent])).toEqual([2, 3]);
    expect(trips).toEqual(['rows 1', 'rows 2']);
  });

  it('so do `deferRows` of them, and flush()', async () => {
    const { batches, trips } = deferWriter(60_000, 3);
    await new Promise<number>((resolve) => batches.enqueue(deferred(resolve)));
    const three = [1, 2, 3].map(() => new Promise<number>((resolve) => batches.enqueue(deferred(resolve))));
    expect(await Promise.all(three)).toEqual([2, 3, 4]);
    expect(trips).toEqual(['rows 1', 'rows 3']);
    const one = new Promise<number>((resolve) => batches.enqueue(deferred(resolve)));
    await turns(5);
    expect(trips).toEqual(['rows 1', 'rows 3']);
    await batches.flush();
    expect(await one).toBe(5);
    expect(trips).toEqual(['rows 1', 'rows 3', 'rows 1']);
  });

  it('caughtUp() starts the commit of the deferred ones at once and resolves when it is done (a read sees them)', async () => {
    const { batches, trips } = deferWriter(60_000);
    await new Promise<number>((resolve) => batches.enqueue(deferred(resolve)));
    let id: number | undefined;
    batches.enqueue(deferred((committed) => (id = committed)));
    await turns(5);
    expect(trips).toEqual(['rows 1']); // deferred for a minute
    await batches.caughtUp();
    expect(id).toBe(2);
    expect(trips).toEqual(['rows 1', 'rows 1']);
    await batches.caughtUp(); // nothing queued: at once, no commit
    expect(trips).toEqual(['rows 1', 'rows 1']);
  });

  it('without deferMs, a deferrable write is committed at once like any other', async () => {
    const { batches, trips } = deferWriter(0);
    for (let i = 1; i <= 3; i++)
      expect(await new Promise<number>((resolve) => batches.enqueue(deferred(resolve)))).toBe(i);
    expect(trips).toEqual(['rows 1', 'rows 1', 'rows 1']);
  });
});

describe('row updates (outcome updates): consecutive ones share one statement', () => {
  /** tripWriter with an updater: `update ids` for the UPDATE of a JSON array of rows, giving back those above 0. */
  function updateWriter(rows: number): { batches: BatchWriter<object>; trips: string[] } {
    let trips: string[] = [];
    const updater = {
      statement: {
        all: ([json]: [string]) => {
          const ids = (JSON.parse(json) as number[][]).map((line) => line[0] ?? 0);
          trips.push(`update ${ids.join(',')}`);
          return Promise.resolve(ids.filter((id) => id > 0).map((id) => ({ id, seen: `row ${id}` })));
        },
      },
      rows,
    };
    const writer = tripWriter(10, { updater: updater as unknown as RowUpdater });
    trips = writer.trips; // one list of trips for all the statements
    return writer;
  }

  it('alone in a batch, up to `rows` of them: one UPDATE, no transaction, each given its own row back', async () => {
    const { batches, trips } = updateWriter(3);
    const ops: RowUpdateWrite[] = [];
    const done = [1, 2, -3].map(
      (id) =>
        new Promise((resolve, reject) => {
          const op: RowUpdateWrite = {
            kind: 'update',
            id,
            returned: undefined,
            line: () => JSON.stringify([id]),
            committed: () => resolve(op.returned),
            failed: reject,
          };
          ops.push(op);
          batches.enqueue(op);
        }),
    );
    expect(await Promise.all(done)).toEqual([{ id: 1, seen: 'row 1' }, { id: 2, seen: 'row 2' }, undefined]);
    expect(trips).toEqual(['update 1,2,-3']);
  });

  it('with attempts, in order, inside one transaction; the same row twice never in one statement; `rows` at most', async () => {
    const { batches, trips } = updateWriter(2);
    const settled: string[] = [];
    const op = (id: number): RowUpdateWrite => update(id, settled);
    for (const w of [op(1), op(2), op(3), write(() => settled.push('a')), op(4), op(4), op(5)]) batches.enqueue(w);
    await batches.flush();
    expect(trips).toEqual(['begin', 'update 1,2', 'update 3', 'rows 1', 'update 4', 'update 4,5', 'commit']);
    expect(settled).toEqual(['u1', 'u2', 'u3', 'a', 'u4', 'u4', 'u5']);
  });
});

describe('commitRunsAlone: each run one statement carries is committed alone, the rest right after', () => {
  function runsWriter(
    over: Partial<BatchWriterOptions> = {},
    fail?: () => Error | undefined,
  ): { batches: BatchWriter<object>; trips: string[] } {
    const trips: string[] = [];
    let lastID = 0;
    const stmt = (name: string) => ({ run: () => (trips.push(name), Promise.resolve({ lastID, changes: 0 })) });
    const insert = {
      run: ([json]: [string]) => {
        const n = (JSON.parse(json) as unknown[]).length;
        const err = fail?.();
        trips.push(`rows ${n}${err ? ' failed' : ''}`);
        if (err) return Promise.reject(err);
        lastID += n;
        return Promise.resolve({ lastID, changes: n });
      },
    };
    const updater = {
      statement: {
        all: ([json]: [string]) => {
          const ids = (JSON.parse(json) as number[][]).map((line) => line[0] ?? 0);
          trips.push(`update ${ids.join(',')}`);
          return Promise.resolve(ids.map((id) => ({ id })));
        },
      },
      rows: 2,
    };
    const batches = new BatchWriter(
      { begin: stmt('begin'), commit: stmt('commit'), rollback: stmt('rollback') } as unknown as TransactionStatements,
      { statement: insert, rows: 10 } as unknown as AttemptInserter,
      {},
      {
        maxBatch: 500,
        maxQueued: 100,
        retryMinMs: 10,
        retryMaxMs: 40,
        closeTimeoutMs: 1000,
        logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
        updater: updater as unknown as RowUpdater,
        commitRunsAlone: true,
        ...over,
      },
    );
    return { batches, trips };
  }

  it('updates and attempts queued together: one statement per run, no BEGIN or COMMIT, in order', async () => {
    const { batches, trips } = runsWriter();
    const settled: string[] = [];
    const ops = [update(1, settled), update(2, settled), update(3, settled), write(() => settled.push('a'))];
    for (const w of [...ops, update(4, settled), update(4, settled), update(5, settled)]) batches.enqueue(w);
    await batches.flush();
    expect(trips).toEqual(['update 1,2', 'update 3', 'rows 1', 'update 4', 'update 4,5']);
    expect(settled).toEqual(['u1', 'u2', 'u3', 'a', 'u4', 'u4', 'u5']);
  });

  it('the rest of a batch does not wait for the interval of deferrable writes', async () => {
    const { batches, trips } = runsWriter({ deferMs: 60_000, deferRows: 2 });
    const settled: string[] = [];
    await new Promise<number>((resolve) => batches.enqueue(write(resolve))); // a commit: the next ones wait
    batches.enqueue({ ...update(7, settled), deferrable: true });
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(trips).toEqual(['rows 1']); // deferred: one of deferRows
    // deferRows reached: the commit starts, the update's run first, then the attempt's
    const attempt = new Promise<number>((resolve) =>
      batches.enqueue({ ...write((id) => (settled.push('a'), resolve(id))), deferrable: true }),
    );
    expect(await attempt).toBe(2); // its run came right after, not a minute later
    expect(trips).toEqual(['rows 1', 'update 7', 'rows 1']);
    expect(settled).toEqual(['u7', 'a']);
  });

  it('a run the disk refuses is held with everything after it, in order; the runs before it stay committed', async () => {
    let refuse = 1;
    const full = (): Error | undefined => {
      if (refuse === 0) return undefined;
      refuse--;
      return Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    };
    const { batches, trips } = runsWriter({}, full);
    const settled: string[] = [];
    batches.enqueue(update(1, settled));
    batches.enqueue(write(() => settled.push('a1')));
    batches.enqueue(update(2, settled));
    await batches.flush(); // u1 committed; the INSERT refused: it and u2 are held, the retry commits both
    await batches.close();
    expect(trips).toEqual(['update 1', 'rows 1 failed', 'rows 1', 'update 2']);
    expect(settled).toEqual(['u1', 'a1', 'u2']);
  });
});
