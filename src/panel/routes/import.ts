/**
 * Imports, all through the one pipeline of import-jobs.ts (one at a time):
 * - the panel's page (`GET /import`, `POST /import` as multipart/form-data, streamed through busboy): the form's
 *   `_csrf` field comes before the file (or the `X-CSRF-Token` header, from panel.js) and is checked before a byte
 *   of the file is read. Without `?async=1` the answer waits for the end of the import and is the page with its
 *   report; with it, the answer is `202 {id}` once the upload is read, and the import goes on;
 * - the JSON API's `POST /api/import?format=&lenient=1&as=trusted|nuisance&category=`: the file is the request body,
 *   streamed, never held in memory; without `?format=` it is told from the file (415 naming the formats when nothing
 *   tells it); the answer is the import's report;
 * - `GET /api/import/jobs/:id`: a job's state and counts (panel.js polls it).
 */
import busboy from 'busboy';
import { Router } from 'express';
import { z } from 'zod';
import { IMPORT_FORMATS } from '../../sharing/sources.js';
import { uploadCsrfMatches } from '../authenticate.js';
import { categoryKey } from '../../screening/categories.js';
import { HttpError } from '../http-error.js';
import type { ImportJobs, ImportOutcome, JobStatus } from '../import-jobs.js';
import { pageContext } from '../page.js';
import type { PanelDeps } from '../deps.js';
import { importPage, importTexts } from '../pages/import.js';
import { lenientText, parseRequest, text } from '../request.js';

const AS = ['trusted', 'nuisance'] as const;

/** The page form's fields, as busboy collected them (the file apart). */
const uploadFields = z.object({
  /** Empty: told from the file (what the API does without `?format=`). */
  format: text().pipe(z.enum(IMPORT_FORMATS, { error: 'unknown import format' }).optional()),
  as: text().pipe(z.enum(AS, { error: 'expected trusted or nuisance' }).optional()),
  category: z
    .string()
    .optional()
    .transform((v) => {
      const c = (v ?? '').trim().toLowerCase().slice(0, 60);
      return c === '' ? undefined : categoryKey(c);
    }),
  lenient: z
    .unknown()
    .optional()
    .transform((v) => v === '1'),
});

const apiQuery = z.object({
  format: text().pipe(z.enum(IMPORT_FORMATS, { error: `expected one of ${IMPORT_FORMATS.join(', ')}` }).optional()),
  as: text().pipe(z.enum(AS, { error: 'expected trusted or nuisance' }).optional()),
  category: z
    .string({ error: 'expected one value' })
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : categoryKey(v))),
  lenient: z
    .unknown()
    .optional()
    .transform((v) => v === '1' || v === 'true'),
});

const pageQuery = z.object({
  job: lenientText(40),
  async: z
    .unknown()
    .optional()
    .transform((v) => v === '1'),
});
const jobParams = z.object({ id: z.string() });

export function importRouter(jobs: ImportJobs, deps: Pick<PanelDeps, 'clock' | 'timeZone' | 'defaultCountry'>): Router {
  const router = Router();

  router.get('/import', (req, res) => {
    const id = parseRequest(req, { query: pageQuery }).query.job;
    const job = id === undefined ? null : (jobs.get(id) ?? null);
    const ctx = pageContext(req, res, deps);
    res.type('html').send(
      importPage(ctx, {
        maxBytes: jobs.maxBytes,
        job,
        message: null,
        unknownJob: id !== undefined && job === null,
      }).toString(),
    );
  });

  router.post('/import', (req, res, next) => {
    const ctx = pageContext(req, res, deps);
    const async = parseRequest(req, { query: pageQuery }).query.async;
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { files: 1, fields: 10, fieldSize: 1024, parts: 12 } });
    } catch {
      next(HttpError.said(400, 'errorNotUpload'));
      return;
    }
    const fields: Record<string, string> = {};
    let job: JobStatus | undefined;
    let done: Promise<ImportOutcome> | undefined;
    let failure: unknown;
    let answered = false;
    bb.on('field', (name, value) => {
      fields[name] = value;
    });
    bb.on('file', (name, stream, info) => {
      if (name !== 'file' || job !== undefined || failure !== undefined) {
        stream.resume();
        return;
      }
      try {
        if (!uploadCsrfMatches(req, res, fields._csrf)) {
          throw HttpError.said(403, 'errorCsrf');
        }
        if (info.filename === '' || info.filename === undefined)
          throw new HttpError(400, importTexts(ctx.loc.lang).noFile);
        const form = uploadFields.parse(fields);
        const length = Number(req.get('content-length'));
        const params = {
          ...(form.format !== undefined && { format: form.format }),
          // Without a format the file's first bytes tell it, else the type the browser gave the file (text/vcard).
          contentType: info.mimeType,
          lenient: form.lenient,
          fileName: info.filename.slice(0, 200),
          ...(form.as !== undefined && { as: form.as }),
          ...(form.category !== undefined && { category: form.category }),
        };
        ({ job, done } = jobs.start(stream, params, Number.isFinite(length) && length > 0 ? length : null));
      } catch (err) {
        failure = err;
        stream.resume();
      }
    });
    const finish = async () => {
      if (answered) return;
      answered = true;
      if (failure === undefined && job === undefined) failure = new HttpError(400, importTexts(ctx.loc.lang).noFile);
      if (failure !== undefined || done === undefined || job === undefined) {
        next(failure);
        return;
      }
      if (async) {
        res.status(202).json({ id: job.id, href: `/import?job=${encodeURIComponent(job.id)}` });
        return;
      }
      const end = (await done).job;
      res.status(end.state === 'done' ? 200 : end.state === 'refused' ? 422 : 500);
      res.type('html').send(importPage(ctx, { maxBytes: jobs.maxBytes, job: end, message: null }).toString());
    };
    bb.on('close', () => void finish().catch(next));
    bb.on('error', () => {
      failure ??= HttpError.said(400, 'errorUploadUnreadable');
      req.unpipe(bb);
      req.resume();
      void finish().catch(next);
    });
    // A client that closes mid-upload: busboy ends the file's stream with the error, so the import ends (and
    // frees its lock) instead of waiting for ever for the rest of the file.
    req.on('error', (err) => bb.destroy(err));
    req.pipe(bb);
  });

  // Mounted before any body parser: the body is the file.
  router.post('/api/import', async (req, res) => {
    const q = parseRequest(req, { query: apiQuery }).query;
    const contentType = req.get('content-type');
    const { done } = jobs.start(
      req,
      {
        lenient: q.lenient,
        ...(q.format !== undefined && { format: q.format }),
        ...(contentType !== undefined && { contentType }),
        ...(q.as !== undefined && { as: q.as }),
        ...(q.category !== undefined && { category: q.category }),
      },
      null,
    );
    const end = await done;
    if (end.error !== null) throw end.error;
    res.json(end.report);
  });

  router.get('/api/import/jobs/:id', (req, res) => {
    const job = jobs.get(parseRequest(req, { params: jobParams }).params.id);
    if (job === undefined)
      throw new HttpError(404, 'no such import job (finished jobs are kept until the service restarts, the last 20)');
    res.set('Cache-Control', 'no-store').json(job);
  });

  return router;
}
