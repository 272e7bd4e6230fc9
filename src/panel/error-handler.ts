import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from '../log.js';
import { HttpError } from './http-error.js';

/** The only place that knows HTTP status codes for errors. Clients get a clear message, never a stack. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: err.message });
      return;
    }
    if (err instanceof ZodError) {
      const detail = err.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
      res.status(400).json({ error: `invalid request: ${detail}` });
      return;
    }
    // express.json() errors carry a status (400 for bad JSON, 413 for too large).
    const status = (err as { status?: unknown }).status;
    const type = (err as { type?: unknown }).type;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ error: type === 'entity.parse.failed' ? 'invalid JSON body' : (err as Error).message });
      return;
    }
    logger.error({ err }, 'panel request failed');
    res.status(500).json({ error: 'internal error' });
  };
}

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: `no such route: ${req.method} ${req.path}` });
};
