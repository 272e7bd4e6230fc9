import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from '../log.js';
import { ImportRejectedError } from '../sharing/import.js';
import { RegisterUnavailableError } from '../store/register/register.js';
import { HttpError, type Said } from './http-error.js';
import { textIn, type Lang } from './i18n.js';
import { importErrorText } from './import-error-text.js';
import { EmptyImportError, ImportBusyError, ImportTooLargeError, UnknownImportFormatError } from './import-jobs.js';
import { zodErrorText, zodErrorTextForApi } from './zod-error-text.js';

/** The import pipeline's refusals (import-jobs.ts), by status. */
const IMPORT_REFUSALS: ReadonlyArray<[new (...args: never[]) => Error, number]> = [
  [EmptyImportError, 400],
  [ImportBusyError, 409], // one import at a time: try again when it has finished
  [ImportTooLargeError, 413],
  [UnknownImportFormatError, 415],
];

/** Renders an error for a browser (the panel's pages); JSON is used for the API and when none is given. */
export type ErrorPage = (req: Request, status: number, message: string) => string;

/**
 * The panel's side of the error handler: its error page, and the office's language. A page's error (or the JSON
 * answer to panel.js's upload form) is said in that language; the JSON API (`/api/...`) keeps English.
 */
export interface PanelErrors {
  page: ErrorPage;
  langOf: (req: Request) => Lang;
}

function wantsHtml(req: Request, panel: PanelErrors | undefined): panel is PanelErrors {
  return panel !== undefined && !req.path.startsWith('/api/') && req.accepts(['json', 'html']) === 'html';
}

/** The language an error is said in: the office's on the panel's pages, English on the JSON API. */
function langFor(req: Request, panel: PanelErrors | undefined): Lang {
  return panel === undefined || isApi(req) ? 'en' : panel.langOf(req);
}

function isApi(req: Request): boolean {
  return req.path === '/api' || req.path.startsWith('/api/');
}

/** An error's text: `said` from the catalogue in `lang`, else (no catalogue text) `message` as it is. */
type Text = { said: Said } | { byLang: (lang: Lang) => string };

function sayIn(lang: Lang, text: Text): string {
  return 'said' in text ? textIn(lang, text.said.key, text.said.params) : text.byLang(lang);
}

/** The only place that knows HTTP status codes for errors. Clients get a clear message, never a stack. */
export function errorHandler(logger: Logger, panel?: PanelErrors): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const send = (status: number, text: Text) => {
      const message = sayIn(langFor(req, panel), text);
      res.status(status);
      if (wantsHtml(req, panel)) res.type('html').send(panel.page(req, status, message));
      else res.json({ error: message });
    };
    const said = (key: Said['key'], params?: Said['params']): Text => ({
      said: { key, ...(params !== undefined && { params }) },
    });
    if (err instanceof HttpError) {
      send(err.status, err.said !== undefined ? { said: err.said } : { byLang: () => err.message });
      return;
    }
    if (err instanceof ImportRejectedError) {
      // The file was read and refused: nothing was imported.
      send(422, {
        byLang: (lang) =>
          lang === 'en'
            ? err.message
            : `Importazione rifiutata, nulla è stato importato: ${err.line === undefined ? '' : `riga ${err.line}: `}${importErrorText(lang, err.reason)}`,
      });
      return;
    }
    const refusal = IMPORT_REFUSALS.find(([kind]) => err instanceof kind);
    if (refusal !== undefined) {
      send(refusal[1], { byLang: (lang) => importErrorText(lang, (err as Error).message) });
      return;
    }
    if (err instanceof RegisterUnavailableError) {
      send(503, said('errorRegisterUnavailable')); // the disk refuses writes (full, I/O errors): nothing changed
      return;
    }
    if (err instanceof ZodError) {
      // The JSON API names the parameter as documented; a page names the field as it labels it.
      const api = panel === undefined || isApi(req);
      const detail = (lang: Lang) => (api ? zodErrorTextForApi(err) : zodErrorText(lang, err));
      send(400, { byLang: (lang) => textIn(lang, 'errorInvalidRequest', { detail: detail(lang) }) });
      return;
    }
    // Body-parser errors carry a status (400 for bad JSON, 413 for too large).
    const status = (err as { status?: unknown }).status;
    const type = (err as { type?: unknown }).type;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      if (type === 'entity.parse.failed') send(status, said('errorBadJson'));
      else if (type === 'entity.too.large' || type === 'parameters.too.many') send(status, said('errorBodyTooLarge'));
      else send(status, { byLang: () => (err as Error).message });
      return;
    }
    logger.error({ err }, 'panel request failed');
    send(500, said('errorInternal'));
  };
}

export function notFound(panel?: PanelErrors): RequestHandler {
  return (req, res) => {
    const message = textIn(langFor(req, panel), 'errorNoRoute', { method: req.method, path: req.path });
    res.status(404);
    if (wantsHtml(req, panel)) res.type('html').send(panel.page(req, 404, message));
    else res.json({ error: message });
  };
}
