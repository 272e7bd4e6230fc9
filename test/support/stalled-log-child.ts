/**
 * Child process of test/integration/stalled-log.test.ts: the service as main.ts starts it (configuration loaded
 * from the defaults, CROCETTA_CONFIG and the environment; the service's logger, asynchronous to stdout, bounded by
 * `log.maxBufferBytes`), against the parent's drachtio double. Tells the parent its panel port over IPC (stdout is
 * the pipe under test), and stops cleanly when asked.
 */
import { startCrocetta } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger, flushLog } from '../../src/log.js';

const config = loadConfig();
const logger = createLogger(config.log.level, undefined, { maxBufferBytes: config.log.maxBufferBytes });
const app = await startCrocetta(config, { logger, defaultMetrics: false });
process.send?.({ httpPort: app.httpPort });
process.on('message', (message) => {
  if (message !== 'stop') return;
  void app
    .stop()
    .then(() => flushLog(logger))
    .then(() => process.exit(0));
});
