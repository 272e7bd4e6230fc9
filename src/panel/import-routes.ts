/**
 * The panel's import page (`GET /import`, `POST /import` as multipart/form-data, streamed through busboy into an
 * import job) and the job's progress for scripts and panel.js (`GET /api/import/jobs/:id`).
 * The form's `_csrf` field comes before the file (or the `X-CSRF-Token` header, from panel.js): the token is
 * checked before a byte of the file is read. Without `?async=1` the answer waits for the end of the import and is
 * the page with its report; with it, the answer is `202 {id}` once the upload is read, and the import goes on.
 */
import busboy from 'busboy';
import { Router, type Request, type Response } from 'express';
import { apiAuth, type ApiDeps } from './api.js';
import { csrfMatches, type Session } from './auth.js';
import { HttpError } from './http-error.js';
import { ImportBusyError, type ImportJobs, type ImportParams, type JobStatus } from './import-jobs.js';
import { importPage, importTexts } from './pages/import.js';
import type { PageContext } from './pages/layout.js';
import { isImportFormat } from '../sharing/sources.js';

function paramsOf(fields: Record<string, string>, fileName: string): ImportParams {
  const format = fields.format ?? '';
  if (!isImportFormat(format)) throw new HttpError(400, 'format: unknown import format');
  const as = fields.as ?? '';
  if (as !== '' && as !== 'trusted' && as !== 'nuisance') throw new HttpError(400, 'as: expected trusted or nuisance');
  const category = (fields.category ?? '').trim().toLowerCase().slice(0, 60);
  return {
    format,
    lenient: fields.lenient === '1',
    fileName: fileName.slice(0, 200),
    ...(as !== '' && { as }),
    ...(category !== '' && { category }),
  };
}

export function importPageRouter(jobs: ImportJobs, ctxOf: (req: Request, res: Response) => PageContext): Router {
  const router = Router();

  router.get('/import', (req, res) => {
    const id = typeof req.query.job === 'string' ? req.query.job : undefined;
    const job = id === undefined ? null : (jobs.get(id) ?? null);
    res.type('html').send(importPage(ctxOf(req, res), { maxBytes: jobs.maxBytes, job, message: null, unknownJob: id !== undefined && job === null }).toString());
  });

  router.post('/import', (req, res, next) => {
    const ctx = ctxOf(req, res);
    const session = res.locals.session as Session;
    const async = req.query.async === '1';
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { files: 1, fields: 10, fieldSize: 1024, parts: 12 } });
    } catch {
      next(new HttpError(400, 'expected a file upload (multipart/form-data)'));
      return;
    }
    const fields: Record<string, string> = {};
    let job: JobStatus | undefined;
    let done: Promise<JobStatus> | undefined;
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
        if (!csrfMatches(session, req.get('x-csrf-token') ?? fields._csrf)) {
          throw new HttpError(403, 'this form has expired or did not come from the panel (CSRF token missing or wrong): reload the page and try again');
        }
        if (info.filename === '' || info.filename === undefined) throw new HttpError(400, importTexts(ctx.loc.lang).noFile);
        const length = Number(req.get('content-length'));
        ({ job, done } = jobs.start(stream, paramsOf(fields, info.filename), Number.isFinite(length) && length > 0 ? length : null));
      } catch (err) {
        failure = err instanceof ImportBusyError ? new HttpError(409, err.message) : err;
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
      const end = await done;
      res.status(end.state === 'done' ? 200 : end.state === 'refused' ? 422 : 500);
      res.type('html').send(importPage(ctx, { maxBytes: jobs.maxBytes, job: end, message: null }).toString());
    };
    bb.on('close', () => void finish().catch(next));
    bb.on('error', () => {
      failure ??= new HttpError(400, 'the upload could not be read (multipart/form-data)');
      req.unpipe(bb);
      req.resume();
      void finish().catch(next);
    });
    req.pipe(bb);
  });

  return router;
}

/** `GET /api/import/jobs/:id`: the job's state and counts (bearer token or the panel's session). */
export function importJobsApi(jobs: ImportJobs, auth: Pick<ApiDeps, 'apiToken' | 'session'>): Router {
  const router = Router();
  router.get('/import/jobs/:id', apiAuth(auth.apiToken, auth.session), (req, res) => {
    const job = jobs.get(req.params.id as string);
    if (job === undefined) throw new HttpError(404, 'no such import job (finished jobs are kept until the service restarts, the last 20)');
    res.set('Cache-Control', 'no-store').json(job);
  });
  return router;
}
