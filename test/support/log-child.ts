/**
 * Child process of src/log.test.ts: the service's logger (asynchronous stdout), `rounds` × 200 decision lines logged
 * across turns of the event loop (so that writes are in flight while more lines arrive), then the clean stop of
 * main.ts: flushLog, process.exit.
 */
import { createLogger, flushLog } from '../../src/log.js';

const rounds = Number(process.argv[2] ?? 50);
const logger = createLogger('info');
let i = 0;
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < 200; k++) logger.info({ i: i++, reasons: ['marked nuisance by you on 3 Nov'] }, 'decision');
  await new Promise((resolve) => setImmediate(resolve));
}
await flushLog(logger);
process.exit(0);
