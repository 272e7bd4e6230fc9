import { ConfigError, loadConfig } from './config/index.js';
import { createLogger, flushLog } from './log.js';
import { startCrocetta } from './app.js';
import { InstanceLockedError } from './store/instance-lock.js';
import { startFailureText } from './wiring/start-failure.js';

/** Wiring only: load the config once, start, and stop cleanly on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`crocetta: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(config.log.level, undefined, { maxBufferBytes: config.log.maxBufferBytes });
  let app;
  try {
    app = await startCrocetta(config, { logger });
  } catch (err) {
    // The machine's fault, not a bug (the panel's port taken, another crocetta on the same register...): one clear
    // message naming the setting or the file, no stack.
    const text = err instanceof InstanceLockedError ? err.message : startFailureText(err, config, process.env);
    if (text === null) throw err;
    await flushLog(logger);
    process.stderr.write(`crocetta: ${text}\n`);
    process.exit(1);
  }

  // Every line logged reaches stdout before the process ends (the logger writes asynchronously).
  const exit = (code: number): void => {
    void flushLog(logger).then(() => process.exit(code));
  };
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: flushing the register');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    app.stop().then(
      () => {
        logger.info('stopped');
        exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'error while stopping');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`crocetta: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
