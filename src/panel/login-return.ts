/**
 * Where the login sends the office back. Sessions live in memory (auth.ts), so a restart of crocetta, or a panel left
 * open past its 12 idle hours, sends the next request to the login form. Without this the login then showed the
 * dashboard: a bookmarked or linked page (`/numbers/…`, `/register?verdict=nuisance`, `/dossier?company=…`) was lost,
 * and a form posted at that moment (a mark with its company and category) was dropped without a word.
 *
 * The page asked for (or, for a posted form, the page it was posted from) is kept in a short-lived cookie while the
 * office logs in (the redirect itself stays `303 /login`), with a flag when a form was not saved: the login form then
 * says so, and the login goes back to that page. Only paths of the panel are kept (never another site's address).
 */
import type { Request, Response } from 'express';
import { parseCookies } from './auth.js';

export const RETURN_COOKIE = 'crocetta_return';

/** Where to go after the login, and whether a posted form was dropped on the way. */
export interface LoginReturn {
  path: string;
  /** A form was posted without a session: nothing of it was done. */
  dropped: boolean;
}

/** A path of the panel the login may send the office to, else null (another site, the login itself, junk). */
export function panelPath(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 2000) return null;
  // One leading slash, then not a second one or a backslash (`//evil.example` and `/\evil.example` leave the site).
  if (!/^\/(?![/\\])/.test(value) || value.includes('\\') || [...value].some((c) => c < ' ' || c === '\x7f'))
    return null;
  if (/^\/(?:login|logout)(?:[/?#]|$)/.test(value)) return null;
  return value;
}

/** The page a form posted to `path` belongs to: a mark's number page, the settings for their reset, else itself. */
function pageOfForm(path: string): string {
  const mark = /^(\/numbers\/[^/]+)\/mark$/.exec(path);
  if (mark?.[1] !== undefined) return mark[1];
  if (path === '/settings/reset') return '/settings';
  return path;
}

/** A navigation to a page (Sec-Fetch-Dest: document; without that header, an Accept that wants HTML). */
function opensPage(req: Request): boolean {
  const dest = req.get('sec-fetch-dest');
  return dest !== undefined ? dest === 'document' : (req.get('accept') ?? '').includes('text/html');
}

/** Remembers, on the way to the login form, the page `req` asked for (or whose form it posted). */
export function rememberReturn(req: Request, res: Response): void {
  const get = req.method === 'GET' || req.method === 'HEAD';
  // Only a page the office opened: not the icon, a script or an image the browser fetched for the login form.
  if (get && !opensPage(req)) return;
  const path = panelPath(get ? req.originalUrl : pageOfForm(req.path));
  if (path === null || (get && path === '/')) return;
  res.cookie(RETURN_COOKIE, `${get ? 'page' : 'dropped'}:${path}`, {
    httpOnly: true,
    sameSite: 'lax',
    secure: req.secure,
    path: '/',
    maxAge: 3600_000,
  });
}

/** Where the login should send the office back, if anything was remembered. */
export function returnOf(req: Request): LoginReturn | null {
  const value = parseCookies(req.get('cookie')).get(RETURN_COOKIE) ?? '';
  const m = /^(page|dropped):(.*)$/s.exec(value);
  const path = panelPath(m?.[2]);
  return m === null || path === null ? null : { path, dropped: m[1] === 'dropped' };
}

export function forgetReturn(res: Response): void {
  res.clearCookie(RETURN_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax' });
}
