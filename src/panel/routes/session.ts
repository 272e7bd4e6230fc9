/** The office's session: the login form, logging in (limited per client) and out. CSRF: authenticate.ts. */
import { Router } from 'express';
import { z } from 'zod';
import { verifyPassword } from '../auth.js';
import { sessionOf } from '../authenticate.js';
import type { PanelDeps } from '../deps.js';
import { HttpError } from '../http-error.js';
import { forgetReturn, returnOf } from '../login-return.js';
import { localeOf, sendHtml } from '../page.js';
import { loginPage } from '../pages/login.js';
import { parseRequest } from '../request.js';

const loginForm = z.object({ password: z.string().max(1024).optional().catch(undefined) });

export function sessionRouter(
  deps: Pick<PanelDeps, 'sessions' | 'limiter' | 'adminHash' | 'timeZone' | 'defaultCountry' | 'logger'>,
): Router {
  const router = Router();
  const { sessions, timeZone } = deps;
  const configured = deps.adminHash !== null;

  router.get('/login', (req, res) => {
    const current = sessionOf(res);
    const back = returnOf(req);
    if (current?.authenticated) {
      if (back !== null) forgetReturn(res);
      res.redirect(303, back?.path ?? '/');
      return;
    }
    const session = current ?? sessions.create(req, res, false);
    sendHtml(
      res,
      loginPage(localeOf(req, timeZone, deps.defaultCountry), session.csrf, {
        configured,
        dropped: back?.dropped === true,
      }),
    );
  });

  router.post('/login', async (req, res) => {
    const loc = localeOf(req, timeZone, deps.defaultCountry);
    const client = req.socket.remoteAddress ?? 'unknown';
    const anon = sessionOf(res);
    // authenticate.ts passes a login form only with its session's CSRF token (/login is a session path; any other
    // spelling of it, /LOGIN or /login/, wants a logged-in session): there is always a session here.
    if (anon === undefined) throw HttpError.said(403, 'errorCsrf');
    if (deps.limiter.blocked(client)) {
      deps.logger.warn({ client }, 'panel login refused: too many failures');
      throw HttpError.said(429, 'loginLimited');
    }
    const { password } = parseRequest(req, { body: loginForm }).body;
    const ok = deps.adminHash !== null && password !== undefined && (await verifyPassword(password, deps.adminHash));
    if (!ok) {
      deps.limiter.fail(client);
      deps.logger.warn({ client }, 'panel login failed');
      res.status(401);
      const dropped = returnOf(req)?.dropped === true;
      sendHtml(res, loginPage(loc, anon.csrf, { configured, dropped, error: loc.t('loginWrong') }));
      return;
    }
    deps.limiter.succeed(client);
    sessions.destroy(anon); // the new session's cookie replaces it
    sessions.create(req, res, true);
    deps.logger.info({ client }, 'panel login');
    // Back to the page the office was on when the login was asked for (login-return.ts), else the dashboard.
    const back = returnOf(req);
    if (back !== null) forgetReturn(res);
    res.redirect(303, back?.path ?? '/');
  });

  router.post('/logout', (_req, res) => {
    const session = sessionOf(res);
    if (session) sessions.destroy(session, res);
    res.redirect(303, '/login');
  });

  return router;
}
