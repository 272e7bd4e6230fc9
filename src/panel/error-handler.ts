import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from '../log.js';
import { ImportRejectedError } from '../sharing/import.js';
import { RegisterUnavailableError } from '../store/register/register.js';
import { apiText } from './api-text.js';
import { HttpError, type Said } from './http-error.js';
import { textIn, type Lang } from './i18n.js';
import { importErrorText, importPageErrorText } from './import-error-text.js';
import {
  EmptyImportError,
  ImportBusyError,
  ImportCutShortError,
  ImportTooLargeError,
  UnknownImportFormatError,
} from './import-jobs.js';
import { zodErrorText, zodErrorTextForApi } from './zod-error-text.js';

/** The import pipeline's refusals (import-jobs.ts), by status. */
const IMPORT_REFUSALS: ReadonlyArray<[new (...args: never[]) => Error, number]> = [
  [EmptyImportError, 400],
  [ImportCutShortError, 400], // the client closed mid-upload: nobody may be listening, nothing is logged
  [ImportBusyError, 409], // one import at a time: try again when it has finished
  [ImportTooLargeError, 413],
  [UnknownImportFormatError, 415],
];

/** Renders an error for a browser (the panel's pages); JSON is used for the API and when none is given. */
export type ErrorPage = (req: Request, status: number, message: string) => string;

/**
 * The panel's side of the error handler: its error page, and the office's language. A page's error (or the JSON
 * answer to panel.js's upload form) is said in that language, in the page catalogue's words; the JSON API (`/api/...`)
 * keeps its own English words (api-text.ts).
 */
export interface PanelErrors {
  page: ErrorPage;
  langOf: (req: Request) => Lang;
}

function wantsHtml(req: Request, panel: PanelErrors | undefined): panel is PanelErrors {
  return panel !== undefined && !req.path.startsWith('/api/') && req.accepts(['json', 'html']) === 'html';
}

/** Whom an error is said to: the JSON API (its own words, English), or the office in its language (the panel). */
type Voice = 'api' | Lang;

function voiceFor(req: Request, panel: PanelErrors | undefined): Voice {
  return panel === undefined || isApi(req) ? 'api' : panel.langOf(req);
}

function isApi(req: Request): boolean {
  return req.path === '/api' || req.path.startsWith('/api/');
}

/** A catalogue error as `voice` says it: the API's words (api-text.ts), or the page catalogue's in the office's language. */
function sayKey(voice: Voice, key: Said['key'], params?: Said['params']): string {
  return voice === 'api' ? apiText(key, params) : textIn(voice, key, params);
}

/** An error's text: `said` from the catalogues, else (no catalogue text) as `byVoice` says it. */
type Text = { said: Said } | { byVoice: (voice: Voice) => string };

function sayIn(voice: Voice, text: Text): string {
  return 'said' in text ? sayKey(voice, text.said.key, text.said.params) : text.byVoice(voice);
}

/** What body-parser (and raw-body, zlib beneath it) put on the errors it passes to `next`. */
interface BodyParserError extends Error {
  type?: unknown;
  charset?: unknown;
  encoding?: unknown;
  code?: unknown;
}

/** body-parser's refusal of a request body, by its `type`, as the catalogue says it; undefined for any other error. */
function bodyRefusal(err: BodyParserError, req: Request): Said | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      return { key: 'errorBadJson' };
    case 'entity.too.large':
      return { key: 'errorBodyTooLarge' };
    case 'parameters.too.many':
      return { key: 'errorTooManyFields' };
    case 'charset.unsupported':
      return { key: 'errorCharset', params: { charset: String(err.charset).toUpperCase() } };
    case 'encoding.unsupported':
      return { key: 'errorContentEncoding', params: { encoding: String(err.encoding) } };
    case 'request.aborted':
      return { key: 'errorRequestAborted' };
    case 'request.size.invalid':
      return { key: 'errorRequestSize' };
  }
  // A compressed body that does not decompress: zlib's own error (Z_DATA_ERROR…, brotli's ERR_…), without a type.
  const encoding = req.get('content-encoding');
  if (err.type === undefined && typeof err.code === 'string' && encoding !== undefined && encoding !== 'identity')
    return { key: 'errorBodyDamaged', params: { encoding: encoding.slice(0, 40) } };
  return undefined;
}

/** The only place that knows HTTP status codes for errors. Clients get a clear message, never a stack. */
export function errorHandler(logger: Logger, panel?: PanelErrors): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) {
      // The answer had begun (a streamed export whose register read failed midway): it cannot turn into an error
      // page, and answering again would throw (ERR_HTTP_HEADERS_SENT) into Express's last handler, whose stack goes to
      // stderr outside the log. Said here once; the connection is cut, so the client sees a transfer cut short
      // (curl exits 18), never a file that looks whole.
      logger.error({ err, path: req.path }, 'panel answer failed after it had begun: connection cut');
      res.destroy();
      return;
    }
    const send = (status: number, text: Text) => {
      const message = sayIn(voiceFor(req, panel), text);
      res.status(status);
      if (wantsHtml(req, panel)) res.type('html').send(panel.page(req, status, message));
      else res.json({ error: message });
    };
    const said = (key: Said['key'], params?: Said['params']): Text => ({
      said: { key, ...(params !== undefined && { params }) },
    });
    if (err instanceof HttpError) {
      send(err.status, err.said !== undefined ? { said: err.said } : { byVoice: () => err.message });
      return;
    }
    if (err instanceof ImportRejectedError) {
      // The file was read and refused: nothing was imported.
      send(422, {
        byVoice: (voice) => {
          if (voice === 'api') return err.message; // the CLI's words: `import refused: line 3: …`
          const line = err.line === undefined ? '' : `${voice === 'it' ? 'riga' : 'line'} ${err.line}: `;
          const head =
            voice === 'it' ? 'Importazione rifiutata, nulla è stato importato' : 'Import refused, nothing was imported';
          return `${head}: ${line}${importPageErrorText(voice, err.reason)}`;
        },
      });
      return;
    }
    const refusal = IMPORT_REFUSALS.find(([kind]) => err instanceof kind);
    if (refusal !== undefined) {
      send(refusal[1], {
        byVoice: (voice) => importErrorText(voice === 'api' ? 'en' : voice, (err as Error).message),
      });
      return;
    }
    if (err instanceof RegisterUnavailableError) {
      send(503, said('errorRegisterUnavailable')); // the disk refuses writes (full, I/O errors): nothing changed
      return;
    }
    if (err instanceof ZodError) {
      // The JSON API names the parameter as documented; a page names the field as it labels it.
      const detail = (voice: Voice) => (voice === 'api' ? zodErrorTextForApi(err) : zodErrorText(voice, err));
      send(400, { byVoice: (voice) => sayKey(voice, 'errorInvalidRequest', { detail: detail(voice) }) });
      return;
    }
    // Body-parser's refusals of a body carry a status (kept) and a type: the catalogue's words for each, on a page in
    // the office's language, on the API its own stable words. Not logged: a client's fault (or a client gone: a
    // request aborted mid-body is answered into a closed socket, harmlessly).
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const body = bodyRefusal(err as BodyParserError, req);
      if (body !== undefined) send(status, { said: body });
      else
        send(status, {
          byVoice: (voice) => (voice === 'api' ? (err as Error).message : sayKey(voice, 'errorBadRequest')),
        });
      return;
    }
    logger.error({ err }, 'panel request failed');
    send(500, said('errorInternal'));
  };
}

export function notFound(panel?: PanelErrors): RequestHandler {
  return (req, res) => {
    const message = sayKey(voiceFor(req, panel), 'errorNoRoute', { method: req.method, path: req.path });
    res.status(404);
    if (wantsHtml(req, panel)) res.type('html').send(panel.page(req, 404, message));
    else res.json({ error: message });
  };
}
