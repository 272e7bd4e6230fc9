import { ConfigError, loadConfig } from './config/index.js';
import { createLogger, flushLog, type Logger } from './log.js';
import { startCrocetta } from './app.js';
import { InstanceLockedError } from './store/instance-lock.js';
import { startFailureText } from './wiring/start-failure.js';

/** An internal error nothing caught stops the service with this status (EX_SOFTWARE), for its supervisor to restart it. */
const INTERNAL_ERROR_EXIT = 70;

/**
 * What an exception nobody caught (or a promise rejected with nobody waiting) does: one fatal line in the log, with
 * the error and its stack, one line on stderr for whoever watches the terminal, then exit with INTERNAL_ERROR_EXIT.
 * Carrying on would leave the process in a state nobody planned for (a half-done write, a call without its answer),
 * so it stops at once, as after a kill -9: the attempts it acknowledged are in the register or its journal (replayed
 * at the next start), and drachtio-server answers new calls 503 until a supervisor (Docker's `restart:`, systemd's
 * `Restart=`) starts it again. What the logger has gathered is written synchronously on exit (log.ts).
 */
function stopOnInternalError(logger: Logger): void {
  let stopping = false;
  const fatal = (err: unknown, origin: string): void => {
    if (stopping) return;
    stopping = true;
    const error = err instanceof Error ? err : new Error(`a non-error was thrown: ${String(err)}`);
    logger.fatal({ err: error, origin }, `crocetta stopped on an internal error: ${error.message}`);
    process.stderr.write(
      `crocetta: stopped on an internal error (${origin}): ${error.message} (the log has its stack)\n`,
    );
    process.exit(INTERNAL_ERROR_EXIT);
  };
  process.on('uncaughtException', (err, origin) => fatal(err, origin));
  process.on('unhandledRejection', (reason) => fatal(reason, 'unhandledRejection'));
}

/** Wiring only: load the config once, start, and stop cleanly on SIGTERM/SIGINT (or at once on an internal error). */
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
  stopOnInternalError(logger);
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
