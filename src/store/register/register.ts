/**
 * The register: SQLite file (WAL) + batched writer + in-memory evidence index.
 *
 * Durability: journal_mode=WAL with synchronous=NORMAL. A committed batch survives the crash or `kill -9` of
 * the process (the WAL is in the OS page cache, SQLite replays it on the next open); it does NOT survive an OS
 * crash or power loss, which may roll back the last batches committed before the last checkpoint. Operators who
 * need that pass `synchronous: 'FULL'` (an fsync per batch).
 *
 * Three connections: the writer (only the batch writer uses it, one transaction at a time), a read-only one for
 * queries, so that a panel query never sees a batch that is still open, and the checkpointer's, which copies the WAL
 * into the database file beside the commits, so that the commit that runs SQLite's own checkpoint finds little left
 * to copy (checkpointer.ts).
 *
 * When the disk refuses writes (full, I/O errors, locked), the batch writer holds them in memory, in order, and
 * writes them as soon as it can (batch-writer.ts: the spool). `record()` then tells its caller through
 * `onSpooled` at once, so a call never waits on a failing disk; its promise resolves when the row is written.
 *
 * With `journal` (the service, under synchronous=NORMAL), `record()` first appends the attempt to the attempts
 * journal beside the database (journal.ts: one synchronous write on the main thread for the attempts of a run, in a
 * microtask) and tells its caller through `onJournaled` then: the row survives kill -9 as a committed one does, and
 * the answer need not wait for the commit. Outcome updates and talk times are journaled too. At open, what a previous
 * run journaled and never committed is replayed (replay-journal.ts) before the index is loaded.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CallerSlot } from '../../callerid/types.js';
import { systemClock, type CallerEvidence, type Clock } from '../../screening/types.js';
import {
  BatchWriter,
  RegisterClosedError,
  type AttemptWrite,
  type BatchInfo,
  type RowUpdateWrite,
  type RowUpdater,
  type SpoolEvent,
} from '../sqlite/batch-writer.js';
import { TRANSACTION_SQL } from '../sqlite/commit-batch.js';
import { DAY_MS } from '../../time/units.js';
import { CHECK_PASSES_DAYS, loadCheckPasses } from '../memory/check-passes.js';
import { loadIndex, type IndexLoadStats } from '../memory/load-index.js';
import { silentLogger, type StoreLogger } from '../logger.js';
import { MIGRATIONS, migrate } from '../sqlite/migrations.js';
import { attemptStats, keptSpelling, listAttempts, listMarkHistory } from './queries.js';
import type { PrefixIndexOptions } from '../memory/prefix-index.js';
import { noteLearned } from '../memory/learn-from-attempt.js';
import { countsForRepeat, declineCounts, isRefusalAction } from './refusal.js';
import {
  attemptLineHead,
  attemptLineTail,
  INSERT_ATTEMPTS_JSON_SQL,
  joinOutcome,
  joinTalk,
  INSERT_MARK_HISTORY_SQL,
  DELETE_LET_THROUGH_SQL,
  UPSERT_LET_THROUGH_SQL,
  USED_LET_THROUGH_SQL,
  UPDATE_OUTCOMES_JSON_SQL,
  UPDATE_OUTCOMES_MOVING_JSON_SQL,
  UPDATE_TALKS_JSON_SQL,
  UPSERT_CALLED_SQL,
  UPSERT_NUMBER_SQL,
  attemptParams,
  INSERTED_ATTEMPT_COLUMNS,
  historyParams,
  numberParams,
  outcomeLine,
  outcomeParams,
  talkLine,
} from './rows.js';
import { Checkpointer } from '../sqlite/checkpointer.js';
import { AttemptJournal, updateLine, type JournaledUpdate, type JournalWaiter, type Segment } from './journal.js';
import { replayJournal } from './replay-journal.js';
import { RecentAttempts } from './recent-attempts.js';
import { Connection, type SqlValue, type Statement } from '../sqlite/connection.js';
import type {
  Attempt,
  AttemptQuery,
  ImportedIndexRows,
  MarkHistoryEntry,
  MarkInput,
  NewAttempt,
  NumberSummary,
  OutcomeUpdate,
  RecordOptions,
  Register,
} from './types.js';
import type { EvidenceIndex } from '../memory/evidence-index.js';

export interface OpenRegisterOptions {
  /** SQLite file; its directory is created if missing. A real file: two connections share it. */
  file: string;
  /** How many days of attempts and refusals the index keeps per caller (≥ the repeat rule's days). */
  lookbackDays: number;
  /** Most writes per transaction (writes that arrive while one commits share the next). @defaultValue 500 */
  batchMaxSize?: number;
  /**
   * Most writes waiting at any time, held in memory while the disk refuses them (the spool); a write beyond is
   * lost and counted (`onSpool` 'lost', reason 'overflow'). @defaultValue 20000
   */
  spoolMaxWrites?: number;
  /** First wait before writing again after the disk refused a batch; doubles up to `retryMaxMs`. @defaultValue 100 */
  retryMinMs?: number;
  /** @defaultValue 2000 */
  retryMaxMs?: number;
  /** How long `close()` keeps retrying writes the disk refuses before it gives them up. @defaultValue 5000 */
  closeTimeoutMs?: number;
  /** How long to wait for a lock held by another process before SQLITE_BUSY. @defaultValue 5000 */
  busyTimeoutMs?: number;
  /** NORMAL survives process crashes; FULL also survives power loss, at an fsync per batch. @defaultValue 'NORMAL' */
  synchronous?: 'NORMAL' | 'FULL';
  /** Digits dropped from a number to get its small block (screening.learning.blocks.dropDigits). @defaultValue 1 */
  blockDropDigits?: number;
  /** The classifier's suspect threshold: a stop on the caller's own evidence above it makes a learned block member. */
  suspectThreshold?: number;
  /** Evidence at every prefix depth (prefixIndexOptions from the screening rules); absent or null: none. */
  prefixes?: PrefixIndexOptions | null;
  /** Numbers the business called longer ago than this are not loaded (screening.learning calledByUsDays). @defaultValue 365 */
  calledByUsDays?: number;
  /** How often callers with no activity left in the window are dropped from the index. @defaultValue 600000 */
  pruneIntervalMs?: number;
  clock?: Clock;
  logger?: StoreLogger;
  /** Called after every batch (metrics, benchmarks). */
  onBatch?: (info: BatchInfo) => void;
  /** Writes held in the spool, written from it, or lost (metrics). */
  onSpool?: (event: SpoolEvent) => void;
  /**
   * Journal every attempt before its commit (journal.ts) and replay what a previous run journaled at open. Only for
   * the one process that records attempts (the service), and only under synchronous NORMAL: the journal's write
   * survives what a NORMAL commit survives, not a power cut. @defaultValue false
   */
  journal?: boolean;
  /** A journal write failed (the journal is off for a while: answers wait for the commit). */
  onJournalFailure?: (err: Error) => void;
  /**
   * With the journal: journaled attempts and outcome updates (nobody waits for their commit) start a commit no sooner
   * than this after the previous one started, unless JOURNALED_COMMIT_ROWS of them are queued (batch-writer.ts). Calls
   * further apart than this are committed at once. A commit costs the main thread a few hundred µs whatever its size
   * (node-sqlite3's trips to its thread and back): at 100 calls/s, 10 ms still gave most calls a commit of their own
   * (0.9 a call, `npm run bench:register -- --only=paced`), 50 ms one commit per five calls, the attempts one INSERT.
   * 0: at once. @defaultValue 50
   */
  journaledCommitIntervalMs?: number;
  /**
   * The checkpointer copies the WAL into the database file once this many rows were committed since its last copy, or
   * every second while any were (checkpointer.ts). A copy is also where synchronous=NORMAL syncs the WAL: the rows a
   * power cut may undo (README, Durability). @defaultValue CHECKPOINT_AFTER_ROWS
   */
  checkpointAfterRows?: number;
}

/** The register as opened: the contract plus what operators and benchmarks may want to see. */
export interface OpenedRegister extends Register {
  readonly loadStats: IndexLoadStats;
  /** Bytes held by the mark table's typed arrays. */
  readonly indexBytes: number;
}

/** A mark refused because the disk refuses writes at the moment. */
export class RegisterUnavailableError extends Error {
  constructor() {
    super(
      'the register cannot write at the moment (disk full, I/O errors or locked): nothing was changed, try again later',
    );
    this.name = 'RegisterUnavailableError';
  }
}

/** Most attempts per INSERT (one JSON parameter whatever their number: commit-batch.ts). */
const ROWS_PER_INSERT = 1000;
/** OpenRegisterOptions.checkpointAfterRows' default. */
export const CHECKPOINT_AFTER_ROWS = 50;
/** OpenRegisterOptions.journaledCommitIntervalMs' default. */
export const JOURNALED_COMMIT_INTERVAL_MS = 50;
/**
 * Journaled writes start a commit before the interval is over once this many are queued. Above what the interval
 * gathers at the rates one node takes (2,430 refusals/s, session 13's ladder: ~120 rows in 50 ms), so that under load
 * the commits come at the interval's pace, ~20 a second, whatever the rate: each costs the main thread node-sqlite3's
 * trip to its pool (~80 µs p50 on the main thread alone, here) and SQLite its WAL pages, whatever its size. At 32 a
 * commit came every 21 ms at 1,500 calls/s, every 13 ms at 2,430. A burst past it is committed at once, as before.
 */
export const JOURNALED_COMMIT_ROWS = 256;

interface WriterStatements {
  begin: Statement;
  commit: Statement;
  rollback: Statement;
  /** Inserts the attempts of a JSON array of their lines. */
  insertAttempts: Statement;
  /** The outcome updates of a JSON array of their lines (a talk time joined to each, when it waits with it). */
  updateOutcomes: Statement;
  /** The same, for the updates updateOutcomes leaves out: those that change whether the call reached anybody. */
  updateOutcomesMoving: Statement;
  /** The talk times of committed attempts, a JSON array of their lines. */
  updateTalks: Statement;
  upsertCalled: Statement;
  upsertNumber: Statement;
  insertHistory: Statement;
  upsertLetThrough: Statement;
  deleteLetThrough: Statement;
  usedLetThrough: Statement;
}

/** A talk time of an attempt, as recordTalk() is given it, and its journal line (null: not journaled). */
interface TalkTime {
  /** As stored: whole ms. */
  talkMs: number;
  /** As the index learns it. */
  seconds: number;
  answeredAt: number;
  segment: Segment | null;
}

/**
 * An outcome update in the writer's queue whose statement has not run yet. A talk time of the same attempt that comes
 * meanwhile (a short answered call: the PBX's answer and the BYE a few ms apart, while the update waits for the
 * writer's interval or for its attempt's commit) joins its statement: one UPDATE instead of two in the transaction.
 * Each keeps its own journal line, written when it came (kill -9 before the commit replays both, as before).
 */
interface QueuedOutcome {
  talk: TalkTime | null;
}

/** Outcome updates come within minutes of their attempt; the last 20k ids are remembered for them. */
const RECENT_IDS = 20_000;

async function openWriter(file: string, busyTimeoutMs: number, synchronous: 'NORMAL' | 'FULL'): Promise<Connection> {
  const db = await Connection.open(file);
  try {
    db.setBusyTimeout(busyTimeoutMs);
    const mode = await db.get<{ journal_mode: string }>('PRAGMA journal_mode = WAL');
    if (mode?.journal_mode !== 'wal') throw new Error(`cannot put ${file} in WAL mode (got ${mode?.journal_mode})`);
    await db.exec(`PRAGMA synchronous = ${synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
    await db.exec('PRAGMA foreign_keys = ON');
    return db;
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}

export async function openRegister(options: OpenRegisterOptions): Promise<OpenedRegister> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  mkdirSync(dirname(options.file), { recursive: true });

  const writer = await openWriter(options.file, busyTimeoutMs, options.synchronous ?? 'NORMAL');
  let reader: Connection | undefined;
  let checkpointer: Checkpointer | undefined;
  try {
    const applied = await migrate(writer, options.file, MIGRATIONS, logger);
    if (applied.length > 0) logger.info({ file: options.file, applied }, 'register schema migrated');
    const journal = options.journal === true ? await openJournal(writer, options, logger) : null;
    reader = await Connection.open(options.file, { readOnly: true });
    reader.setBusyTimeout(busyTimeoutMs);
    checkpointer = await Checkpointer.open(options.file, {
      afterRows: options.checkpointAfterRows ?? CHECKPOINT_AFTER_ROWS,
      everyMs: 1000,
      logger,
    });
    const { index, stats } = await loadIndex(writer, {
      lookbackDays: options.lookbackDays,
      clock,
      ...(options.blockDropDigits !== undefined && { blockDropDigits: options.blockDropDigits }),
      ...(options.calledByUsDays !== undefined && { calledByUsDays: options.calledByUsDays }),
      ...(options.prefixes !== undefined && { prefixes: options.prefixes }),
    });
    const checkPasses = await loadCheckPasses(writer, clock.now() - CHECK_PASSES_DAYS * DAY_MS);
    logger.info({ file: options.file, ...stats }, 'register index loaded');
    const statements: WriterStatements = {
      begin: await writer.prepare(TRANSACTION_SQL.begin),
      commit: await writer.prepare(TRANSACTION_SQL.commit),
      rollback: await writer.prepare(TRANSACTION_SQL.rollback),
      insertAttempts: await writer.prepare(INSERT_ATTEMPTS_JSON_SQL),
      updateOutcomes: await writer.prepare(UPDATE_OUTCOMES_JSON_SQL),
      updateOutcomesMoving: await writer.prepare(UPDATE_OUTCOMES_MOVING_JSON_SQL),
      updateTalks: await writer.prepare(UPDATE_TALKS_JSON_SQL),
      upsertCalled: await writer.prepare(UPSERT_CALLED_SQL),
      upsertNumber: await writer.prepare(UPSERT_NUMBER_SQL),
      insertHistory: await writer.prepare(INSERT_MARK_HISTORY_SQL),
      upsertLetThrough: await writer.prepare(UPSERT_LET_THROUGH_SQL),
      deleteLetThrough: await writer.prepare(DELETE_LET_THROUGH_SQL),
      usedLetThrough: await writer.prepare(USED_LET_THROUGH_SQL),
    };
    const register = new SqliteRegister(
      writer,
      reader,
      checkpointer,
      statements,
      index,
      stats,
      options,
      clock,
      logger,
      journal,
    );
    for (const [key, at] of checkPasses) register.notePass(key, at);
    return register;
  } catch (err) {
    await checkpointer?.close().catch(() => undefined);
    await reader?.close().catch(() => undefined);
    await writer.close().catch(() => undefined);
    throw err;
  }
}

/**
 * Opens the attempts journal and replays what a previous run left in it into the register. A replay that fails (the
 * disk refuses writes at start) keeps the segments for the next start and is logged; the service starts all the same.
 */
async function openJournal(
  writer: Connection,
  options: OpenRegisterOptions,
  logger: StoreLogger,
): Promise<{ journal: AttemptJournal; nextKey: number }> {
  const journal = AttemptJournal.open({
    databaseFile: options.file,
    columns: INSERTED_ATTEMPT_COLUMNS,
    logger,
    ...(options.onJournalFailure && { onFailure: options.onJournalFailure }),
  });
  let lastKey = 0;
  for (const segment of journal.leftover) for (const row of segment.rows) lastKey = Math.max(lastKey, row[0] as number);
  if (journal.leftover.length > 0) {
    try {
      const result = await replayJournal(writer, journal.leftover, INSERTED_ATTEMPT_COLUMNS, logger);
      logger.info(
        { ...result, segments: journal.leftover.length },
        `attempts journal replayed: ${result.replayed} attempts were not in the register`,
      );
      journal.dropLeftover();
    } catch (err) {
      logger.error({ err }, 'attempts journal could not be replayed: kept for the next start');
    }
  }
  const row = await writer.get<{ last: number | null }>(
    'SELECT max(journal_key) AS last FROM attempts WHERE journal_key IS NOT NULL',
  );
  return { journal, nextKey: Math.max(lastKey, row?.last ?? 0) + 1 };
}

/**
 * An attempt on its way to the register: its write in the batch writer's queue, its journal line's callback and its
 * promise's settling, one object (with the register's methods) rather than an object literal and five closures made
 * for every call before its answer.
 *
 * Until its INSERT is built (`line` read), an outcome update or a talk time given with its record() promise joins the
 * row itself (`join`): a forwarded call's PBX answer and BYE come a few ms after the attempt, well within the writer's
 * commit interval. Each keeps its own journal line, written when it is given (kill -9 before the commit replays them by
 * the attempt's journal key, as before); the commit then writes one row, where it wrote the row and, once the id was
 * known, an UPDATE of it, and the updates are no longer given all at once when a commit's ids come back (the outcomes
 * and talk times of every call of a commit interval, each with its journal write(), in one run of the main thread).
 * The joined row's line is its journal line's head (rows.ts' attemptLineHead: the caller, headers and decision) with
 * the values from the outcome on serialized again: the row is serialized once, where it was serialized whole twice.
 */
class PendingAttempt implements AttemptWrite, JournalWaiter {
  readonly kind = 'attempt';
  deferrable = false;
  onJournaled: (() => void) | undefined = undefined;
  onSpooled: (() => void) | undefined = undefined;
  /** The journal's segment that holds its line, once written (null: not journaled). */
  segment: Segment | null = null;
  /** Failed before its journal write came back (refused at once: the queue at its cap, or closed). */
  failure: Error | undefined = undefined;
  resolve: (id: number) => void = noop;
  reject: (err: Error) => void = noop;
  /** Its INSERT was built (`line` read): nothing joins the row any more. */
  taken = false;
  /** Updates joined to the row: their journal segments (settled with the row), the talk time the index learns. */
  joined: (Segment | null)[] | null = null;
  talk: TalkTime | null = null;
  private changed = false;

  constructor(
    private readonly register: SqliteRegister,
    /** attemptParams' values: the row as inserted (updates joined to it change them); let go of once settled. */
    private params: SqlValue[],
    /**
     * attemptLineHead of the row: what joined updates never change, serialized once for the journal and the INSERT
     * ('' once settled).
     */
    private head: string,
    /** The row as recorded: its journal line (`head` and the tail as recorded; '' once settled). */
    public journalLine: string,
    readonly callerKey: string | null,
    public refused: boolean,
    readonly journalKey: number | null,
    /** The call came withheld: the PBX's decline of it is no refusal of its caller (refusal.ts declineCounts). */
    readonly withheld: boolean,
  ) {}

  /** The row as its INSERT carries it (commit-batch.ts reads it when it builds the statement). */
  get line(): string {
    this.taken = true;
    return this.changed ? this.head + attemptLineTail(this.params) : this.journalLine;
  }

  /** Whether an update can still join the row (its INSERT not built, not failed). */
  get open(): boolean {
    return !this.taken && this.failure === undefined;
  }

  /** Joins an update to the row: `apply` changes its values; `segment` is the update's journal line's. */
  join(apply: (params: SqlValue[]) => void, segment: Segment | null): void {
    apply(this.params);
    this.changed = true;
    (this.joined ??= []).push(segment);
  }

  committed(id: number): void {
    this.register.attemptCommitted(this, id);
    const resolve = this.resolve;
    this.letGo();
    resolve(id);
  }

  failed(err: Error): void {
    this.failure = err;
    this.register.settled(this.segment, err);
    if (this.joined !== null) for (const segment of this.joined) this.register.settled(segment, err);
    const reject = this.reject;
    this.letGo();
    reject(err);
  }

  /**
   * Settled: lets go of the caller's callbacks and of its promise's settling functions. The record() promise keeps
   * this object for as long as it lives (an update given with it later needs the journal key), and a forwarded call
   * keeps its promise until the call ends (ForwardedCalls: the talk time), minutes in a real call: through the
   * callbacks (closures of the request handler's) this object kept the whole call, request and response, that long.
   * The row goes too, read by nothing once its INSERT committed or was given up: its values and journal line (~0.6 KB),
   * and through the caller's raw number, Call-ID and User-Agent (slices of drachtio-srf's message) the whole INVITE's
   * text (~0.7 KB in bench:sip). A flood crocetta could not keep up with left 7,139 calls answered by the PBX whose
   * callers had given up (no BYE, no cdr:stop: ForwardedCalls keeps each for up to 12 h, 20,000 at most), 12.5 MB of
   * heap after a full GC (docs/measurements.md, session 28).
   */
  private letGo(): void {
    this.resolve = noop;
    this.reject = noop;
    this.onJournaled = undefined;
    this.onSpooled = undefined;
    this.params = SETTLED_ROW;
    this.head = '';
    this.journalLine = '';
  }

  spooled(): void {
    this.onSpooled?.();
  }

  /** The journal's answer (journal.ts' appendGrouped): its segment, or null when the write failed. */
  journaled(written: Segment | null): void {
    if (written === null) {
      // Not journaled (the write failed): its commit may not wait.
      this.deferrable = false;
      this.register.attemptNotJournaled();
      return;
    }
    this.segment = written;
    // A write refused at once (the queue at its cap) is lost, journaled or not, and its call is forwarded (fail open).
    if (this.failure !== undefined) this.register.settled(written, this.failure);
    else {
      const onJournaled = this.onJournaled;
      this.onJournaled = undefined; // told once
      onJournaled?.();
    }
  }
}

function noop(): void {}

/** A settled attempt's row: nothing reads it any more (PendingAttempt#letGo). */
const SETTLED_ROW: SqlValue[] = [];

/**
 * record()'s promise carries its attempt, for the updates given with it (givenWith): a property of the promise, not a
 * WeakMap entry keyed by it. V8's scavenges treat the values of a WeakMap (whose table lives in the old generation)
 * as strong: every call's attempt, and what it held, was copied by the first scavenge after the call whatever became
 * of the promise, and promoted to the old generation when the promise lived to that scavenge (the attempt's
 * `resolve` reaches it until the commit), to be freed only by a mark-compact.
 */
const ATTEMPT = Symbol('attempt');
type Recorded = Promise<number> & { [ATTEMPT]?: PendingAttempt };

/**
 * The settling functions of the promise `new Promise(capture)` made last (the executor runs before the constructor
 * returns): record() takes them from here, where an executor of its own was a closure made for every call.
 */
let capturedResolve: (id: number) => void = noop;
let capturedReject: (err: Error) => void = noop;
function capture(resolve: (id: number) => void, reject: (err: Error) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/**
 * Whether an outcome update can join its attempt's row before the row's INSERT: what it sets is in the INSERT (outcome,
 * final status, refusal), not an announcement's, a hang-up's or a human check's columns.
 */
function joinsRow(update: OutcomeUpdate): boolean {
  return (
    (update.playedMs ?? null) === null &&
    (update.hungUpBy ?? null) === null &&
    (update.check ?? null) === null &&
    (update.checkMs ?? null) === null
  );
}

class SqliteRegister implements OpenedRegister {
  private readonly batches: BatchWriter<WriterStatements>;
  /** The statement consecutive talk times of committed attempts share (queueTalk). */
  private readonly talkUpdater: RowUpdater;
  private readonly recent = new RecentAttempts(RECENT_IDS);
  /** By attempt id: its outcome update waiting in the queue, until its statement runs (or it fails). */
  private readonly queuedOutcomes = new Map<number, QueuedOutcome>();
  private readonly pruneTimer: NodeJS.Timeout;
  private closing: Promise<void> | undefined;
  private readonly thresholds: { suspect: number };
  /** Callers who passed the human check: when last (check.rememberDays, no second chance). */
  private readonly passes = new Map<string, number>();
  /**
   * Attempts recorded with indexLater and journaled at once, which the index has not learned yet (indexOwed): learned
   * once their caller's answer went, in the same synchronous run, or before the index is next used, whichever first.
   */
  private readonly owed: NewAttempt[] = [];

  constructor(
    private readonly writer: Connection,
    private readonly reader: Connection,
    private readonly checkpointer: Checkpointer,
    private readonly statements: WriterStatements,
    private readonly learned: EvidenceIndex,
    readonly loadStats: IndexLoadStats,
    options: OpenRegisterOptions,
    private readonly clock: Clock,
    private readonly logger: StoreLogger,
    private readonly journal: { journal: AttemptJournal; nextKey: number } | null,
  ) {
    this.thresholds = { suspect: options.suspectThreshold ?? 0.5 };
    const inserter = { statement: statements.insertAttempts, rows: ROWS_PER_INSERT };
    const tx = { begin: statements.begin, commit: statements.commit, rollback: statements.rollback };
    this.batches = new BatchWriter(tx, inserter, statements, {
      maxBatch: options.batchMaxSize ?? 500,
      ...(journal !== null && {
        deferMs: options.journaledCommitIntervalMs ?? JOURNALED_COMMIT_INTERVAL_MS,
        deferRows: JOURNALED_COMMIT_ROWS,
      }),
      maxQueued: options.spoolMaxWrites ?? 20_000,
      retryMinMs: options.retryMinMs ?? 100,
      retryMaxMs: options.retryMaxMs ?? 2000,
      closeTimeoutMs: options.closeTimeoutMs ?? 5000,
      logger,
      onBatch: (info) => {
        if (info.ok) checkpointer.committed(info.size);
        options.onBatch?.(info);
      },
      ...(options.onSpool && { onSpool: options.onSpool }),
      updater: {
        statement: statements.updateOutcomes,
        rows: ROWS_PER_INSERT,
        rest: statements.updateOutcomesMoving,
      },
      commitRunsAlone: options.synchronous !== 'FULL',
    });
    this.talkUpdater = { statement: statements.updateTalks, rows: ROWS_PER_INSERT };
    this.pruneTimer = setInterval(() => this.index.prune(), options.pruneIntervalMs ?? 600_000);
    this.pruneTimer.unref();
  }

  /**
   * The index, having learned first what it is owed (record()'s indexLater: indexOwed), so that nothing reads or
   * changes it without those attempts. `learned` is the index itself, for indexOwed's own use.
   */
  private get index(): EvidenceIndex {
    this.indexOwed();
    return this.learned;
  }

  get ready(): boolean {
    return this.closing === undefined && this.writer.isOpen && this.batches.healthy;
  }

  get indexBytes(): number {
    return this.index.marks.byteLength;
  }

  get spooled(): number {
    return this.batches.spooled;
  }

  evidenceFor(callerKey: string, slot?: CallerSlot): CallerEvidence {
    return this.index.evidenceFor(callerKey, slot);
  }

  /** The index's count of mark and override changes (evidence-index.ts verdictVersion). */
  get verdictVersion(): number {
    return this.index.verdictVersion;
  }

  indexImported(imported: ImportedIndexRows): void {
    for (const m of imported.marks ?? []) this.index.setMark(m);
    for (const c of imported.called ?? []) this.index.addCalledByUs(c.callerKey, c.at);
    const friends = imported.friendReports;
    if (friends !== undefined) this.index.prefixes?.friendReports(friends.reports, friends.at);
  }

  record(attempt: NewAttempt, options: RecordOptions = {}): Promise<number> {
    if (this.closing !== undefined) return Promise.reject(new RegisterClosedError());
    this.indexOwed(); // the attempts owed first, in the order recorded (learn() below writes the index itself)
    const key = attempt.callerKey;
    const refused = isRefusalAction(attempt.action);
    const journal = this.journal;
    // At once only when the writer will keep the attempt: one it refuses (the queue at store.spoolMaxWrites, or
    // closed) fails in enqueue below, before the grouped write tells anyone, so its caller is never told it is durable
    // and its call goes the fail-open way (PendingAttempt#journaled), as without journalNow.
    const atOnce = journal !== null && options.journalNow === true && this.batches.accepting;
    // The index learns the attempt now, or (indexLater, journaled at once) once the caller has answered (indexOwed).
    const later = atOnce && options.indexLater === true;
    let used = key !== null && !later ? this.learn(key, attempt, refused) : null;
    const journalKey = journal === null ? null : journal.nextKey++;
    const params = attemptParams(attempt, journalKey);
    const head = attemptLineHead(params);
    const line = head + attemptLineTail(params);
    const op = new PendingAttempt(this, params, head, line, key, refused, journalKey, attempt.withheld);
    op.onJournaled = options.onJournaled;
    op.onSpooled = options.onSpooled;
    // Journaled first, with every attempt recorded in the same run of JavaScript (one write() for all, in a microtask:
    // journal.ts), or at once when the caller answers in this run (journalNow); its commit then starts after this turn
    // (once the caller's answer has left), as answering first. To be journaled, it will survive kill -9 before its
    // commit, which may then wait for the writer's interval.
    if (journal === null) op.deferrable = false;
    else if (atOnce) op.deferrable = this.journalNow(op, journal.journal);
    else op.deferrable = journal.journal.appendGrouped(op.journalLine, op);
    if (later && key !== null) {
      // Not journaled after all (the write failed): its caller waits for the commit, so the index learns it now.
      if (op.deferrable) this.owed.push(attempt);
      else used = this.learn(key, attempt, refused);
    }
    const promise = new Promise<number>(capture);
    op.resolve = capturedResolve;
    op.reject = capturedReject;
    capturedResolve = noop;
    capturedReject = noop;
    (promise as Recorded)[ATTEMPT] = op;
    this.batches.enqueue(op, options.afterThisTurn === true || op.deferrable);
    if (used !== null) this.letThroughUsed(key as string, used);
    return promise;
  }

  /**
   * The index learns the attempts recorded with indexLater that it has not learned yet (each once, in the order
   * recorded). Nothing to do, the common case, costs a length check: called before every use of the index.
   */
  indexOwed(): void {
    const owed = this.owed;
    while (owed.length > 0) {
      const attempt = owed.shift() as NewAttempt; // out first: one that throws is not learned twice
      const key = attempt.callerKey as string;
      const used = this.learn(key, attempt, isRefusalAction(attempt.action));
      if (used !== null) this.letThroughUsed(key, used);
    }
  }

  /**
   * What the index learns from an attempt of a known caller. Returns the time of the "let the next call through" it
   * used (gone from the index now), null when none: its row is deleted once the attempt is queued (letThroughUsed).
   */
  private learn(key: string, attempt: NewAttempt, refused: boolean): number | null {
    this.learned.addAttempt(key, attempt.time);
    if (refused && countsForRepeat(attempt.reasons)) this.learned.addRefusal(key, attempt.time);
    return noteLearned(this.learned, key, attempt, this.thresholds);
  }

  /**
   * A call used the caller's "let the next call through" set at `setAt`: its row goes, queued after the attempt's
   * own write (the writer commits in order: with it or in a later commit, never before). A crash before this
   * deletion commits leaves the row; the start drops it if the attempt is in the register (load-index.ts), else the
   * override is still pending (the next call is let through as well, none refused).
   */
  private letThroughUsed(key: string, setAt: number): void {
    this.batches.enqueue({
      kind: 'other',
      oneStatement: true,
      deferrable: true,
      run: async (s) => {
        await s.usedLetThrough.run([key, setAt]);
      },
      committed: () => undefined,
      failed: (err) => {
        this.logger.warn(
          { callerKey: key, err },
          '"let the next call through" used, its deletion lost (the next start drops it if the call is in the register)',
        );
      },
    });
  }

  /**
   * Writes `op`'s journal line now (record()'s journalNow): told at once, its onJournaled called before record()
   * returns; false when it was not journaled (the journal off after a failure, or this write failed: logged, counted).
   */
  private journalNow(op: PendingAttempt, journal: AttemptJournal): boolean {
    const segment = journal.append(op.journalLine);
    if (segment === null) return false;
    op.journaled(segment);
    return true;
  }

  /** @internal PendingAttempt's: its row is committed with this id. */
  attemptCommitted(op: PendingAttempt, id: number): void {
    this.settleJournaled(op.segment);
    if (op.joined !== null) for (const segment of op.joined) this.settleJournaled(segment);
    if (op.talk !== null && op.callerKey !== null)
      this.index.addTalk(op.callerKey, op.talk.answeredAt, op.talk.seconds);
    const journalKey = op.segment === null ? null : op.journalKey;
    this.recent.remember(id, op.callerKey, op.refused, journalKey, op.withheld);
  }

  /** @internal PendingAttempt's: its journal write failed, so its commit may not wait for the interval. */
  attemptNotJournaled(): void {
    this.batches.wake();
  }

  /** @internal PendingAttempt's: a journaled write settled in its segment (committed or given up). */
  settled(segment: Segment | null, err?: Error): void {
    this.settleJournaled(segment, err);
  }

  /** When this caller last passed the human check (ms), null when never (within CHECK_PASSES_DAYS). */
  checkPassedAt(callerKey: string): number | null {
    return this.passes.get(callerKey) ?? null;
  }

  /** @internal a pass loaded at start or just recorded */
  notePass(callerKey: string, at: number): void {
    if ((this.passes.get(callerKey) ?? -Infinity) < at) this.passes.set(callerKey, at);
  }

  updateOutcome(attempt: number | Promise<number>, update: OutcomeUpdate): void {
    const op = this.givenFor(attempt, (id) => this.queueOutcome(id, update, undefined));
    if (op === null || typeof attempt === 'number') return; // (a number gives null: queued)
    // Journaled now, by the attempt's journal key, whether it joins the row or waits for the row's id.
    const segment = this.journalUpdate({ kind: 'outcome', params: [...outcomeParams(null, update), op.journalKey] });
    if (op.open && joinsRow(update)) {
      if (update.refused && !op.refused) {
        op.refused = true;
        if (op.callerKey !== null && declineCounts(op.withheld)) this.index.addRefusal(op.callerKey, update.at);
      }
      op.join((params) => joinOutcome(params, update), segment);
      return;
    }
    this.afterCommit(attempt, segment, (id) => this.queueOutcome(id, update, segment));
  }

  /**
   * The outcome update of a committed attempt, queued for the next UPDATE of outcomes; `given`: its journal segment when
   * it was journaled already (updateOutcome with the record() promise), undefined to journal it now.
   */
  private queueOutcome(id: number, update: OutcomeUpdate, given: Segment | null | undefined): void {
    if (this.closing !== undefined) {
      this.logger.warn({ id, outcome: update.outcome }, 'outcome update after close dropped');
      return;
    }
    const known = this.recent.get(id);
    if (update.check === 'passed' && known?.callerKey) this.notePass(known.callerKey, update.at);
    if (update.refused && known !== undefined && !known.refused) {
      this.recent.markRefused(id);
      if (known.callerKey !== null && declineCounts(known.withheld)) this.index.addRefusal(known.callerKey, update.at);
    }
    const params = outcomeParams(id, update);
    const segment =
      given !== undefined
        ? given
        : this.journalUpdate({ kind: 'outcome', params: [...params, known?.journalKey ?? null] });
    const queued: QueuedOutcome = { talk: null };
    // No talk time joins it once its statement was built (it may be committed already), nor once it failed.
    const leaveQueue = (): void => {
      if (this.queuedOutcomes.get(id) === queued) this.queuedOutcomes.delete(id);
    };
    this.queuedOutcomes.set(id, queued);
    // One UPDATE for the outcomes queued together (commit-batch.ts' RowUpdater): at a steady call rate the outcomes of
    // the attempts of one commit come together, each its own trip to SQLite's thread before.
    const op: RowUpdateWrite = {
      kind: 'update',
      id,
      returned: undefined,
      deferrable: this.journal !== null,
      line: () => {
        leaveQueue();
        return outcomeLine(params, queued.talk === null ? null : queued.talk.talkMs);
      },
      committed: () => {
        const row = op.returned as
          { caller_key: string | null; refused_at: number | null; withheld: number } | undefined;
        this.settleJournaled(segment);
        if (queued.talk !== null) this.talkCommitted(id, queued.talk, row);
        if (row === undefined) {
          this.logger.warn({ id, outcome: update.outcome }, 'outcome update for an attempt not in the register');
        } else if (known === undefined && update.check === 'passed' && row.caller_key !== null) {
          this.notePass(row.caller_key, update.at);
        } else if (known === undefined && update.refused && row.caller_key !== null && row.refused_at === update.at) {
          // An attempt older than the recent ids (or from before a restart): index it now that we know its caller.
          if (declineCounts(row.withheld === 1)) this.index.addRefusal(row.caller_key, update.at);
        }
      },
      failed: (err) => {
        leaveQueue();
        this.settleJournaled(segment, err);
        this.logger.warn({ id, outcome: update.outcome, err }, 'outcome update lost with its batch');
        if (queued.talk !== null) this.talkFailed(id, queued.talk, err);
      },
    };
    this.batches.enqueue(op);
  }

  recordTalk(attempt: number | Promise<number>, talk: { talkMs: number; answeredAt: number }): void {
    const op = this.givenFor(attempt, (id) => this.queueTalk(id, talk, undefined));
    if (op === null || typeof attempt === 'number') return; // (a number gives null: queued)
    const talkMs = Math.round(talk.talkMs);
    const segment = this.journalUpdate({ kind: 'talk', params: [talkMs, null, op.journalKey] });
    if (op.open) {
      op.talk = { talkMs, seconds: talk.talkMs / 1000, answeredAt: talk.answeredAt, segment };
      op.join((params) => joinTalk(params, talkMs), segment);
      return;
    }
    this.afterCommit(attempt, segment, (id) => this.queueTalk(id, talk, segment));
  }

  /**
   * How updateOutcome and recordTalk begin (they differ in what they queue and how they join a row): given an id, the
   * update is queued with it (`queue(id)`, which journals it), and null is returned; given a promise that is
   * not record()'s own, or whose attempt failed, the update waits for its id as a caller of `then` would, and null is
   * returned; given record()'s promise of an attempt on its way, that attempt, for the caller to journal the update
   * by its journal key and join its row or wait for its commit (`afterCommit`).
   */
  private givenFor(attempt: number | Promise<number>, queue: (id: number) => void): PendingAttempt | null {
    if (typeof attempt === 'number') {
      queue(attempt);
      return null;
    }
    const op = this.givenWith(attempt);
    if (op === null) attempt.then(queue).catch(() => undefined /* logged when recorded */);
    return op;
  }

  /** An update journaled in `segment` waits for its attempt's commit, then `queue(id)`; the attempt failed: settled. */
  private afterCommit(attempt: Promise<number>, segment: Segment | null, queue: (id: number) => void): void {
    attempt.then(queue, (err: unknown) =>
      this.settleJournaled(segment, err instanceof Error ? err : new Error(String(err))),
    );
  }

  /** A talk time of a committed attempt, queued (with its outcome's UPDATE when that still waits); `given` as queueOutcome's. */
  private queueTalk(id: number, talk: { talkMs: number; answeredAt: number }, given: Segment | null | undefined): void {
    if (this.closing !== undefined) {
      this.logger.warn({ id }, 'talk time after close dropped');
      return;
    }
    const talkMs = Math.round(talk.talkMs);
    const segment =
      given !== undefined
        ? given
        : this.journalUpdate({ kind: 'talk', params: [talkMs, id, this.recent.get(id)?.journalKey ?? null] });
    const time: TalkTime = { talkMs, seconds: talk.talkMs / 1000, answeredAt: talk.answeredAt, segment };
    const queued = this.queuedOutcomes.get(id);
    if (queued !== undefined && queued.talk === null) {
      queued.talk = time; // written with its outcome, in one statement
      return;
    }
    // One UPDATE for the talk times queued together, as the outcomes' (a statement and a trip to SQLite's thread each
    // before: at 1,500 forwarded calls/s, a few ms of talk each, most of a commit interval's trips).
    const op: RowUpdateWrite = {
      kind: 'update',
      id,
      updater: this.talkUpdater,
      returned: undefined,
      deferrable: this.journal !== null,
      line: () => talkLine(talkMs, id),
      committed: () => this.talkCommitted(id, time, op.returned as { caller_key: string | null } | undefined),
      failed: (err) => this.talkFailed(id, time, err),
    };
    this.batches.enqueue(op);
  }

  /**
   * The attempt of a record() promise, for an update given with it; null (the update then waits for the id, as a
   * caller of `then` would) when the promise is not one of record()'s, its attempt failed, or the register is closing.
   */
  private givenWith(attempt: Promise<number>): PendingAttempt | null {
    const op = (attempt as Recorded)[ATTEMPT];
    return op === undefined || op.failure !== undefined || this.closing !== undefined ? null : op;
  }

  /** A talk time is committed (alone, or with its outcome): the index learns it from the row's caller. */
  private talkCommitted(id: number, talk: TalkTime, row: { caller_key: string | null } | undefined): void {
    this.settleJournaled(talk.segment);
    if (row === undefined) this.logger.warn({ id }, 'talk time for an attempt not in the register');
    else if (row.caller_key !== null) this.index.addTalk(row.caller_key, talk.answeredAt, talk.seconds);
  }

  private talkFailed(id: number, talk: TalkTime, err: Error): void {
    this.settleJournaled(talk.segment, err);
    this.logger.warn({ id, err }, 'talk time lost with its batch');
  }

  noteCalledByUs(callerKey: string, at: number): void {
    if (this.closing !== undefined) {
      this.logger.warn({ callerKey }, 'number called by us after close dropped');
      return;
    }
    this.index.addCalledByUs(callerKey, at);
    this.batches.enqueue({
      kind: 'other',
      oneStatement: true,
      // Not journaled: committed at once (outbound calls are few), so that a kill -9 loses at most the commit running,
      // not the writer's interval of them.
      deferrable: false,
      run: async (s) => {
        await s.upsertCalled.run([callerKey, at]);
      },
      committed: () => undefined,
      failed: (err) => {
        this.logger.warn({ callerKey, err }, 'number called by us lost with its batch (kept in memory until restart)');
      },
    });
  }

  mark(callerKey: string, input: MarkInput): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(new RegisterClosedError());
    // A person is waiting for the answer: while the disk refuses writes, say so now (nothing changes) rather
    // than hold the mark in memory and the request open until the disk accepts it.
    if (!this.batches.healthy) return Promise.reject(new RegisterUnavailableError());
    this.index.setMark({ callerKey, ...input });
    const number = numberParams(callerKey, input, this.clock.now());
    const history = historyParams(callerKey, input);
    return new Promise<void>((resolve, reject) => {
      this.batches.enqueue({
        kind: 'other',
        run: async (s) => {
          await s.upsertNumber.run(number);
          await s.insertHistory.run(history);
        },
        committed: resolve,
        failed: reject,
      });
    });
  }

  letThrough(callerKey: string, at: number | null, by: string): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(new RegisterClosedError());
    if (!this.batches.healthy) return Promise.reject(new RegisterUnavailableError());
    this.index.learned.setAllowNext(callerKey, at);
    return new Promise<void>((resolve, reject) => {
      this.batches.enqueue({
        kind: 'other',
        oneStatement: true,
        run: async (s) => {
          if (at === null) await s.deleteLetThrough.run([callerKey]);
          else await s.upsertLetThrough.run([callerKey, at, by]);
        },
        committed: resolve,
        failed: reject,
      });
    });
  }

  letThroughSince(callerKey: string): number | null {
    return this.index.learned.allowNextOf(callerKey);
  }

  attempts(query: AttemptQuery): Promise<Attempt[]> {
    return listAttempts(this.reader, query);
  }

  async numberSummary(callerKey: string, withheld?: boolean): Promise<NumberSummary> {
    const stats = await attemptStats(this.reader, callerKey, withheld);
    return { callerKey, mark: this.index.marks.get(callerKey), ...stats };
  }

  markHistory(callerKey: string, limit?: number): Promise<MarkHistoryEntry[]> {
    return listMarkHistory(this.reader, callerKey, limit);
  }

  keptSpelling(callerKey: string): Promise<string> {
    return keptSpelling(this.reader, callerKey);
  }

  flush(): Promise<void> {
    return this.batches.flush();
  }

  caughtUp(): Promise<void> {
    return this.batches.caughtUp();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.pruneTimer);
    await this.batches.close();
    this.journal?.journal.close();
    // Every prepared statement, or SQLite refuses to close the connection.
    const all = Object.values(this.statements as unknown as Record<string, Statement | Statement[]>).flat();
    await Promise.all(all.map((st) => st.finalize()));
    // Refreshes the planner's statistics where they drifted (cheap; what SQLite advises before closing).
    await this.writer.exec('PRAGMA optimize').catch(() => undefined);
    await this.checkpointer.close();
    await this.reader.close();
    await this.writer.close();
  }

  /**
   * Writes an update of an attempt (outcome, talk time) to the journal, so that kill -9 before its commit loses it
   * no more than its attempt (replayed at the next start: replay-journal.ts). Its segment, or null (no journal, or
   * the journal is off after a failed write: the update is then only committed, as without a journal).
   */
  private journalUpdate(update: JournaledUpdate): Segment | null {
    const journal = this.journal;
    if (journal === null) return null;
    const line = updateLine(update);
    return this.gathering ? journal.journal.appendSoon(line) : journal.journal.append(line);
  }

  /** Whether update lines wait for the rest of their run (gatherUpdateLines). */
  private gathering = false;

  gatherUpdateLines(): () => void {
    const journal = this.journal;
    if (journal === null) return noop;
    this.gathering = true;
    return () => journal.journal.writeSoon();
  }

  /**
   * A journaled attempt or update is committed, or lost: settled in its segment. Given up at a shutdown while the disk
   * refused it, the journal keeps it and the next start replays it; refused by SQLite itself, or at once because the
   * queue is at its cap, it is lost as without a journal.
   */
  private settleJournaled(segment: Segment | null, err?: Error): void {
    if (segment === null || err instanceof RegisterClosedError) return;
    this.journal?.journal.settle(segment);
  }
}
