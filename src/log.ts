import { writeSync } from 'node:fs';
import { pino, type Logger, type LoggerOptions } from 'pino';
import { tracingChannel } from 'node:diagnostics_channel';

export type { Logger };

/** How to wait, at shutdown, until every line the service logged has reached stdout. */
const drains = new WeakMap<Logger, () => Promise<void>>();
/** Lines dropped so far because stdout's queue was full (`log.maxBufferBytes`). */
const dropCounts = new WeakMap<Logger, { lines: number }>();
/** Gives up what stdout has not taken yet, so that process.exit does not wait for a stalled reader. */
const abandons = new WeakMap<Logger, () => void>();

/** The most a stalled stdout may hold in memory, by default: 16 MiB, some 30,000 decision lines. */
export const DEFAULT_LOG_BUFFER_BYTES = 16 * 1024 * 1024;

/** Lines logged are handed to stdout's writer together, at most this long after the first of them (ms)... */
export const LOG_GATHER_MS = 50;
/** ...or as soon as this many bytes have gathered (some 30 decision lines), whichever comes first. */
export const LOG_GATHER_BYTES = 16 * 1024;

/**
 * The service's logger: JSON lines on stdout. Secrets never reach it: the API, metrics and feed tokens, the drachtio
 * secret, the admin password and the trunk's and the PBX's passwords are redacted in a logged config, a logged
 * request's Authorization and Cookie headers (its session) too (src/log-redact.test.ts sets every credential-named
 * key of the config and looks for each in the lines).
 *
 * Without a destination (the service), lines are written to stdout asynchronously (pino's SonicBoom with
 * `sync: false`): a call's decision line is queued in memory and written by libuv's thread pool, so no call waits
 * for a write(2) (the synchronous write was the largest cost of a call after the decision itself). Lines are first
 * gathered, for at most LOG_GATHER_MS or until LOG_GATHER_BYTES, and handed to SonicBoom as one chunk: each of its
 * writes is a trip to the thread pool (a thread woken, its callback back on the main thread, one more turn of the
 * event loop), which at 100 calls/s, one line a call, cost about as much as pino's making of the line (bench:sip
 * --cpu-prof). Lines that arrive during a write go out together in the next. A clean stop loses none: `flushLog`
 * hands over what is gathered and waits for the last write; on process exit what is gathered is written
 * synchronously (before pino writes what SonicBoom still queues). A kill -9 (or a power cut) may lose the lines not
 * yet written: those of the last LOG_GATHER_MS, more if stdout's reader is slow. The register, not the log, is the
 * record of every attempt: it does not depend on the log.
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
        'config.panel.metricsToken',
        'config.panel.adminPassword',
        'config.feeds.token',
        'config.drachtio.secret',
        'config.trunk.password',
        'config.trunk.accounts[*].password',
        'config.pbx.register.password',
        'req.headers.authorization',
        'req.headers.cookie',
      ],
      censor: '[redacted]',
    },
  };
  if (destination) return pino(options, destination);
  const maxBufferBytes = opts.maxBufferBytes ?? DEFAULT_LOG_BUFFER_BYTES;
  const out = pino.destination({ dest: 1, sync: false, maxLength: maxBufferBytes });
  // SonicBoom says when it has nothing left to write ('drain') but not whether it is writing: track it.
  let writing = false;
  let abandoned = false;
  const dropped = { lines: 0 };
  const write = out.write.bind(out);
  // What is gathered, not yet handed to SonicBoom; a gathering never holds more than a quarter of the bound, so that
  // an empty queue always takes it.
  const gatherBytes = Math.min(LOG_GATHER_BYTES, Math.floor(maxBufferBytes / 4));
  let gathered = '';
  let handOver: NodeJS.Timeout | null = null;
  const handOverNow = (): void => {
    if (handOver !== null) clearTimeout(handOver);
    handOver = null;
    if (gathered === '') return;
    const chunk = gathered;
    gathered = '';
    if (abandoned) {
      dropped.lines += countLines(chunk);
      return;
    }
    writing = true;
    write(chunk);
  };
  const sink = {
    write(line: string): boolean {
      if (abandoned) {
        dropped.lines++;
        return true;
      }
      gathered += line;
      if (gathered.length >= gatherBytes) handOverNow();
      else if (handOver === null) handOver = setTimeout(handOverNow, LOG_GATHER_MS).unref();
      return true;
    },
  };
  out.on('drain', () => (writing = false));
  // On exit (prepended: before pino's hook writes what SonicBoom queues, synchronously), what is gathered goes to
  // SonicBoom's queue when a write is in flight (pino's hook writes it after that queue), else straight to stdout,
  // nothing being ahead of it (handed to SonicBoom, it would become a write on the thread pool, which exit does not
  // wait for).
  process.prependListener('exit', () => {
    if (abandoned || gathered === '') return;
    const chunk = gathered;
    gathered = '';
    if (writing) write(chunk);
    else if (!writeAllSync(1, chunk)) dropped.lines += countLines(chunk);
  });
  const logger = pino(options, sink);
  let unreported = 0;
  out.on('drop', (chunk: unknown) => {
    const lines = typeof chunk === 'string' ? countLines(chunk) : 1;
    dropped.lines += lines;
    unreported += lines;
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
    handOverNow(); // counted as dropped
    out.destroy();
  });
  drains.set(logger, () => {
    handOverNow();
    return writing ? new Promise((resolve) => out.once('drain', () => resolve())) : Promise.resolve();
  });
  return logger;
}

/**
 * Writes all of `chunk` to `fd` synchronously, partial writes continued; a descriptor that does not take it (EAGAIN)
 * is tried again for at most about a second. False when it could not all be written.
 */
function writeAllSync(fd: number, chunk: string): boolean {
  let buf = Buffer.from(chunk, 'utf8');
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let tries = 0; buf.length > 0;) {
    try {
      buf = buf.subarray(writeSync(fd, buf));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || ++tries > 100) return false;
      Atomics.wait(pause, 0, 0, 10);
    }
  }
  return true;
}

function countLines(chunk: string): number {
  let lines = 0;
  for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) lines++;
  return Math.max(lines, 1);
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

/** What infoLine reads of a pino logger: its own pieces of every line (pino.symbols, public). */
interface PinoParts {
  readonly [key: symbol]: unknown;
}

const S = pino.symbols;
/** pino.symbols.msgPrefixSym exists at run time (pino 8.14+) but not in pino's types. */
const MSG_PREFIX = (pino.symbols as unknown as Record<string, symbol>).msgPrefixSym as symbol;
/**
 * What infoLine needs of a logger whose lines it may write itself, read once per logger (a pino logger's pieces are
 * symbol-keyed properties, several hash look-ups each): its level's text, time function, line end and stream, and
 * the field names pino treats apart (serializers, redacted paths' first keys, the error key). null: pino writes them.
 * The bindings are read at each line (setBindings changes them).
 */
interface DirectParts {
  readonly level: string;
  readonly time: () => string;
  readonly end: string;
  readonly stream: { write(line: string): unknown };
  readonly special: readonly string[];
}
const directParts = new WeakMap<Logger, DirectParts | null>();
/** pino's tracing channel around its serializer: with subscribers, pino's own path (they expect its events). */
const asJsonChannel = tracingChannel('pino_asJson');

/**
 * An info line, exactly the JSON line pino writes for `logger.info(fields, msg)` (level, time, the logger's bindings,
 * the fields in their order, msg; a field undefined or a function left out, a number not finite as null), its fields
 * serialized by one JSON.stringify instead of pino's loop over them (each key and value escaped and concatenated
 * apart): for the decision line, one a call, whose making through pino cost p50 4–7 µs and ~3 KB of intermediate
 * strings against 2–3 µs (docs/measurements.md: session 14). For plain values only: strings, finite or not numbers,
 * booleans, null, arrays and plain objects of them (a string with a lone surrogate is written escaped, `\ud800`, where
 * pino writes it raw). pino writes the line itself when the logger has anything that changes lines (a mixin, a log
 * formatter, hooks, a nested key, a message prefix, a redacted or serialized key among the fields) or a destination
 * that wants each line's metadata (pino.multistream).
 */
export function infoLine(logger: Logger, fields: Record<string, unknown>, msg: string): void {
  if (!logger.isLevelEnabled('info')) return;
  let direct = directParts.get(logger);
  if (direct === undefined) {
    direct = directPartsOf(logger as unknown as PinoParts);
    directParts.set(logger, direct);
  }
  if (direct !== null && !asJsonChannel.hasSubscribers) {
    let plain = true;
    for (const key of direct.special) if (key in fields) plain = false;
    if (plain) {
      let json: string;
      try {
        json = JSON.stringify(fields);
      } catch {
        // A value JSON.stringify refuses (a BigInt, a cycle): pino's own serializer writes the line.
        logger.info(fields, msg);
        return;
      }
      const chindings = (logger as unknown as PinoParts)[S.chindingsSym] as string;
      const props = json.length > 2 ? `,${json.slice(1, -1)}` : '';
      const line = `${direct.level}${direct.time()}${chindings}${props},"msg":${JSON.stringify(msg)}${direct.end}`;
      direct.stream.write(line);
      return;
    }
  }
  logger.info(fields, msg);
}

/** The logger's DirectParts, or null when pino must write its lines (canWriteDirect). */
function directPartsOf(parts: PinoParts): DirectParts | null {
  if (!canWriteDirect(parts)) return null;
  const serializers = parts[S.serializersSym] as Record<string, unknown>;
  const stringifiers = parts[S.stringifiersSym] as Record<string, unknown>;
  // The names for which the loop over the fields pino's path took (`serializers[key] !== undefined ||
  // stringifiers[key] !== undefined || key === errorKey`) sent a line to pino: both objects have no prototype, so
  // these are their own enumerable string keys with a value.
  const special = new Set<string>();
  for (const key in serializers) if (serializers[key] !== undefined) special.add(key);
  for (const key in stringifiers) if (stringifiers[key] !== undefined) special.add(key);
  const errorKey = parts[S.errorKeySym];
  if (typeof errorKey === 'string') special.add(errorKey);
  return {
    level: (parts[S.lsCacheSym] as Record<number, string>)[30] as string,
    time: parts[S.timeSym] as () => string,
    end: parts[S.endSym] as string,
    stream: parts[S.streamSym] as { write(line: string): unknown },
    special: [...special],
  };
}

function canWriteDirect(parts: PinoParts): boolean {
  const formatters = parts[S.formattersSym] as { log?: unknown };
  const hooks = parts[S.hooksSym] as { logMethod?: unknown; streamWrite?: unknown };
  const stream = parts[S.streamSym] as Record<symbol, unknown> | undefined;
  const stringifiers = parts[S.stringifiersSym] as Record<symbol, unknown>;
  return (
    parts[S.mixinSym] === undefined &&
    formatters.log === undefined &&
    hooks.logMethod === undefined &&
    hooks.streamWrite === undefined &&
    parts[S.nestedKeySym] === null &&
    parts[MSG_PREFIX] === undefined &&
    parts[S.messageKeySym] === 'msg' &&
    stringifiers[S.wildcardFirstSym] === undefined &&
    typeof (parts[S.lsCacheSym] as Record<number, unknown>)[30] === 'string' &&
    stream !== undefined &&
    stream[S.needsMetadataGsym] !== true
  );
}
