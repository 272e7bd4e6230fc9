/**
 * The panel's one auth middleware, mounted once in front of every route: the request's path says who may use it.
 * - public: health, readiness (its details only with the API token or a session: `readsDetails`), metrics (unless
 *   `panel.metricsToken` is set: then its route asks `scrapes` first), the static assets and the icon
 *   (`/favicon.ico`), the login form;
 * - friends' feed (`/api/feed...`): the feed token or the API token, as a bearer token (a session does not open it);
 * - the JSON API (`/api/...`): the bearer token, or a logged-in session (its writes then carry `X-CSRF-Token`);
 *   a request with an Authorization header is always judged by its token; both answer a request they refuse 401
 *   with `WWW-Authenticate: Bearer` (refuseBearer; `Bearer error="invalid_token"` when a bearer token was sent);
 * - the pages (anything else): a logged-in session, else a redirect to /login (which then goes back to that page,
 *   saying so when a posted form was not done: login-return.ts); a form posted to a page carries the
 *   session's CSRF token in `_csrf` (the form is parsed here, before the route), except an upload
 *   (`UPLOAD_PATHS`, multipart), whose route checks `_csrf` before reading a byte of the file
 *   (`uploadCsrfMatches`). Login and logout check `_csrf` against the session they find, logged in or not.
 * Routes find the session in `res.locals.session` (`sessionOf`).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { csrfMatches, type Session, type Sessions } from './auth.js';
import { HttpError } from './http-error.js';
import { rememberReturn } from './login-return.js';

export interface AuthDeps {
  sessions: Sessions;
  /** The JSON API's bearer token; empty = the API is not configured (503), sessions still open it. */
  apiToken: string;
  /** The friends' feed token; empty = only the API token opens the feed. */
  feedToken: string;
}

const PUBLIC_PATHS = new Set(['/healthz', '/readyz', '/metrics', '/favicon.ico']);
/** Page forms posted without a logged-in session: they check `_csrf` against the anonymous session. */
const SESSION_PATHS = new Set(['/login', '/logout']);
/** Multipart uploads whose route checks the CSRF field itself, before the file. */
export const UPLOAD_PATHS = new Set(['/import']);

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function bearerOf(req: Request): Buffer | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
  return m?.[1] ? digest(m[1].trim()) : undefined;
}

/** True when `given` is one of `accepted` (constant time for each). */
function oneOf(given: Buffer | undefined, accepted: readonly Buffer[]): boolean {
  let ok = false;
  for (const t of accepted) if (given !== undefined && timingSafeEqual(t, given)) ok = true;
  return ok;
}

/** The session the auth middleware found for this request (logged in or not), if any. */
export function sessionOf(res: Response): Session | undefined {
  return res.locals.session as Session | undefined;
}

/** The upload's CSRF check (the `X-CSRF-Token` header from panel.js, else the form's `_csrf` field). */
export function uploadCsrfMatches(req: Request, res: Response, field: string | undefined): boolean {
  return csrfMatches(sessionOf(res), req.get('x-csrf-token') ?? field);
}

/**
 * Whether a request to a public route may read what that route keeps from strangers (/readyz's accounts and their
 * carriers): it carries the API token as its bearer token, or a logged-in session. Never refuses: a missing or wrong
 * token reads as a stranger, so a load balancer's probe keeps working.
 */
export function readsDetails(deps: Pick<AuthDeps, 'sessions' | 'apiToken'>): (req: Request) => boolean {
  return bearerOrSession([deps.apiToken], deps.sessions);
}

/**
 * Whether a request carries one of `tokens` (empty ones ignored) as its bearer token, or, without an Authorization
 * header, a logged-in session: what readsDetails and scrapes both ask.
 */
function bearerOrSession(tokens: readonly string[], sessions: AuthDeps['sessions']): (req: Request) => boolean {
  const accepted = tokens.filter((t) => t !== '').map(digest);
  return (req) =>
    req.get('authorization') !== undefined
      ? oneOf(bearerOf(req), accepted)
      : sessions.fromRequest(req)?.authenticated === true;
}

/**
 * `GET /metrics`, mounted in front of its route (before `authenticate`, so a scrape never waits for the register's
 * commit): public while `metricsToken` is empty; once set, the metrics token or the API token as bearer token
 * (`authorization: { credentials: ... }` in Prometheus's scrape_configs), or a logged-in session without an
 * Authorization header (as `readsDetails`); else 401 with `WWW-Authenticate: Bearer`. Its per-account series name each
 * carrier line's user name and carrier.
 */
export function scrapes(
  deps: Pick<AuthDeps, 'sessions' | 'apiToken'> & {
    /** The Prometheus scrape token; empty = /metrics is public. */
    metricsToken: string;
  },
): RequestHandler {
  if (deps.metricsToken === '') return (_req, _res, next) => next();
  const allowed = bearerOrSession([deps.metricsToken, deps.apiToken], deps.sessions);
  return (req, res, next) => {
    if (allowed(req)) return next();
    refuseBearer(req, res);
  };
}

/**
 * 401 for a request without an accepted bearer token, with `WWW-Authenticate: Bearer` (RFC 6750 §3, RFC 9110
 * §15.5.2: a 401 says how to authenticate): the JSON API, the friends' feed and /metrics behind its token. A request
 * that sent a bearer token we do not accept (wrong, or an old one since changed) gets `error="invalid_token"` with it
 * (§3.1), so a script can tell a wrong token from a missing one; a request without one, or with another scheme
 * (Basic), gets the bare challenge (§3: no error code when the request lacks authentication information).
 */
function refuseBearer(req: Request, res: Response): never {
  const given = bearerOf(req) !== undefined;
  res.set('WWW-Authenticate', given ? 'Bearer error="invalid_token"' : 'Bearer');
  throw new HttpError(401, given ? 'invalid bearer token' : 'missing bearer token');
}

export function authenticate(deps: AuthDeps): RequestHandler {
  const api = deps.apiToken === '' ? [] : [digest(deps.apiToken)];
  const feed = [deps.feedToken, deps.apiToken].filter((t) => t !== '').map(digest);
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 });
  const checkForm = (req: Request, res: Response, next: (err?: unknown) => void) => {
    form(req, res, (err?: unknown) => {
      if (err !== undefined) return next(err);
      const body = req.body as Record<string, unknown> | undefined;
      next(csrfMatches(sessionOf(res), body?._csrf) ? undefined : HttpError.said(403, 'errorCsrf'));
    });
  };

  return (req, res, next) => {
    const path = req.path;
    if (PUBLIC_PATHS.has(path) || path.startsWith('/assets/')) return next();

    if (path === '/api/feed' || path.startsWith('/api/feed/')) {
      if (feed.length === 0)
        throw new HttpError(503, 'the feed is not configured: set CROCETTA_FEED_TOKEN or CROCETTA_API_TOKEN');
      if (!oneOf(bearerOf(req), feed)) refuseBearer(req, res);
      return next();
    }

    if (path === '/api' || path.startsWith('/api/')) {
      const session = req.get('authorization') === undefined ? deps.sessions.fromRequest(req) : undefined;
      if (session?.authenticated) {
        if (req.method !== 'GET' && req.method !== 'HEAD' && !csrfMatches(session, req.get('x-csrf-token'))) {
          throw new HttpError(403, 'missing or wrong X-CSRF-Token for a session request');
        }
        res.locals.session = session;
        return next();
      }
      if (api.length === 0) throw new HttpError(503, 'the JSON API is not configured: set CROCETTA_API_TOKEN');
      if (!oneOf(bearerOf(req), api)) refuseBearer(req, res);
      return next();
    }

    const session = deps.sessions.fromRequest(req);
    res.locals.session = session;
    if (SESSION_PATHS.has(path)) return req.method === 'POST' ? checkForm(req, res, next) : next();
    if (!session?.authenticated) {
      // The login goes back to this page; a form posted here is not done, and the login form says so.
      rememberReturn(req, res);
      res.redirect(303, '/login');
      return;
    }
    if (req.method !== 'POST') return next();
    if (UPLOAD_PATHS.has(path) && req.is('multipart/form-data')) return next();
    checkForm(req, res, next);
  };
}
