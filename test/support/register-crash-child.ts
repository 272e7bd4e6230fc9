/**
 * Child process for test/integration/register-crash.test.ts: records attempts without end, at most `inFlight`
 * unacknowledged at a time, and prints `o <n>` before offering attempt n and `a <n> <id>` once its record()
 * promise resolved (its batch committed). Node writes to a pipe synchronously on Linux, so a line printed
 * before the kill -9 reaches the parent.
 *
 * Usage: node --import tsx test/support/register-crash-child.ts <file> [inFlight]
 */
import { openRegister } from '../../src/store/index.js';
import { newAttempt } from '../../src/store/test-fixtures.js';

const file = process.argv[2];
const inFlight = Number(process.argv[3] ?? 200);
if (file === undefined) throw new Error('usage: register-crash-child.ts <file> [inFlight]');

const register = await openRegister({ file, lookbackDays: 30, batchWindowMs: 10 });
process.stdout.write('ready\n');

let pending = 0;
let wake: (() => void) | undefined;
for (let n = 0; ; n++) {
  if (pending >= inFlight) await new Promise<void>((resolve) => (wake = resolve));
  process.stdout.write(`o ${n}\n`);
  pending++;
  register.record(newAttempt(`+39333${(1_000_000 + (n % 997)).toString()}`, Date.now(), { callId: `crash-${n}` })).then(
    (id) => {
      process.stdout.write(`a ${n} ${id}\n`);
      pending--;
      wake?.();
      wake = undefined;
    },
    (err: unknown) => {
      process.stderr.write(`record ${n} failed: ${String(err)}\n`);
      process.exit(1);
    },
  );
}
