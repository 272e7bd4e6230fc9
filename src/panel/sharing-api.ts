/**
 * The JSON API's sharing routes (DESIGN.md): `GET /api/export` streams the register in crocetta's format
 * (`?format=json|csv`, `&only=mark,history,attempt,called`; `?format=kamailio-htable`: the nuisance numbers as a
 * Kamailio htable, docs/pbx/kamailio-front.md), `POST /api/import?format=...` takes a file as the
 * request body (any of the CLI's import formats, `&lenient=1`, `&as=trusted|nuisance`, `&category=`), streamed,
 * never held in memory. Without `?format=` the format is told from the file's first bytes or its Content-Type
 * (`sharing/sniff-format.ts`: crocetta's own exports name themselves); when nothing tells it, 415 names the formats.
 * Mounted before the API's JSON body parser; same bearer/session auth.
 */
import { Router, type Request } from 'express';
import { Transform, type Readable } from 'node:stream';
import type { Clock } from '../screening/types.js';
import { exportRegister, htableEntries } from '../sharing/export.js';
import { writeKamailioHtable } from '../sharing/formats/kamailio-htable.js';
import { importRecords } from '../sharing/import.js';
import type { RecordKind } from '../sharing/records.js';
import { SNIFFED_FORMATS, peekStream, sniffImportFormat } from '../sharing/sniff-format.js';
import { IMPORT_FORMATS, isImportFormat, openSource, type ImportFormat } from '../sharing/sources.js';
import type { ImportedIndexRows } from '../store/register/types.js';
import { apiAuth, type ApiDeps } from './api.js';
import { HttpError } from './http-error.js';
import type { ImportJobs } from './import-jobs.js';

export interface SharingApiDeps {
  /** The register's SQLite file (imports and exports use connections of their own). */
  file: string;
  defaultCountry: string;
  timeZone: string;
  clock: Clock;
  /** The running register's index follows what an import wrote. */
  indexImported?: (rows: ImportedIndexRows) => void;
  /** Largest import body accepted, in bytes. @defaultValue 512 MiB */
  maxImportBytes?: number;
}

function one(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new HttpError(400, `${name}: expected one value`);
  return v;
}

/** The format the client named, else the one the body's first bytes or its Content-Type tell (415 if none). */
async function formatOf(asked: ImportFormat | undefined, input: Readable, contentType: string | undefined): Promise<{ format: ImportFormat; body: Readable }> {
  if (asked !== undefined) return { format: asked, body: input };
  const { head, stream } = await peekStream(input);
  if (head.length === 0) throw new HttpError(400, 'the request body is empty: send the file as the body');
  const format = sniffImportFormat(head, contentType);
  if (format === null) {
    throw new HttpError(
      415,
      `cannot tell the file's format: add ?format= with one of ${IMPORT_FORMATS.join(', ')} ` +
        `(${SNIFFED_FORMATS.join(', ')} are recognised without it)`,
    );
  }
  return { format, body: stream };
}

/** `jobs`: the panel's import jobs, whose one-at-a-time lock this route shares (else a lock of its own). */
export function sharingRouter(deps: SharingApiDeps, auth: Pick<ApiDeps, 'apiToken' | 'session'>, jobs?: ImportJobs): Router {
  const router = Router();
  router.use(['/export', '/import'], apiAuth(auth.apiToken, auth.session));
  let importing = false;
  const lock = (): (() => void) | null => {
    if (jobs !== undefined) return jobs.tryLock();
    if (importing) return null;
    importing = true;
    return () => {
      importing = false;
    };
  };

  router.get('/export', async (req, res) => {
    const format = one(req, 'format') ?? 'json';
    if (format === 'kamailio-htable') {
      // The nuisance list for Kamailio's htable module (a db_text table file: docs/pbx/kamailio-front.md).
      res.attachment('crocetta_nuisance');
      res.type('text/plain');
      await writeKamailioHtable(res, htableEntries(deps.file));
      res.end();
      return;
    }
    if (format !== 'json' && format !== 'csv') throw new HttpError(400, 'format: expected json, csv or kamailio-htable');
    const only = one(req, 'only')?.split(',');
    if (only?.some((k) => !['mark', 'history', 'attempt', 'called'].includes(k))) throw new HttpError(400, 'only: expected mark, history, attempt, called');
    res.attachment(`crocetta-register.${format === 'json' ? 'jsonl' : 'csv'}`);
    res.type(format === 'json' ? 'application/x-ndjson' : 'text/csv');
    await exportRegister(deps.file, res, { format, now: deps.clock.now(), ...(only && { include: only as RecordKind[] }) });
    res.end();
  });

  router.post('/import', async (req, res) => {
    const asked = one(req, 'format');
    if (asked !== undefined && !isImportFormat(asked)) throw new HttpError(400, `format: expected one of ${IMPORT_FORMATS.join(', ')}`);
    const as = one(req, 'as');
    if (as !== undefined && as !== 'trusted' && as !== 'nuisance') throw new HttpError(400, 'as: expected trusted or nuisance');
    const release = lock();
    if (release === null) throw new HttpError(409, 'an import is already running: try again when it has finished');
    try {
      const max = deps.maxImportBytes ?? 512 << 20;
      let bytes = 0;
      const limit = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          bytes += chunk.length;
          if (bytes > max) cb(new HttpError(413, `the file is larger than ${max} bytes`));
          else cb(null, chunk);
        },
      });
      const now = deps.clock.now();
      const category = one(req, 'category');
      const input = req.pipe(limit);
      const { format, body } = await formatOf(asked, input, req.get('content-type')).catch((err: unknown) => {
        // Refused before the import read the body: discard the rest, so the client gets the answer at once.
        req.unpipe(limit);
        req.resume();
        throw err;
      });
      const source = openSource(format, body, {
        country: deps.defaultCountry,
        timeZone: deps.timeZone,
        now,
        ...(as !== undefined && { as: as }),
        ...(category !== undefined && { category }),
      });
      const report = await importRecords(deps.file, source.items, {
        now,
        lenient: one(req, 'lenient') === '1' || one(req, 'lenient') === 'true',
        ...(source.historyBy !== undefined && { historyBy: source.historyBy }),
        ...(deps.indexImported && {
          onMarks: (marks) => deps.indexImported?.({ marks }),
          onCalled: (called) => deps.indexImported?.({ called }),
        }),
      });
      res.json(report);
    } finally {
      release();
    }
  });

  return router;
}
