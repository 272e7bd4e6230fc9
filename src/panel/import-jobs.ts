/**
 * The one import pipeline behind the panel's import page and `POST /api/import`: each import is a job held in
 * memory, one runs at a time (one lock), each reports its progress for `GET /api/import/jobs/:id` and the page, and
 * the last few finished ones are kept so the page can show their report. A job without a format tells it from the
 * file's first bytes or its Content-Type (sharing/sniff-format.ts). Nothing here knows HTTP codes: the refusals are
 * errors of their own, mapped in error-handler.ts.
 */
import { randomBytes } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import type { Logger } from '../log.js';
import { importRecords, ImportRejectedError, type ImportReport } from '../sharing/import.js';
import { SNIFFED_FORMATS, peekStream, sniffImportFormat } from '../sharing/sniff-format.js';
import { IMPORT_FORMATS, openSource, type ImportFormat } from '../sharing/sources.js';
import type { Clock, MarkLabel } from '../screening/types.js';
import type { ImportedIndexRows } from '../store/register/types.js';

export interface ImportJobsDeps {
  /** The register's SQLite file (imports use a connection of their own). */
  file: string;
  defaultCountry: string;
  timeZone: string;
  clock: Clock;
  /** The running register's index follows what an import wrote. */
  indexImported: (rows: ImportedIndexRows) => void;
  /** Largest import accepted, in bytes. @defaultValue 512 MiB */
  maxImportBytes?: number;
}

export type JobState = 'running' | 'done' | 'refused' | 'failed';

export interface ImportParams {
  /** Absent: told from the file's first bytes, else `contentType`. */
  format?: ImportFormat;
  contentType?: string;
  as?: MarkLabel;
  category?: string;
  lenient: boolean;
  /** The file's name as the browser sent it (shown back, never used as a path). */
  fileName?: string;
}

/** What `GET /api/import/jobs/:id` answers. */
export interface JobStatus {
  id: string;
  state: JobState;
  /** null until told from the file. */
  format: ImportFormat | null;
  /** The format the import was started with; null when it was to be told from the file (the page offers it again). */
  askedFormat: ImportFormat | null;
  fileName: string | null;
  /** What the import was asked to do with the numbers (`as`, `category`, `lenient`): the page offers them again. */
  as: MarkLabel | null;
  category: string | null;
  lenient: boolean;
  phase: 'upload' | 'stage' | 'apply' | 'end';
  /** Bytes of the file read so far, and the request's length when the browser gave it (else null). */
  bytesRead: number;
  bytesTotal: number | null;
  /** Lines of the file read, valid records read. */
  rowsRead: number;
  recordsRead: number;
  /** Records staged so far that the apply phase has merged (approximate while it runs). */
  applied: number;
  /** When finished: rows written to the register, rows already there as they are, rows skipped (lenient). */
  imported: number;
  unchanged: number;
  skipped: number;
  keptTrusted: number;
  /** Refused or skipped rows with their line; a refusal of the whole file has one entry (line null if none). */
  errors: Array<{ line: number | null; reason: string }>;
  startedAt: number;
  ms: number | null;
}

export class ImportBusyError extends Error {
  override name = 'ImportBusyError';
  constructor() {
    super('an import is already running: try again when it has finished');
  }
}

/** The file is larger than the import's limit (refused; nothing written). */
export class ImportTooLargeError extends Error {
  override name = 'ImportTooLargeError';
}

/** No format was given and the file does not tell it (refused; nothing written). */
export class UnknownImportFormatError extends Error {
  override name = 'UnknownImportFormatError';
  constructor() {
    super(
      `cannot tell the file's format: add ?format= with one of ${IMPORT_FORMATS.join(', ')} (${SNIFFED_FORMATS.join(', ')} are recognised without it)`,
    );
  }
}

/** The file is empty (refused; nothing written). */
export class EmptyImportError extends Error {
  override name = 'EmptyImportError';
  constructor() {
    super('the request body is empty: send the file as the body');
  }
}

/**
 * The upload stopped before the end of the file: the client closed the connection mid-body (a browser tab closed, a
 * script stopped), or the upload form came cut short. Not the file's fault: the import failed, nothing was written.
 */
export class ImportCutShortError extends Error {
  override name = 'ImportCutShortError';
  constructor() {
    super(
      'the upload stopped before the end of the file (the connection closed): nothing was imported, send the file again',
    );
  }
}

/** How a job ended: its status, the import's report when it ran to the end, else the error that refused or failed it. */
export interface ImportOutcome {
  job: JobStatus;
  report: ImportReport | null;
  error: Error | null;
}

const KEPT = 20;
const ERRORS_LISTED = 100;

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

export class ImportJobs {
  private readonly jobs = new Map<string, JobStatus>();
  private locked = false;

  constructor(
    private readonly deps: ImportJobsDeps,
    private readonly logger: Logger,
  ) {}

  get maxBytes(): number {
    return this.deps.maxImportBytes ?? 512 << 20;
  }

  get busy(): boolean {
    return this.locked;
  }

  /** The one-at-a-time lock: a release function, or null if busy. */
  private tryLock(): (() => void) | null {
    if (this.locked) return null;
    this.locked = true;
    let released = false;
    return () => {
      if (!released) this.locked = false;
      released = true;
    };
  }

  get(id: string): JobStatus | undefined {
    const job = this.jobs.get(id);
    return job && { ...job, errors: [...job.errors] };
  }

  /**
   * Starts importing `input` (throws ImportBusyError if an import runs). Returns the job at once and the
   * promise of its end, which never rejects: a refused file ends the job as `refused`, with the line and reason.
   */
  start(
    input: Readable,
    params: ImportParams,
    bytesTotal: number | null,
  ): { job: JobStatus; done: Promise<ImportOutcome> } {
    const release = this.tryLock();
    if (release === null) throw new ImportBusyError();
    const now = this.deps.clock.now();
    const job: JobStatus = {
      id: randomBytes(9).toString('base64url'),
      state: 'running',
      format: params.format ?? null,
      askedFormat: params.format ?? null,
      fileName: params.fileName ?? null,
      as: params.as ?? null,
      category: params.category ?? null,
      lenient: params.lenient,
      phase: 'upload',
      bytesRead: 0,
      bytesTotal,
      rowsRead: 0,
      recordsRead: 0,
      applied: 0,
      imported: 0,
      unchanged: 0,
      skipped: 0,
      keptTrusted: 0,
      errors: [],
      startedAt: now,
      ms: null,
    };
    this.jobs.set(job.id, job);
    for (const old of this.jobs.keys()) {
      if (this.jobs.size <= KEPT) break;
      if (this.jobs.get(old)?.state !== 'running') this.jobs.delete(old);
    }
    const done = this.run(job, input, params, now).finally(release);
    return { job: { ...job }, done };
  }

  private async run(job: JobStatus, input: Readable, params: ImportParams, now: number): Promise<ImportOutcome> {
    const started = performance.now();
    const max = this.maxBytes;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        job.bytesRead += chunk.length;
        if (job.bytesRead > max) cb(new ImportTooLargeError(`the file is larger than ${max} bytes`));
        else cb(null, chunk);
      },
    });
    // The client closed mid-upload (or busboy found the form cut short): the reader fails (text-input.ts's
    // SourceError), the job ends and releases the lock.
    let cutShort = false;
    input.on('error', (err) => {
      cutShort = true;
      counter.destroy(err);
    });
    input.pipe(counter);
    let report: ImportReport | null = null;
    let error: Error | null = null;
    try {
      const { format, body } = await formatOf(params, counter);
      job.format = format;
      const source = openSource(format, body, {
        country: this.deps.defaultCountry,
        timeZone: this.deps.timeZone,
        now,
        ...(params.as !== undefined && { as: params.as }),
        ...(params.category !== undefined && { category: params.category }),
      });
      const indexImported = this.deps.indexImported;
      report = await importRecords(this.deps.file, source.items, {
        now,
        lenient: params.lenient,
        ...(source.historyBy !== undefined && { historyBy: source.historyBy }),
        markSource: source.markSource,
        onProgress: (p) => {
          job.phase = p.phase;
          job.rowsRead = p.lines;
          if (p.phase === 'stage') job.recordsRead = p.records;
          else job.applied = Math.min(p.records, job.recordsRead);
        },
        onMarks: (marks) => indexImported({ marks }),
        onCalled: (called) => indexImported({ called }),
      });
      job.state = 'done';
      job.rowsRead = report.lines;
      job.recordsRead = sum(report.read);
      job.applied = job.recordsRead;
      job.imported = sum(report.written);
      job.unchanged = sum(report.unchanged);
      job.keptTrusted = report.keptTrusted + report.keptNewerLocal;
      job.skipped = report.skippedCount;
      job.errors = report.skipped.map((s) => ({ line: s.line, reason: s.reason }));
    } catch (err) {
      input.unpipe(counter);
      input.resume(); // drain what the client still sends, so it gets the answer
      error = err instanceof Error ? err : new Error(String(err));
      if (err instanceof ImportRejectedError) {
        job.state = 'refused';
        job.errors = [{ line: err.line ?? null, reason: err.reason }];
        // The refused line was read, and every one before it: the progress may not have said so yet ("0 rows
        // read" above "line 5: not a phone number").
        if (err.line !== undefined) job.rowsRead = Math.max(job.rowsRead, err.line);
      } else if (
        err instanceof ImportTooLargeError ||
        err instanceof UnknownImportFormatError ||
        err instanceof EmptyImportError
      ) {
        job.state = 'refused';
        job.errors = [{ line: null, reason: err.message }];
      } else if (cutShort) {
        // Nobody may be listening any more: said in the job (the page shows it) and logged without a stack.
        error = new ImportCutShortError();
        job.state = 'failed';
        job.errors = [{ line: null, reason: error.message }];
        this.logger.warn({ job: job.id, cause: (err as Error).message }, 'panel import cut short: the upload stopped');
      } else {
        job.state = 'failed';
        job.errors = [{ line: null, reason: 'internal error' }];
        this.logger.error({ err, job: job.id }, 'panel import failed');
      }
      job.errors = job.errors.slice(0, ERRORS_LISTED);
    }
    job.phase = 'end';
    job.ms = Math.round(performance.now() - started);
    this.logger.info(
      { job: job.id, state: job.state, format: job.format, rows: job.rowsRead, imported: job.imported },
      'panel import finished',
    );
    return { job: { ...job, errors: [...job.errors] }, report, error };
  }
}

/** The format the client named, else the one the file's first bytes or its Content-Type tell. */
async function formatOf(params: ImportParams, input: Readable): Promise<{ format: ImportFormat; body: Readable }> {
  if (params.format !== undefined) return { format: params.format, body: input };
  const { head, stream } = await peekStream(input);
  if (head.length === 0) throw new EmptyImportError();
  const format = sniffImportFormat(head, params.contentType);
  if (format === null) throw new UnknownImportFormatError();
  return { format, body: stream };
}
