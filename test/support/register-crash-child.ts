/**
 * Child process for test/integration/register-crash.test.ts: records attempts without end, at most `inFlight`
 * unacknowledged at a time, and prints `o <n>` before offering attempt n, `s <n>` when the register says it holds
 * attempt n in its spool (the database refused it), `j <n>` when it says attempt n is in the attempts journal (the
 * moment a call is answered), and `a <n> <id>` once its record() promise resolved (committed). Node writes to a pipe
 * synchronously on Linux, so a line printed before the kill -9 reaches the parent.
 *
 * Modes:
 * - `locked`: after 500 acknowledgements another connection takes the database's write lock for 300 ms (what an
 *   operator's sqlite3 shell or a backup tool does): the register's writes fail with SQLITE_BUSY and go to the
 *   spool, then are written once the lock is released; `lock` and `unlock` are printed.
 * - `journal`: the register journals every attempt (as the service does).
 * - `journal-locked`: the same, with the write lock taken by another connection before the first attempt and never
 *   released: nothing is ever committed, every attempt is only journaled when the kill comes.
 * - `journal-outcomes`: journaled, `inFlight` attempts committed; then another connection takes the write lock for good
 *   and each attempt gets an outcome (answered, 200, the caller hung up) and a talk time (2000 + n ms), as a forwarded call the PBX answered does: none of them can be committed; `u <n> <id>` once all were given,
 *   once the turn that gave them is over (with the update lines gathered, as the service's register: gatherUpdateLines,
 *   written once the turn's microtasks are done; `u` is printed in a setImmediate queued after the last).
 * - `journal-joined`: journaled, the write lock taken by another connection first and never released; each attempt gets
 *   its outcome (answered, 200) and talk time (2000 + n ms) given with record()'s promise once it is journaled, before
 *   any commit was tried (the register joins them to the attempt's row); `u <n> 0` once both were given, after the
 *   gathered lines were written as the service writes them before a message leaves for drachtio-server.
 *
 * Usage: node --import tsx test/support/register-crash-child.ts <file> [inFlight] [locked|journal|journal-locked|journal-outcomes|journal-joined]
 */
import { openRegister } from '../../src/store/index.js';
import { Connection } from '../../src/store/sqlite/connection.js';
import { newAttempt } from '../../src/store/test-fixtures.js';

const file = process.argv[2];
const inFlight = Number(process.argv[3] ?? 200);
const mode = process.argv[4] ?? '';
if (file === undefined) throw new Error('usage: register-crash-child.ts <file> [inFlight] [mode]');
const journal = mode.startsWith('journal');

const register = await openRegister({
  file,
  lookbackDays: 30,
  busyTimeoutMs: 20,
  retryMinMs: 10,
  retryMaxMs: 50,
  journal,
});
process.stdout.write('ready\n');
// As the service's register (sip-app.ts): the update lines of a run written together.
const writeUpdateLines = register.gatherUpdateLines();

let acks = 0;
let lockTaken = false;
async function takeTheLock(): Promise<Connection> {
  const other = await Connection.open(file as string);
  await other.run('BEGIN IMMEDIATE');
  process.stdout.write('lock\n');
  return other;
}
async function holdTheLock(): Promise<void> {
  const other = await takeTheLock();
  await new Promise((resolve) => setTimeout(resolve, 300));
  await other.run('COMMIT');
  await other.close();
  process.stdout.write('unlock\n');
}
// Held until the kill: the connection stays referenced (module scope), or a garbage collection would close it (node-sqlite3
// closes a collected Database), releasing the lock mid-test and letting commits through.
const heldLock = mode === 'journal-locked' || mode === 'journal-joined' ? await takeTheLock() : null;
process.once('beforeExit', () => void heldLock?.close());

if (mode === 'journal-outcomes') {
  const ids = await Promise.all(
    Array.from({ length: inFlight }, (_, n) => {
      process.stdout.write(`o ${n}\n`);
      const attempt = newAttempt(`+39333${(1_000_000 + n).toString()}`, Date.now(), { callId: `crash-${n}` });
      return register.record(attempt, { onJournaled: () => process.stdout.write(`j ${n}\n`) });
    }),
  );
  ids.forEach((id, n) => process.stdout.write(`a ${n} ${id}\n`));
  const lock = await takeTheLock();
  const at = Date.now();
  ids.forEach((id, n) => {
    register.updateOutcome(id, {
      outcome: 'answered',
      finalStatus: 200,
      refused: false,
      at: at + n,
      hungUpBy: 'caller',
    });
    register.recordTalk(id, { talkMs: 2000 + n, answeredAt: at });
  });
  // Once the turn that gave them is over (its update lines written when its microtasks were done).
  setImmediate(() => ids.forEach((id, n) => process.stdout.write(`u ${n} ${id}\n`)));
  // Held until the kill (see heldLock below).
  setInterval(() => void lock, 60_000);
  await new Promise(() => undefined);
}

if (mode === 'journal-joined') {
  const at = Date.now();
  const recorded: Promise<number>[] = [];
  for (let n = 0; n < inFlight; n++) {
    process.stdout.write(`o ${n}\n`);
    const attempt = newAttempt(`+39333${(1_000_000 + n).toString()}`, at, { callId: `crash-${n}` });
    // Once the attempt is journaled (what a call's answer waits for), before any commit is tried (the writer starts
    // in a later phase of the loop): its outcome and talk time, given with its promise, join its row.
    const journaled = (): void => {
      process.stdout.write(`j ${n}\n`);
      const promise = recorded[n] as Promise<number>;
      register.updateOutcome(promise, { outcome: 'answered', finalStatus: 200, refused: false, at: at + n });
      register.recordTalk(promise, { talkMs: 2000 + n, answeredAt: at });
      writeUpdateLines(); // as before a message to drachtio-server leaves
      process.stdout.write(`u ${n} 0\n`);
    };
    recorded.push(register.record(attempt, { onJournaled: journaled }));
    recorded[n]?.catch(() => undefined);
  }
  await new Promise(() => undefined);
}

let pending = 0;
let wake: (() => void) | undefined;
for (let n = 0; ; n++) {
  if (pending >= inFlight) await new Promise<void>((resolve) => (wake = resolve));
  process.stdout.write(`o ${n}\n`);
  pending++;
  const attempt = newAttempt(`+39333${(1_000_000 + (n % 997)).toString()}`, Date.now(), { callId: `crash-${n}` });
  register
    .record(attempt, {
      onSpooled: () => process.stdout.write(`s ${n}\n`),
      onJournaled: () => process.stdout.write(`j ${n}\n`),
    })
    .then(
      (id) => {
        process.stdout.write(`a ${n} ${id}\n`);
        pending--;
        if (mode === 'locked' && !lockTaken && ++acks >= 500) {
          lockTaken = true;
          holdTheLock().catch((err: unknown) => {
            process.stderr.write(`lock failed: ${String(err)}\n`);
            process.exit(1);
          });
        }
        wake?.();
        wake = undefined;
      },
      (err: unknown) => {
        process.stderr.write(`record ${n} failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
}
