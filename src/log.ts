import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** How to wait, at shutdown, until every line the service logged has reached stdout. */
const drains = new WeakMap<Logger, () => Promise<void>>();
/** Lines dropped so far because stdout's queue was full (`log.maxBufferBytes`). */
const dropCounts = new WeakMap<Logger, { lines: number }>();
/** Gives up what stdout has not taken yet, so that process.exit does not wait for a stalled reader. */
const abandons = new WeakMap<Logger, () => void>();

/** The most a stalled stdout may hold in memory, by default: 16 MiB, some 30,000 decision lines. */
export const DEFAULT_LOG_BUFFER_BYTES = 16 * 1024 * 1024;

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
 *
 * The queue is bounded (`maxBufferBytes`): when stdout's reader stalls (a pipe to a stopped or slow process), lines
 * that would take the queue past the bound are dropped and counted (`droppedLogLines`, the metric
 * crocetta_log_dropped_total), so memory stays bounded and calls are still answered. Once the queue has drained,
 * one warning line says how many were dropped.
 */
export function createLogger(
  level: string,
  destination?: NodeJS.WritableStream,
  opts: { maxBufferBytes?: number } = {},
): Logger {
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
  const out = pino.destination({ dest: 1, sync: false, maxLength: opts.maxBufferBytes ?? DEFAULT_LOG_BUFFER_BYTES });
  // SonicBoom says when it has nothing left to write ('drain') but not whether it is writing: track it.
  let writing = false;
  let abandoned = false;
  const dropped = { lines: 0 };
  const write = out.write.bind(out);
  out.write = (chunk: string): boolean => {
    if (abandoned) {
      dropped.lines++;
      return true;
    }
    writing = true;
    return write(chunk);
  };
  out.on('drain', () => (writing = false));
  const logger = pino(options, out);
  let unreported = 0;
  out.on('drop', () => {
    dropped.lines++;
    unreported++;
  });
  out.on('drain', () => {
    if (unreported === 0) return;
    logger.warn(
      { dropped: unreported, droppedTotal: dropped.lines },
      "log lines dropped: stdout's reader did not keep up and the log queue was full (log.maxBufferBytes)",
    );
    unreported = 0;
  });
  dropCounts.set(logger, dropped);
  // pino writes what is queued synchronously on exit, which blocks for as long as a stalled reader does; once the
  // stream is destroyed (its queue emptied) pino's exit hook leaves it alone.
  abandons.set(logger, () => {
    if (abandoned) return;
    abandoned = true;
    out.destroy();
  });
  drains.set(logger, () =>
    writing ? new Promise((resolve) => out.once('drain', () => resolve())) : Promise.resolve(),
  );
  return logger;
}

/** Log lines dropped so far because stdout's reader stalled (0 for a logger given its own destination). */
export function droppedLogLines(logger: Logger): number {
  return dropCounts.get(logger)?.lines ?? 0;
}

/**
 * Resolves once every line logged so far has been written (at most `timeoutMs`): call it before process.exit.
 * What stdout has not taken by then (its reader stalled) is given up, and lines logged afterwards are dropped, so
 * that the process can exit. Immediate for a logger given its own destination.
 */
export async function flushLog(logger: Logger, timeoutMs = 2000): Promise<void> {
  const drained = drains.get(logger);
  if (drained === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  const done = await Promise.race([
    drained().then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (!done) abandons.get(logger)?.();
}
