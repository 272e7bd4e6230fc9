/**
 * Child process of src/log.test.ts: the service's logger (asynchronous stdout), `rounds` × 200 decision lines logged
 * across turns of the event loop (so that writes are in flight while more lines arrive), then the clean stop of
 * main.ts: flushLog, process.exit. With `stalled` (argv[3]) the parent never reads stdout: the child must exit all
 * the same.
 */
import { createLogger, flushLog } from '../../src/log.js';

const rounds = Number(process.argv[2] ?? 50);
// `stalled`: stdout's reader never reads (the parent's test); a small queue, and a short wait before giving up.
const stalled = process.argv[3] === 'stalled';
const logger = createLogger('info', undefined, stalled ? { maxBufferBytes: 65_536 } : {});
let i = 0;
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < 200; k++) logger.info({ i: i++, reasons: ['marked nuisance by you on 3 Nov'] }, 'decision');
  await new Promise((resolve) => setImmediate(resolve));
}
await flushLog(logger, stalled ? 300 : 2000);
process.exit(0);
