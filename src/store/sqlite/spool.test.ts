/**
 * The spool: writes the disk refuses are held in memory, in order, and written once it accepts them again.
 * The full disk is real SQLITE_FULL: SQLite's `max_page_count` on the writer connection stops the file growing,
 * and raising it is "freeing space". SQLITE_BUSY is another connection holding the write lock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegisterClosedError, RegisterQueueFullError, type SpoolEvent } from './batch-writer.js';
import type { StoreLogger } from '../logger.js';
import {
  openRegister,
  RegisterUnavailableError,
  type OpenRegisterOptions,
  type OpenedRegister,
} from '../register/register.js';
import { Connection } from './connection.js';
import { newAttempt } from '../test-fixtures.js';
import { tempDir, type TempDir } from '../test-tmp.js';

const CALLER = '+393331234567';
const now = Date.now();

let dir: TempDir;
let register: OpenedRegister | undefined;
let events: SpoolEvent[];
let logs: string[];

const logger: StoreLogger = {
  info: (_o, msg) => logs.push(`info: ${msg}`),
  warn: (_o, msg) => logs.push(`warn: ${msg}`),
  error: (_o, msg) => logs.push(`error: ${msg}`),
};

async function openWith(over: Partial<OpenRegisterOptions> = {}): Promise<OpenedRegister> {
  register = await openRegister({
    file: dir.file('register.sqlite'),
    lookbackDays: 30,
    logger,
    retryMinMs: 10,
    retryMaxMs: 40,
    onSpool: (e) => events.push(e),
    ...over,
  });
  return register;
}

function writerOf(r: OpenedRegister): Connection {
  return (r as unknown as { writer: Connection }).writer;
}

/** Stops the database file from growing: the next write that needs a new page fails with SQLITE_FULL. */
async function fillDisk(r: OpenedRegister): Promise<void> {
  const w = writerOf(r);
  const pages = await w.get<{ page_count: number }>('PRAGMA page_count');
  await w.exec(`PRAGMA max_page_count = ${pages?.page_count ?? 1}`);
}

async function freeDisk(r: OpenedRegister): Promise<void> {
  await writerOf(r).exec('PRAGMA max_page_count = 1073741823');
}

/** Records attempts until the disk refuses one (the first ones may still fit in the file's last pages). */
async function recordUntilHeld(
  r: OpenedRegister,
  first: number,
): Promise<{ committed: number[]; held: Promise<number>[] }> {
  const committed: number[] = [];
  for (let n = first; ; n++) {
    let spooled = false;
    const p = r.record(
      newAttempt(CALLER, now + n, {
        callId: `n-${n}`,
        reasons: [{ code: 'prefix-rule', text: 'y'.repeat(2000), weight: 0 }],
      }),
      {
        onSpooled: () => (spooled = true),
      },
    );
    const outcome = await Promise.race([p, new Promise<'held'>((resolve) => setTimeout(() => resolve('held'), 200))]);
    if (outcome !== 'held') {
      committed.push(outcome);
      continue;
    }
    expect(spooled).toBe(true);
    return { committed, held: [p] };
  }
}

function sum(type: SpoolEvent['type']): number {
  return events.filter((e) => e.type === type).reduce((s, e) => s + e.writes, 0);
}

beforeEach(() => {
  dir = tempDir();
  events = [];
  logs = [];
});
afterEach(async () => {
  if (register !== undefined) await freeDisk(register).catch(() => undefined);
  await register?.close().catch(() => undefined);
  register = undefined;
  dir.remove();
});

describe('the spool, on a full disk (SQLITE_FULL)', () => {
  it('holds the attempts and outcome updates in order, says so at once, and writes them all once space is freed', async () => {
    const r = await openWith();
    const before = await r.record(newAttempt(CALLER, now - 1, { callId: 'before' }));
    await fillDisk(r);
    const { committed, held } = await recordUntilHeld(r, 0);
    expect(r.ready).toBe(false);

    // More calls while the disk is full: each is told at once that it is only held (a call must not wait).
    const told: number[] = [];
    r.updateOutcome(before, { outcome: 'declined', finalStatus: 603, refused: true, at: now + 500 });
    for (let i = 0; i < 20; i++) {
      held.push(
        r.record(newAttempt(CALLER, now + 1000 + i, { callId: `full-${i}` }), { onSpooled: () => told.push(i) }),
      );
    }
    expect(told).toHaveLength(20);
    expect(r.spooled).toBe(22);
    await expect(
      r.mark('+390299999999', { label: 'nuisance', company: null, category: null, at: now, by: 'api' }),
    ).rejects.toBeInstanceOf(RegisterUnavailableError);
    expect(r.evidenceFor('+390299999999').mark).toBeNull(); // a refused mark changes nothing
    await r.flush(); // one retry now: still full, nothing written, nothing lost
    expect(r.spooled).toBe(22);

    await freeDisk(r);
    const ids = await Promise.all(held); // the retry timer writes them
    expect(ids).toEqual([...ids].sort((a, b) => a - b)); // in the order they came
    expect(r.ready).toBe(true);
    expect(r.spooled).toBe(0);

    const rows = await r.attempts({ limit: 1000 });
    const callIds = rows.map((a) => a.callId).reverse();
    expect(callIds).toEqual([
      'before',
      ...committed.map((_, n) => `n-${n}`),
      `n-${committed.length}`,
      ...told.map((i) => `full-${i}`),
    ]);
    expect(rows.find((a) => a.id === before)).toMatchObject({ outcome: 'declined', finalStatus: 603 });
    // Counted once in the index, however many times the write was tried.
    expect(r.evidenceFor(CALLER).attempts).toHaveLength(1 + committed.length + 21);
    expect(r.evidenceFor(CALLER).refusals).toEqual([now + 500]);
    expect({ held: sum('held'), written: sum('written'), lost: sum('lost') }).toEqual({
      held: 22,
      written: 22,
      lost: 0,
    });
    expect(events.at(-1)?.heldNow).toBe(0);
    expect(logs.filter((l) => l.startsWith('error:'))).toEqual([
      'error: register cannot write: writes are held in memory (spool) and retried until the disk accepts them',
    ]);
    expect(logs).toContain('info: register writes again: the held writes are being written in order');
  });

  it('caughtUp() resolves at once while the disk is full: a panel read neither waits for the disk nor forces a retry', async () => {
    let batches = 0;
    const r = await openWith({ retryMinMs: 60_000, retryMaxMs: 60_000, onBatch: () => batches++ });
    await fillDisk(r);
    const { held } = await recordUntilHeld(r, 0);
    const tried = batches;
    await r.caughtUp(); // would wait a minute for the retry timer if it waited for the held writes
    expect(batches).toBe(tried);
    expect(r.spooled).toBe(1);
    await freeDisk(r);
    await r.flush();
    await Promise.all(held);
    expect(r.spooled).toBe(0);
  });

  it('refuses new writes beyond spoolMaxWrites at once, counts them as lost overflow, and writes the ones it held', async () => {
    const r = await openWith({ spoolMaxWrites: 5 });
    await fillDisk(r);
    const { held } = await recordUntilHeld(r, 0);
    const calls = r.evidenceFor(CALLER).attempts.length;
    const more = Array.from({ length: 7 }, (_, i) =>
      r.record(newAttempt(CALLER, now + 100 + i, { callId: `more-${i}` })),
    );
    const settled = await Promise.allSettled(more.slice(4));
    for (const s of settled)
      expect(s).toMatchObject({ status: 'rejected', reason: expect.any(RegisterQueueFullError) as unknown });
    expect(r.spooled).toBe(5);
    expect(events.filter((e) => e.type === 'lost')).toEqual([
      { type: 'lost', reason: 'overflow', writes: 1, heldNow: 5 },
      { type: 'lost', reason: 'overflow', writes: 1, heldNow: 5 },
      { type: 'lost', reason: 'overflow', writes: 1, heldNow: 5 },
    ]);
    expect(logs).toContain(
      'error: register write queue full (store.spoolMaxWrites): new writes are lost until the disk catches up',
    );
    // The index still counts every call that happened, written or not.
    expect(r.evidenceFor(CALLER).attempts).toHaveLength(calls + 7);

    await freeDisk(r);
    await Promise.all([...held, ...more.slice(0, 4)]);
    const rows = await r.attempts({ limit: 100 });
    expect(rows.map((a) => a.callId).filter((c) => c.startsWith('more-'))).toEqual([
      'more-3',
      'more-2',
      'more-1',
      'more-0',
    ]);
    expect(sum('written')).toBe(5);
  });

  it('on close keeps trying for closeTimeoutMs, then gives up what the disk still refuses, counted and logged', async () => {
    const r = await openWith({ closeTimeoutMs: 150 });
    await fillDisk(r);
    const { held } = await recordUntilHeld(r, 0);
    held.push(r.record(newAttempt(CALLER, now + 50)));
    const outcomes = Promise.allSettled(held);
    await r.close();
    for (const o of await outcomes)
      expect(o).toMatchObject({ status: 'rejected', reason: expect.any(RegisterClosedError) as unknown });
    expect(events.filter((e) => e.type === 'lost').map((e) => (e.type === 'lost' ? e.reason : ''))).toEqual([
      'shutdown',
      'shutdown',
    ]);
    expect(logs).toContain('error: register closed with writes the disk still refused: they are lost');
    register = undefined;
  });

  it('on close writes what it held when the disk accepts again within closeTimeoutMs', async () => {
    const r = await openWith({ closeTimeoutMs: 10_000 });
    await fillDisk(r);
    const { committed, held } = await recordUntilHeld(r, 0);
    const closing = r.close();
    setTimeout(() => void freeDisk(r), 50);
    await closing;
    await expect(Promise.all(held)).resolves.toHaveLength(1);
    register = undefined;
    const again = await openWith();
    const [last] = await again.attempts({ limit: 1 });
    expect(last?.callId).toBe(`n-${committed.length}`);
  });
});

describe('the spool, on a locked database (SQLITE_BUSY past the busy timeout)', () => {
  it('holds the writes while another process keeps the write lock, then writes them', async () => {
    const r = await openWith({ busyTimeoutMs: 20 });
    const other = await Connection.open(dir.file('register.sqlite'));
    await other.run('BEGIN IMMEDIATE');
    let spooled = false;
    const held = r.record(newAttempt(CALLER, now), { onSpooled: () => (spooled = true) });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(spooled).toBe(true);
    expect(r.ready).toBe(false);
    await other.run('COMMIT');
    await other.close();
    await expect(held).resolves.toBeGreaterThan(0);
    expect(r.ready).toBe(true);
  });
});
