/**
 * kill -9 in the middle of a stream of attempts loses no acknowledged attempt: every id a record() promise
 * resolved with is in the database after reopening, with its own Call-ID. Unacknowledged attempts may be lost:
 * at most those in flight at the moment of the kill (the batch being committed and the queue behind it). The same
 * holds for attempts that waited in the spool while another process held the database's write lock: once their
 * promise resolved they were written, and they survive the kill like any other.
 *
 * With the attempts journal (the service's register): every attempt the register said was journaled (the moment
 * a call is answered) is in the register after the restart's replay, exactly once, even when the kill came while
 * another process held the write lock and nothing had been committed at all.
 *
 * The same for an attempt's later updates (its outcome, its talk time: what a forwarded call writes once the PBX
 * answered and once it ended): the register journals each, so one given to the register before the kill is in it after
 * the restart, even when it could not be committed, and a second start changes nothing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openRegister } from '../../src/store/index.js';

const IN_FLIGHT = 200;
const KILL_AFTER_ACKS = 3000;
/**
 * Limits on the child, which only keep a stuck child from hanging the suite (what the test checks is what survives
 * the kill, not how fast): its start (node, tsx and the register's open take seconds at load 8-12), then the stream
 * from its `ready` to the kill (3,000 acknowledged attempts take well under a second on a quiet machine).
 */
const START_LIMIT_MS = 90_000;
const RUN_LIMIT_MS = 45_000;

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** A register file in a new temporary folder, removed after the test. */
function newRegisterFile(): string {
  dir = mkdtempSync(join(tmpdir(), 'crocetta-crash-'));
  return join(dir, 'register.sqlite');
}

interface ChildLog {
  offered: Set<number>;
  acked: Map<number, number>; // n → id
  spooled: Set<number>;
  journaled: Set<number>;
  /** Attempts whose outcome and talk time were given to the register (journal-outcomes), by n → id. */
  updated: Map<number, number>;
  unlocked: boolean;
  ready: boolean;
}

type Mode = '' | 'locked' | 'journal' | 'journal-locked' | 'journal-outcomes' | 'journal-joined';

/** Acknowledged attempts that had been held in the spool first. */
function ackedFromSpool(log: ChildLog): number {
  let n = 0;
  for (const k of log.spooled) if (log.acked.has(k)) n++;
  return n;
}

function runAndKill(file: string, mode: Mode = ''): Promise<ChildLog> {
  const args = ['--import', 'tsx', 'test/support/register-crash-child.ts', file, String(IN_FLIGHT), mode];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log: ChildLog = {
    offered: new Set(),
    acked: new Map(),
    spooled: new Set(),
    journaled: new Set(),
    updated: new Map(),
    unlocked: false,
    ready: false,
  };
  let rest = '';
  let stderr = '';
  let killed = false;
  let timer = setTimeout(() => child.kill('SIGKILL'), START_LIMIT_MS);
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      const [tag, n, id] = line.split(' ');
      if (tag === 'o') log.offered.add(Number(n));
      else if (tag === 'a') log.acked.set(Number(n), Number(id));
      else if (tag === 's') log.spooled.add(Number(n));
      else if (tag === 'j') log.journaled.add(Number(n));
      else if (tag === 'u') log.updated.set(Number(n), Number(id));
      else if (tag === 'unlock') log.unlocked = true;
      else if (tag === 'ready' && !log.ready) {
        log.ready = true;
        clearTimeout(timer);
        timer = setTimeout(() => child.kill('SIGKILL'), RUN_LIMIT_MS);
      }
    }
    const spoolDone = mode !== 'locked' || (log.unlocked && ackedFromSpool(log) > 0);
    // Held by a lock that is never released, the child stops at IN_FLIGHT attempts, every one journaled only.
    const enough =
      mode === 'journal-locked'
        ? log.journaled.size >= IN_FLIGHT
        : mode === 'journal-outcomes' || mode === 'journal-joined'
          ? log.updated.size >= IN_FLIGHT
          : log.acked.size >= KILL_AFTER_ACKS;
    if (!killed && enough && spoolDone) {
      killed = true;
      child.kill('SIGKILL');
    }
  });
  return new Promise((resolve, reject) => {
    child.on('close', (_code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && killed) resolve(log);
      else
        reject(
          new Error(
            `child ended with ${signal ?? 'exit'} ${log.ready ? 'after' : 'before'} its ready line, after ${log.acked.size} acks: ${stderr}`,
          ),
        );
    });
  });
}

/** Every attempt in the register after reopening it (with the journal: after its replay), by id. */
async function stored(file: string, journal = false): Promise<Map<number, string>> {
  const register = await openRegister({ file, lookbackDays: 30, journal });
  const rows = await register.attempts({ limit: 1000, since: 0 });
  const byId = new Map<number, string>();
  // Page through everything (newest first).
  for (let page = rows; page.length > 0;) {
    for (const a of page) byId.set(a.id, a.callId);
    const last = page[page.length - 1];
    page = last === undefined ? [] : await register.attempts({ limit: 1000, beforeId: last.id });
  }
  await register.close();
  return byId;
}

it('keeps every acknowledged attempt when the process is killed with SIGKILL mid-stream', async () => {
  const file = newRegisterFile();
  const log = await runAndKill(file);
  expect(log.spooled.size).toBe(0);

  expectAckedKept(log, await stored(file));
}, 180_000);

it('keeps every attempt written from the spool (after a lock held by another process) when killed with SIGKILL', async () => {
  const file = newRegisterFile();
  const log = await runAndKill(file, 'locked');
  expect(log.spooled.size).toBeGreaterThan(0);
  expect(ackedFromSpool(log)).toBeGreaterThan(0);
  console.info(
    `kill -9 after a held lock: ${log.spooled.size} attempts were held in the spool, ${ackedFromSpool(log)} of them acknowledged`,
  );
  expectAckedKept(log, await stored(file));
}, 180_000);

it('keeps every journaled attempt, exactly once, when killed with SIGKILL mid-stream (replayed at the restart)', async () => {
  const file = newRegisterFile();
  const log = await runAndKill(file, 'journal');
  // Every attempt offered was journaled, but those of the last synchronous run (at most IN_FLIGHT): the journal
  // writes a run's lines together in a microtask, and the kill may come before it.
  const notJournaled = log.offered.size - log.journaled.size;
  expect(notJournaled).toBeLessThanOrEqual(IN_FLIGHT);
  const after = await stored(file, true);
  const lost = expectAckedKept(log, after);
  expectJournaledKept(log, after);
  expect(lost).toBeLessThanOrEqual(notJournaled); // only attempts not journaled yet (their calls not yet answered)
}, 180_000);

it('keeps every journaled attempt when killed with SIGKILL while another process held the write lock (nothing committed)', async () => {
  const file = newRegisterFile();
  const log = await runAndKill(file, 'journal-locked');
  expect(log.acked.size).toBe(0);
  expect(log.journaled.size).toBe(IN_FLIGHT);
  expect((await stored(file)).size).toBe(0); // without the replay, the register has none of them
  const after = await stored(file, true);
  expectJournaledKept(log, after);
  expect(after.size).toBe(IN_FLIGHT);
  expect((await stored(file, true)).size).toBe(IN_FLIGHT); // a second start replays nothing more
}, 180_000);

it('keeps every outcome and talk time given to the register when killed with SIGKILL before their commit (replayed)', async () => {
  const file = newRegisterFile();
  const log = await runAndKill(file, 'journal-outcomes');
  expect(log.acked.size).toBe(IN_FLIGHT);
  expect(log.updated.size).toBe(IN_FLIGHT);
  const outcomes = async (journal: boolean) => {
    const register = await openRegister({ file, lookbackDays: 30, journal });
    const rows = await register.attempts({ limit: 1000, since: 0 });
    await register.close();
    return new Map(rows.map((a) => [a.id, a]));
  };
  // Held back by the lock: without the replay, the register has none of them.
  const before = await outcomes(false);
  expect([...before.values()].filter((a) => a.outcome !== 'pending' || a.talkMs != null)).toEqual([]);
  for (const round of [1, 2]) {
    const after = await outcomes(true); // round 2: a second start replays nothing more and changes nothing
    expect(after.size, `round ${round}`).toBe(IN_FLIGHT);
    const wrong = [...log.updated].filter(([n, id]) => {
      const a = after.get(id);
      return (
        a?.callId !== `crash-${n}` ||
        a.outcome !== 'answered' ||
        a.finalStatus !== 200 ||
        a.hungUpBy !== 'caller' ||
        a.talkMs !== 2000 + n
      );
    });
    expect(wrong, `round ${round}`).toEqual([]);
  }
}, 180_000);

it('keeps an outcome and talk time given with the attempt before its commit (joined to its row) when killed with SIGKILL', async () => {
  const file = newRegisterFile();
  const log = await runAndKill(file, 'journal-joined');
  expect(log.updated.size).toBe(IN_FLIGHT);
  for (const round of [1, 2]) {
    const register = await openRegister({ file, lookbackDays: 30, journal: true });
    const rows = await register.attempts({ limit: 1000, since: 0 });
    await register.close();
    const byCallId = new Map(rows.map((a) => [a.callId, a]));
    const wrong = [...log.updated.keys()].filter((n) => {
      const a = byCallId.get(`crash-${n}`);
      return a?.outcome !== 'answered' || a.finalStatus !== 200 || a.talkMs !== 2000 + n;
    });
    expect(wrong, `round ${round}`).toEqual([]);
  }
}, 180_000);

/** Every attempt the child was told was journaled is in the register once, with its own Call-ID. */
function expectJournaledKept(log: ChildLog, stored: Map<number, string>): void {
  const callIds = [...stored.values()];
  expect(new Set(callIds).size).toBe(callIds.length);
  const present = new Set(callIds);
  const missing = [...log.journaled].filter((n) => !present.has(`crash-${n}`));
  expect(missing).toEqual([]);
}

/**
 * The attempts in the register that the parent saw offered, and how many more the child offered after the last line
 * the parent read: a line the child printed while its stdout socket was full waits in the child's memory and dies
 * with it, so the last few attempts offered before the kill may be in the register without their `o` line.
 */
function offeredOnes(log: ChildLog, stored: Map<number, string>): { seen: number; tail: number } {
  let last = -1;
  for (const n of log.offered) last = Math.max(last, n);
  let seen = 0;
  let tail = 0;
  for (const callId of stored.values()) {
    const n = Number(callId.slice('crash-'.length));
    if (log.offered.has(n)) seen++;
    else if (n > last) tail++;
    else throw new Error(`${callId} is in the register but was never offered`);
  }
  return { seen, tail };
}

function expectAckedKept(log: ChildLog, stored: Map<number, string>): number {
  const missing = [...log.acked].filter(([n, id]) => stored.get(id) !== `crash-${n}`);
  expect(missing).toEqual([]);
  const { seen, tail } = offeredOnes(log, stored);

  const lost = log.offered.size - seen;
  const committedUnacked = seen - log.acked.size;
  console.info(
    `kill -9: offered ${log.offered.size}, acknowledged ${log.acked.size}, in the database ${seen} ` +
      `(${committedUnacked} committed but not yet acknowledged, ${tail} more offered after the parent's last line), ` +
      `lost unacknowledged ${lost}`,
  );
  expect(lost).toBeGreaterThanOrEqual(0);
  expect(lost).toBeLessThanOrEqual(IN_FLIGHT);
  return lost;
}
