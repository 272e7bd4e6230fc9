import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** How to wait, at shutdown, until every line the service logged has reached stdout. */
const drains = new WeakMap<Logger, () => Promise<void>>();

/**
 * The service's logger: JSON lines on stdout. Secrets never reach it: the API token, the drachtio secret and
 * the admin password are redacted wherever they appear in a logged object.
 *
 * Without a destination (the service), lines are written to stdout asynchronously (pino's SonicBoom with
 * `sync: false`): a call's decision line is queued in memory and written by libuv's thread pool, so no call waits
 * for a write(2) (the synchronous write was the largest cost of a call after the decision itself). Lines that
 * arrive during a write go out together in the next. A clean stop loses none: `flushLog` waits for the last write,
 * and pino writes anything still queued synchronously on process exit. A kill -9 (or a power cut) may lose the
 * lines not yet written: those of the last few milliseconds, more if stdout's reader is slow. The register, not the
 * log, is the record of every attempt: it does not depend on the log.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { app: 'crocetta' },
    redact: {
      paths: [
        'config.panel.apiToken',
        'config.panel.adminPassword',
        'config.drachtio.secret',
        'config.trunk.password',
        'config.pbx.register.password',
        'req.headers.authorization',
      ],
      censor: '[redacted]',
    },
  };
  if (destination) return pino(options, destination);
  const out = pino.destination({ dest: 1, sync: false });
  // SonicBoom says when it has nothing left to write ('drain') but not whether it is writing: track it.
  let writing = false;
  const write = out.write.bind(out);
  out.write = (chunk: string): boolean => {
    writing = true;
    return write(chunk);
  };
  out.on('drain', () => (writing = false));
  const logger = pino(options, out);
  drains.set(logger, () =>
    writing ? new Promise((resolve) => out.once('drain', () => resolve())) : Promise.resolve(),
  );
  return logger;
}

/**
 * Resolves once every line logged so far has been written (at most `timeoutMs`): call it before process.exit.
 * Immediate for a logger given its own destination.
 */
export async function flushLog(logger: Logger, timeoutMs = 2000): Promise<void> {
  const drained = drains.get(logger);
  if (drained === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([drained(), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}
