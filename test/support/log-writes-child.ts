/**
 * Child process of src/log.test.ts: counts the writes the service's logger makes to stdout (SonicBoom's `fs.write`,
 * looked up on the fs module at each call) while `lines` decision lines are logged 2 ms apart, as calls at a steady
 * rate log them (each write done before the next line comes), then stops cleanly (flushLog) and prints the count and
 * the time the lines took on stderr. With `exit` (argv[3]) it exits right after the last line, without flushLog: what
 * is gathered must still reach stdout.
 */
import fs from 'node:fs';
import { createLogger, flushLog } from '../../src/log.js';

const lines = Number(process.argv[2] ?? 50);
let writes = 0;
const write = fs.write;
fs.write = ((...args: Parameters<typeof fs.write>) => {
  writes++;
  return (write as (...a: unknown[]) => void)(...args);
}) as typeof fs.write;
const logger = createLogger('info');
const started = performance.now();
for (let i = 0; i < lines; i++) {
  logger.info({ i, reasons: ['marked nuisance by you on 3 Nov'] }, 'decision');
  if (i < lines - 1) await new Promise((resolve) => setTimeout(resolve, 2));
}
const ms = performance.now() - started;
if (process.argv[3] === 'exit') process.exit(0);
await flushLog(logger);
process.stderr.write(`writes ${writes} ms ${ms.toFixed(1)}\n`);
process.exit(0);
