/** What the page routes share: the office's language (cookie, `?lang=`), the page context, sending HTML. */
import type { Request, RequestHandler, Response } from 'express';
import type { Clock } from '../screening/types.js';
import { parseCookies } from './auth.js';
import { sessionOf } from './authenticate.js';
import { isLang, localeFor, pickLang, type Lang, type Locale } from './i18n.js';
import type { PageContext } from './pages/layout.js';

const LANG_COOKIE = 'crocetta_lang';

/** The office's language for this request: the cookie, else Accept-Language, else Italian. */
export function langOf(req: Request): Lang {
  return pickLang(parseCookies(req.get('cookie')).get(LANG_COOKIE), req.get('accept-language'));
}

export function localeOf(req: Request, timeZone: string, country: string): Locale {
  return localeFor(langOf(req), timeZone, country);
}

/** What a page's context is made from: the clock, the business's time zone and its country (numbers' format). */
export interface PageDeps {
  clock: Clock;
  timeZone: string;
  defaultCountry: string;
}

/** What every page needs, for a request the auth middleware let through (a logged-in session). */
export function pageContext(req: Request, res: Response, deps: PageDeps): PageContext {
  const { clock, timeZone } = deps;
  return {
    loc: localeOf(req, timeZone, deps.defaultCountry),
    csrf: sessionOf(res)?.csrf ?? '',
    path: req.originalUrl,
    now: clock.now(),
    timeZone,
  };
}

export function sendHtml(res: Response, body: { toString(): string }): void {
  res.type('html').send(body.toString());
}

/** `GET <page>?lang=it|en`: remember the choice, then show the same page without the parameter. */
export const chooseLanguage: RequestHandler = (req, res, next) => {
  const lang = req.query.lang;
  if (req.method === 'GET' && isLang(lang) && !req.path.startsWith('/api/')) {
    res.cookie(LANG_COOKIE, lang, { sameSite: 'lax', httpOnly: true, maxAge: 365 * 86_400_000, path: '/' });
    const params = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
    params.delete('lang');
    const rest = params.toString();
    res.redirect(303, `${req.path}${rest ? `?${rest}` : ''}`);
    return;
  }
  next();
};
