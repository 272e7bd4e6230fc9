/**
 * The attempts' write-ahead journal: what lets a call be answered before its attempt is committed to SQLite without
 * weakening what the register promises.
 *
 * `appendGrouped` writes the attempt's row as one line to an append-only file beside the database, with the lines of
 * every attempt recorded in the same synchronous run, one synchronous write() on the main thread for all of them in
 * a microtask (no trip to node-sqlite3's thread pool; a write() costs 5–10 µs here in a loop whatever the number of
 * lines, 25–45 µs p50 for a lone call's on cold caches, one call every ~10 ms: `npm run bench:register -- --idle`);
 * `append` writes one line at once (updates of attempts, tests), `appendSoon` an update's line with the rest of its
 * turn (the service's: Register.gatherUpdateLines). Once write() returned, the bytes
 * are in the kernel's page cache: they survive kill -9 of crocetta, exactly as a WAL commit under
 * synchronous=NORMAL does, and, like it, not a power cut. The batch writer then commits the row as before; each
 * committed row is `settle`d here.
 *
 * Segments: `<database>.journal.<n>`, each a header line (the columns, by name) and one JSON array per row, or one
 * JSON object per update of a row already committed (its outcome, its talk time: `updateLine`). A
 * segment past `segmentBytes` is closed and the next one opened; a closed segment whose every row is settled is
 * deleted. So the journal never holds much more than the rows not yet committed plus one segment. At start, before
 * any call, the rows of the segments left over are replayed into the register (replay-journal.ts: a row already
 * there, by id, is skipped), then those segments are deleted.
 *
 * A write that fails (disk full, I/O error) turns the journal off for `retryAfterMs`: `append` returns null and the
 * caller waits for the commit as it would without a journal; logged once, counted (`onFailure`). The next attempt
 * starts a new segment, so a line cut short by the failure stays the last line of its segment, skipped at replay.
 */
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, unlink, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { SqlValue } from '../sqlite/connection.js';
import type { StoreLogger } from '../logger.js';

export interface JournalOptions {
  /** The register's database file: segments are written beside it. */
  databaseFile: string;
  /** The row's columns, by name, in the order `append` is given their values; the first is `journal_key`. */
  columns: readonly string[];
  /** A segment is closed and a new one begun once it holds this many bytes. @defaultValue 1 MiB */
  segmentBytes?: number;
  /** After a failed write, how long the journal stays off before it tries again. @defaultValue 30000 */
  retryAfterMs?: number;
  logger: StoreLogger;
  /** A write failed and the journal went off (metrics). */
  onFailure?: (err: Error) => void;
}

/** A segment being written or waiting for its rows to be settled. */
export interface Segment {
  readonly path: string;
  fd: number | null;
  bytes: number;
  /** Rows appended and not yet settled. */
  pending: number;
}

/**
 * An update of a journaled attempt (its outcome, its talk time), a line of its own: `{"update":kind,"params":[…]}`,
 * the parameters of rows.ts' REPLAY_<kind>_BY_* statements (the attempt's id and its journal key among them).
 */
export interface JournaledUpdate {
  kind: 'outcome' | 'talk';
  params: SqlValue[];
}

/** How many parameters each kind of update carries. */
export const UPDATE_WIDTH: Readonly<Record<JournaledUpdate['kind'], number>> = { outcome: 11, talk: 3 };

/** The journal line of an update (written with `append`, settled as a row is). */
export function updateLine(update: JournaledUpdate): string {
  return JSON.stringify({ update: update.kind, params: update.params });
}

/** The rows a previous run left in one segment, for replay. */
export interface LeftoverSegment {
  path: string;
  /** The columns named by the segment's header; null when the header cannot be read (nothing in it is replayed). */
  columns: string[] | null;
  rows: SqlValue[][];
  /** Updates of attempts, in the order they were written. */
  updates: JournaledUpdate[];
  /** Lines that could not be read (a line cut short by kill -9 or a power cut: the last one). */
  unreadable: number;
}

/**
 * A settled promise: `then` on it queues the group's write as a plain microtask. queueMicrotask wraps each one in an
 * AsyncResource (made, entered and destroyed around the callback), ~10 µs a call at 100 calls/s, on the way to the
 * answer; the order is the same (V8's one microtask queue, first in first out).
 */
const RESOLVED = Promise.resolve();

/** What waits for a line given to `appendGrouped`: told its segment once the group is written (null: it failed). */
export interface JournalWaiter {
  journaled(segment: Segment | null): void;
}

/** `out`'s size: some 100 attempts' lines. */
const OUT_BYTES = 64 * 1024;
/** `out` grown past this for a burst is dropped after its write. */
const OUT_KEPT_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

const HEADER_KIND = 'crocetta attempts journal';
/** The first column: the row's unique key, by which a replay finds it in the register. */
export const KEY_COLUMN = 'journal_key';

export class AttemptJournal {
  private current: Segment | null = null;
  private next: number;
  private offUntil = 0;
  private readonly header: string;
  private readonly segmentBytes: number;
  private readonly retryAfterMs: number;

  private constructor(
    private readonly options: JournalOptions,
    /** What the previous run left: replay it, then `dropLeftover()`. */
    readonly leftover: LeftoverSegment[],
    lastNumber: number,
  ) {
    this.next = lastNumber + 1;
    this.header = `${JSON.stringify({ journal: HEADER_KIND, columns: options.columns })}\n`;
    this.segmentBytes = options.segmentBytes ?? 1 << 20;
    this.retryAfterMs = options.retryAfterMs ?? 30_000;
  }

  /** Reads the segments a previous run left (nothing is written until the first `append`). */
  static open(options: JournalOptions): AttemptJournal {
    const found = segmentFiles(options.databaseFile);
    const leftover: LeftoverSegment[] = [];
    for (const { path } of found) {
      const segment = readSegment(path, options.logger);
      if (segment !== null) leftover.push(segment);
    }
    return new AttemptJournal(options, leftover, found.at(-1)?.n ?? 0);
  }

  /** Deletes the segments read at open (once their rows are in the register). */
  dropLeftover(): void {
    for (const segment of this.leftover) unlinkQuietly(segment.path);
    this.leftover.length = 0;
  }

  /**
   * Writes the row (a JSON array of its values in `columns` order, rows.ts' attemptLine) and returns its segment, to
   * `settle` once the row is committed (or given up); null when it was not written (the journal is off after a
   * failure): the row is not journaled.
   */
  append(line: string): Segment | null {
    if (performance.now() < this.offUntil) return null;
    // The lines given to appendSoon in this run go with it, in the same write().
    return this.write(this.encode(line, this.soon), 1);
  }

  /**
   * Writes `line` (an update of an attempt) with the other lines given in the same turn: in the write() of an attempt's
   * line `append`ed after it, at `writeSoon` (before a SIP message leaves: sip-app.ts), or once the turn's microtasks
   * are done (afterMicrotasks), before any I/O callback or timer, whichever first. Returns its
   * segment (to `settle` as `append`'s), or null when the journal is off after a failure: not journaled. A write that
   * fails turns the journal off as `append`'s does; the line is then only committed, as an update not journaled.
   */
  appendSoon(line: string): Segment | null {
    if (this.offUntil !== 0 && performance.now() < this.offUntil) return null;
    let segment = this.current;
    if (segment === null || (this.soon === 0 && segment.bytes >= this.segmentBytes)) {
      try {
        segment = this.begin();
      } catch (err) {
        this.failed(err instanceof Error ? err : new Error(String(err)), performance.now());
        return null;
      }
    }
    if (!this.soonQueued) {
      this.soonQueued = true;
      void RESOLVED.then(this.afterMicrotasks);
    }
    this.soon = this.encode(line, this.soon);
    this.soonLines++;
    segment.pending++;
    return segment;
  }

  /** Writes the lines given to appendSoon in this run now, if any (before a message leaves for drachtio-server). */
  writeSoon(): void {
    if (this.soon !== 0) this.write(this.soon, 0);
  }

  /** Whether a write of the lines given to appendSoon is queued (afterMicrotasks, then writeQueued). */
  private soonQueued = false;
  /**
   * A microtask queued at a run's first line given to appendSoon: queues their write on process.nextTick, which runs
   * once the microtasks queued until then (and those they queue) are done, before any I/O callback or timer: the lines
   * of a socket read's whole run (the CDRs read synchronously, the PBX's answers in the promise reactions after)
   * in one write().
   */
  private readonly afterMicrotasks = (): void => {
    process.nextTick(this.writeQueued);
  };
  private readonly writeQueued = (): void => {
    this.soonQueued = false;
    this.writeSoon();
  };

  /**
   * Writes `line` with every other line given in the same synchronous run of JavaScript: one write() for all of them,
   * in a microtask (a promise reaction: RESOLVED), before any I/O callback of this turn (so before any commit of
   * theirs can finish). `waiter.journaled` is called then with the segment (to `settle` as `append`'s), or null when the write
   * failed (the journal goes off, as `append`'s failure). Returns false, calling nothing, when the journal is off after
   * a failure: not journaled. A write() costs the main thread the same whatever its size up to hundreds of lines (what
   * `append` pays per line); one lone line waits for the microtask only.
   */
  appendGrouped(line: string, waiter: JournalWaiter): boolean {
    if (this.offUntil !== 0 && performance.now() < this.offUntil) return false;
    if (this.group.length === 0) void RESOLVED.then(this.writeGroup);
    this.group.push(line);
    this.waiters.push(waiter);
    return true;
  }

  /** The lines of the group being gathered and their waiters; the spare pair is swapped in while a group is written. */
  private group: string[] = [];
  private waiters: JournalWaiter[] = [];
  private spareGroup: string[] = [];
  private spareWaiters: JournalWaiter[] = [];
  /**
   * The bytes of the lines being written, encoded here rather than joined into one string: a line joined to the text
   * (`text += line + '\n'`) made two string pieces a line, flattened into a copy by Buffer.byteLength and encoded again
   * by writeSync (~1.4 KB of garbage a call, bench/sip-handler.ts --heap-sample); here a line is encoded once, into a
   * buffer kept from one write to the next.
   */
  private out = Buffer.allocUnsafe(OUT_BYTES);
  /**
   * The bytes at the head of `out` that hold the lines given to appendSoon and not written yet (0: none), and how many
   * lines. They belong to the segment `current` was when they were given: a segment is not closed for its size while
   * they wait, and every write() writes them first.
   */
  private soon = 0;
  private soonLines = 0;

  private readonly writeGroup = (): void => {
    const lines = this.group;
    const waiters = this.waiters;
    // Swapped, not made anew (the next group is written in a later microtask, once these are emptied).
    this.group = this.spareGroup;
    this.waiters = this.spareWaiters;
    this.spareGroup = lines;
    this.spareWaiters = waiters;
    try {
      let length = this.soon;
      for (const line of lines) length = this.encode(line, length);
      const segment = this.write(length, lines.length);
      for (const waiter of waiters) waiter.journaled(segment);
    } finally {
      lines.length = 0;
      waiters.length = 0;
    }
  };

  /** Encodes `line` and its newline into `out` at `at`; where the next line goes. */
  private encode(line: string, at: number): number {
    // A UTF-16 unit is at most 3 bytes of UTF-8 (a pair of them, 4): room for the worst case, so the line fits whole.
    const most = at + line.length * 3 + 1;
    if (most > this.out.length) {
      const grown = Buffer.allocUnsafe(Math.max(most, this.out.length * 2));
      this.out.copy(grown, 0, 0, at);
      this.out = grown;
    }
    const end = at + this.out.write(line, at);
    this.out[end] = NEWLINE;
    return end + 1;
  }

  /**
   * Writes `out`'s first `length` bytes (the lines given to appendSoon, already counted in their segment, then `lines`
   * whole lines) to the current segment; its segment, or null when the write failed (the lines given to appendSoon
   * with it are not journaled either).
   */
  private write(length: number, lines: number): Segment | null {
    const now = performance.now();
    let segment = this.current;
    const soonLines = this.soonLines;
    this.soon = 0;
    this.soonLines = 0;
    try {
      if (segment === null || (soonLines === 0 && segment.bytes >= this.segmentBytes)) segment = this.begin();
      const written = writeSync(segment.fd as number, this.out, 0, length);
      // A group far larger than usual (a burst) does not keep its buffer.
      if (this.out.length > OUT_KEPT_BYTES) this.out = Buffer.allocUnsafe(OUT_BYTES);
      if (written !== length) throw new Error(`journal write cut short: ${written} of ${length} bytes`);
      segment.bytes += written;
      segment.pending += lines;
      if (this.offUntil !== 0) {
        this.offUntil = 0;
        this.options.logger.info({ segment: segment.path }, 'attempts journal writes again');
      }
      return segment;
    } catch (err) {
      this.failed(err instanceof Error ? err : new Error(String(err)), now);
      return null;
    }
  }

  /** The row appended to `segment` is committed (or given up for good): a closed segment with none left goes. */
  settle(segment: Segment): void {
    segment.pending--;
    if (segment.pending === 0 && segment !== this.current) unlinkLater(segment.path);
  }

  /** Closes the open segment; deletes it when every row in it is settled (otherwise the next start replays it). */
  close(): void {
    this.writeSoon();
    this.retireCurrent(unlinkQuietly);
  }

  /** Stops appending to the open segment and closes it; it is deleted (by `remove`) now if every row is settled. */
  private retireCurrent(remove: (path: string) => void): void {
    const segment = this.current;
    this.current = null;
    if (segment === null) return;
    closeQuietly(segment);
    if (segment.pending === 0) remove(segment.path);
  }

  /** Closes the open segment (it goes once settled) and opens the next one. */
  private begin(): Segment {
    this.retireCurrent(unlinkLater);
    const path = `${this.options.databaseFile}.journal.${this.next++}`;
    const fd = openSync(path, 'a', 0o600);
    const segment: Segment = { path, fd, bytes: 0, pending: 0 };
    this.current = segment;
    segment.bytes = writeSync(fd, this.header);
    if (segment.bytes !== Buffer.byteLength(this.header)) throw new Error('journal header write cut short');
    return segment;
  }

  private failed(err: Error, now: number): void {
    const wasOn = this.offUntil === 0;
    this.offUntil = now + this.retryAfterMs;
    // The segment may end with a cut line: it is never appended to again (begin() opens a new one).
    this.retireCurrent(unlinkLater);
    this.options.onFailure?.(err);
    if (wasOn) {
      this.options.logger.error(
        { err, code: (err as NodeJS.ErrnoException).code, retryAfterMs: this.retryAfterMs },
        'attempts journal cannot write: answers wait for the register commit again (store.commitWaitMs at most)',
      );
    }
  }
}

/** The journal's segments beside `databaseFile`, oldest first (also what `crocetta restore` moves aside with it). */
export function segmentFiles(databaseFile: string): { path: string; n: number }[] {
  const dir = dirname(databaseFile);
  const prefix = `${basename(databaseFile)}.journal.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.startsWith(prefix) && /^[0-9]+$/.test(name.slice(prefix.length)))
    .map((name) => ({ path: join(dir, name), n: Number(name.slice(prefix.length)) }))
    .sort((a, b) => a.n - b.n);
}

/** The segment's rows; null when it is not a file or cannot be read (left where it is, logged). */
function readSegment(path: string, logger: StoreLogger): LeftoverSegment | null {
  let text: string;
  try {
    if (!lstatSync(path).isFile()) throw new Error('not a regular file');
    text = readFileSync(path, 'utf8');
  } catch (err) {
    logger.error({ err, segment: path }, 'attempts journal segment cannot be read: not replayed, left in place');
    return null;
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const [first, ...rest] = lines;
  const columns = parseHeader(first);
  const segment: LeftoverSegment = { path, columns, rows: [], updates: [], unreadable: 0 };
  if (columns === null) {
    segment.unreadable = lines.length;
    logger.warn({ segment: path, lines: lines.length }, 'attempts journal segment without a readable header: skipped');
    return segment;
  }
  for (const line of rest) {
    if (line.startsWith('{')) {
      const update = parseUpdate(line);
      if (update === null) segment.unreadable++;
      else segment.updates.push(update);
      continue;
    }
    const row = parseRow(line, columns.length);
    if (row === null) segment.unreadable++;
    else segment.rows.push(row);
  }
  if (segment.unreadable > 0) {
    logger.warn(
      { segment: path, unreadable: segment.unreadable, rows: segment.rows.length },
      'attempts journal lines that cannot be read (cut short by a crash) were skipped',
    );
  }
  return segment;
}

function parseHeader(line: string | undefined): string[] | null {
  try {
    const header = JSON.parse(line ?? '') as { journal?: unknown; columns?: unknown };
    const { columns } = header;
    if (header.journal !== HEADER_KIND || !Array.isArray(columns)) return null;
    if (columns[0] !== KEY_COLUMN || !columns.every((c): c is string => typeof c === 'string')) return null;
    return columns;
  } catch {
    return null;
  }
}

function parseRow(line: string, width: number): SqlValue[] | null {
  try {
    const row: unknown = JSON.parse(line);
    if (!Array.isArray(row) || row.length !== width || !Number.isSafeInteger(row[0]) || (row[0] as number) <= 0)
      return null;
    const ok = row.every((v) => v === null || typeof v === 'string' || typeof v === 'number');
    return ok ? (row as SqlValue[]) : null;
  } catch {
    return null;
  }
}

function parseUpdate(line: string): JournaledUpdate | null {
  try {
    const parsed = JSON.parse(line) as { update?: unknown; params?: unknown };
    const { update: kind, params } = parsed;
    if (kind !== 'outcome' && kind !== 'talk') return null;
    if (!Array.isArray(params) || params.length !== UPDATE_WIDTH[kind]) return null;
    const ok = params.every((v) => v === null || typeof v === 'string' || typeof v === 'number');
    return ok ? { kind, params: params as SqlValue[] } : null;
  } catch {
    return null;
  }
}

function closeQuietly(segment: Segment): void {
  if (segment.fd === null) return;
  try {
    closeSync(segment.fd);
  } catch {
    // nothing to do: the descriptor is gone either way
  }
  segment.fd = null;
}

/**
 * Deletes a segment through libuv's pool. Unlinking a 1-MiB file on the main thread took 0.3 ms here, up to 8 ms at
 * load 12, growing with the file; handing it to the pool costs the main thread 0.1–0.3 ms (waking a pool thread),
 * whatever the size: once per 1-MiB segment, about 4,500 attempts (`npm run bench:register`). A failure leaves the
 * segment for the next start's replay, which skips the rows already in the register.
 */
function unlinkLater(path: string): void {
  unlink(path, () => undefined);
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone, or the disk refuses: the next start replays it (rows already in the register are skipped)
  }
}
