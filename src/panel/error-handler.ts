import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from '../log.js';
import { ImportRejectedError } from '../sharing/import.js';
import { RegisterUnavailableError } from '../store/register/register.js';
import { HttpError } from './http-error.js';
import { EmptyImportError, ImportBusyError, ImportTooLargeError, UnknownImportFormatError } from './import-jobs.js';

/** The import pipeline's refusals (import-jobs.ts), by status. */
const IMPORT_REFUSALS: ReadonlyArray<[new (...args: never[]) => Error, number]> = [
  [EmptyImportError, 400],
  [ImportBusyError, 409], // one import at a time: try again when it has finished
  [ImportTooLargeError, 413],
  [UnknownImportFormatError, 415],
];

/** Renders an error for a browser (the panel's pages); JSON is used for the API and when none is given. */
export type ErrorPage = (req: Request, status: number, message: string) => string;

function wantsHtml(req: Request, page: ErrorPage | undefined): page is ErrorPage {
  return page !== undefined && !req.path.startsWith('/api/') && req.accepts(['json', 'html']) === 'html';
}

/** The only place that knows HTTP status codes for errors. Clients get a clear message, never a stack. */
export function errorHandler(logger: Logger, page?: ErrorPage): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const send = (status: number, message: string) => {
      res.status(status);
      if (wantsHtml(req, page)) res.type('html').send(page(req, status, message));
      else res.json({ error: message });
    };
    if (err instanceof HttpError) {
      send(err.status, err.message);
      return;
    }
    if (err instanceof ImportRejectedError) {
      send(422, err.message); // the file was read and refused: nothing was imported
      return;
    }
    const refusal = IMPORT_REFUSALS.find(([kind]) => err instanceof kind);
    if (refusal !== undefined) {
      send(refusal[1], (err as Error).message);
      return;
    }
    if (err instanceof RegisterUnavailableError) {
      send(503, err.message); // the disk refuses writes (full, I/O errors): nothing changed, try again later
      return;
    }
    if (err instanceof ZodError) {
      const detail = err.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
      send(400, `invalid request: ${detail}`);
      return;
    }
    // Body-parser errors carry a status (400 for bad JSON, 413 for too large).
    const status = (err as { status?: unknown }).status;
    const type = (err as { type?: unknown }).type;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      send(status, type === 'entity.parse.failed' ? 'invalid JSON body' : (err as Error).message);
      return;
    }
    logger.error({ err }, 'panel request failed');
    send(500, 'internal error');
  };
}

export function notFound(page?: ErrorPage): RequestHandler {
  return (req, res) => {
    const message = `no such route: ${req.method} ${req.path}`;
    res.status(404);
    if (wantsHtml(req, page)) res.type('html').send(page(req, 404, message));
    else res.json({ error: message });
  };
}
