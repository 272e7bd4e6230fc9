/**
 * The panel's pages: login, dashboard, register (+ CSV), number page with marking, rankings, lists and rules,
 * settings. Every page wants a logged-in session; every form carries the session's CSRF token.
 */
import express, { Router, type Request, type Response } from 'express';
import { ZodError } from 'zod';
import type { Logger } from '../log.js';
import type { LiveSettings, LiveValues } from '../settings/live-settings.js';
import { VERDICTS, type Clock, type EvidenceLookup, type Verdict } from '../screening/types.js';
import { dayFromIso, dayStart, localDay, weekStart } from '../store/reports/local-days.js';
import { combineCommunity, type FriendReportsQuery, type FriendReportsRanking } from '../store/reports/community-rankings.js';
import type { RegisterFilter, Reports } from '../store/reports/reports.js';
import type { Register } from '../store/register/types.js';
import type { DossierService } from '../dossier/index.js';
import { keyFromParam } from './api.js';
import { csrfMatches, parseCookies, verifyPassword, type LoginLimiter, type Session, type Sessions } from './auth.js';
import { registerCsv } from './csv.js';
import { dossierQueryOf } from './dossier-routes.js';
import { HttpError } from './http-error.js';
import { query } from './html.js';
import type { ImportJobs } from './import-jobs.js';
import { importPageRouter } from './import-routes.js';
import { isLang, localeFor, pickLang, type Locale } from './i18n.js';
import { dashboardPage } from './pages/dashboard.js';
import type { TrunkStatus } from '../trunk/registration.js';
import { dossierPage } from './pages/dossier.js';
import type { PageContext } from './pages/layout.js';
import { loginPage } from './pages/login.js';
import { numberPage } from './pages/number.js';
import { PERIODS, rankingsPage, type PeriodKey } from './pages/rankings.js';
import { ACTION_FILTERS, registerPage, type RegisterParams } from './pages/register.js';
import { rulesPage } from './pages/rules.js';
import { settingsPage } from './pages/settings.js';
import { applyPolicyForm } from './policy-form.js';
import { linesNow } from './lines-now.js';

export interface PanelPagesDeps {
  register: Register;
  /** The evidence the number page classifies with (the register's plus friends' reports); default the register. */
  evidence?: EvidenceLookup;
  reports: Reports;
  live: LiveSettings;
  sessions: Sessions;
  limiter: LoginLimiter;
  /** The admin password's scrypt hash; null = no password configured (login impossible). */
  adminHash: string | null;
  clock: Clock;
  timeZone: string;
  defaultCountry: string;
  logger: Logger;
  /** The evidence dossier's page (`/dossier`); without it the page is not mounted. */
  dossier?: DossierService;
  /** The import page (`/import`, a multipart upload that checks its own CSRF field); without it not mounted. */
  imports?: ImportJobs;
  /** Friends' reports per company for the rankings page's "Friends' reports"; without it the section is not shown. */
  community?: (q: FriendReportsQuery) => Promise<FriendReportsRanking>;
  /** The registration to the carrier, for the dashboard's trunk line; absent or null: no registration trunk. */
  trunk?: () => TrunkStatus | null;
}

const LANG_COOKIE = 'crocetta_lang';
const PAGE_SIZE = 50;

function one(value: unknown, max = 64): string | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  return v === '' ? undefined : v.slice(0, max);
}

function sendHtml(res: Response, body: { toString(): string }): void {
  res.type('html').send(body.toString());
}

export function localeOf(req: Request, timeZone: string): Locale {
  return localeFor(pickLang(parseCookies(req.get('cookie')).get(LANG_COOKIE), req.get('accept-language')), timeZone);
}

/** Filters from the query string, checked; `since`/`until` from local dates. */
export function registerFilter(q: Request['query'], timeZone: string): { params: RegisterParams; filter: RegisterFilter } {
  const params: RegisterParams = {};
  const filter: RegisterFilter = {};
  const from = one(q.from);
  const fromDay = from === undefined ? undefined : dayFromIso(from);
  if (fromDay !== undefined) {
    params.from = from;
    filter.since = dayStart(fromDay, timeZone);
  }
  const to = one(q.to);
  const toDay = to === undefined ? undefined : dayFromIso(to);
  if (toDay !== undefined) {
    params.to = to;
    filter.until = dayStart(toDay + 1, timeZone);
  }
  const verdict = one(q.verdict);
  if (verdict !== undefined && (VERDICTS as readonly string[]).includes(verdict)) {
    params.verdict = verdict;
    filter.verdict = verdict as Verdict;
  }
  const action = one(q.action);
  if (action !== undefined && (ACTION_FILTERS as readonly string[]).includes(action)) {
    params.action = action;
    filter.action = action;
  }
  const did = one(q.did);
  if (did !== undefined) {
    params.did = did;
    filter.did = did;
  }
  const text = one(q.q);
  if (text !== undefined) {
    params.q = text;
    filter.text = text;
  }
  return { params, filter };
}

export function panelRouter(deps: PanelPagesDeps): Router {
  const router = Router();
  const { reports, register, live, sessions, timeZone } = deps;
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 });

  // ?lang=it|en: remember the choice, then show the same page without the parameter.
  router.use((req, res, next) => {
    const lang = req.query.lang;
    if (req.method === 'GET' && isLang(lang)) {
      res.cookie(LANG_COOKIE, lang, { sameSite: 'lax', httpOnly: true, maxAge: 365 * 86_400_000, path: '/' });
      const params = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
      params.delete('lang');
      const rest = params.toString();
      res.redirect(303, `${req.path}${rest ? `?${rest}` : ''}`);
      return;
    }
    next();
  });

  const ctxOf = (req: Request, res: Response): PageContext => ({
    loc: localeOf(req, timeZone),
    csrf: (res.locals.session as Session).csrf,
    path: req.originalUrl,
    now: deps.clock.now(),
    timeZone,
  });

  const checkCsrf = (req: Request, session: Session | undefined): void => {
    const body = req.body as Record<string, unknown> | undefined;
    if (!csrfMatches(session, body?._csrf)) {
      throw new HttpError(403, 'this form has expired or did not come from the panel (CSRF token missing or wrong): reload the page and try again');
    }
  };

  router.get('/login', (req, res) => {
    const current = sessions.fromRequest(req);
    if (current?.authenticated) {
      res.redirect(303, '/');
      return;
    }
    const session = current ?? sessions.create(req, res, false);
    sendHtml(res, loginPage(localeOf(req, timeZone), session.csrf, { configured: deps.adminHash !== null }));
  });

  router.post('/login', form, async (req, res) => {
    const loc = localeOf(req, timeZone);
    const client = req.socket.remoteAddress ?? 'unknown';
    const anon = sessions.fromRequest(req);
    checkCsrf(req, anon);
    const csrf = (anon as Session).csrf;
    if (deps.limiter.blocked(client)) {
      deps.logger.warn({ client }, 'panel login refused: too many failures');
      throw new HttpError(429, loc.t('loginLimited'));
    }
    const password = (req.body as Record<string, unknown>).password;
    const ok = deps.adminHash !== null && typeof password === 'string' && password.length <= 1024 && (await verifyPassword(password, deps.adminHash));
    if (!ok) {
      deps.limiter.fail(client);
      deps.logger.warn({ client }, 'panel login failed');
      res.status(401);
      sendHtml(res, loginPage(loc, csrf, { configured: deps.adminHash !== null, error: loc.t('loginWrong') }));
      return;
    }
    deps.limiter.succeed(client);
    if (anon) sessions.destroy(anon); // the new session's cookie replaces it
    sessions.create(req, res, true);
    deps.logger.info({ client }, 'panel login');
    res.redirect(303, '/');
  });

  router.post('/logout', form, (req, res) => {
    const session = sessions.fromRequest(req);
    checkCsrf(req, session);
    if (session) sessions.destroy(session, res);
    res.redirect(303, '/login');
  });

  // Everything below wants a logged-in session.
  router.use((req, res, next) => {
    const session = sessions.fromRequest(req);
    if (!session?.authenticated) {
      res.redirect(303, '/login');
      return;
    }
    res.locals.session = session;
    next();
  });
  if (deps.imports !== undefined) router.use(importPageRouter(deps.imports, ctxOf));
  router.post('/{*rest}', form, (req, res, next) => {
    checkCsrf(req, res.locals.session as Session);
    next();
  });

  router.get('/', async (req, res) => {
    const ctx = ctxOf(req, res);
    const today = localDay(ctx.now, timeZone);
    const week = { sinceDay: weekStart(today), untilDay: today + 1 };
    const [todayTotals, weekTotals, perDay, topOffenders] = await Promise.all([
      reports.totals({ sinceDay: today, untilDay: today + 1 }),
      reports.totals(week),
      reports.perDay({ sinceDay: today - 29, untilDay: today + 1 }),
      reports.rankNumbers({ ...week, limit: 10 }),
    ]);
    sendHtml(res, dashboardPage(ctx, { today: todayTotals, week: weekTotals, perDay, topOffenders, trunk: deps.trunk?.() ?? null }));
  });

  router.get('/register', async (req, res) => {
    const ctx = ctxOf(req, res);
    const { params, filter } = registerFilter(req.query, timeZone);
    const before = /^(\d{1,15})\.(\d{1,15})$/.exec(one(req.query.before) ?? '');
    if (before) filter.before = { time: Number(before[1]), id: Number(before[2]) };
    const rows = await reports.register({ ...filter, limit: PAGE_SIZE + 1 });
    const page = rows.slice(0, PAGE_SIZE);
    const last = page[page.length - 1];
    const [ticks, dids, vocab] = await Promise.all([
      reports.ticks(page.flatMap((a) => (a.callerKey === null ? [] : [a.callerKey]))),
      reports.calledNumbers(localDay(ctx.now, timeZone) - 90),
      reports.markVocabulary(),
    ]);
    sendHtml(
      res,
      registerPage(ctx, {
        params,
        rows: page,
        ticks,
        dids,
        vocab,
        isFirstPage: !before,
        olderQuery: rows.length > PAGE_SIZE && last ? query({ ...params, before: `${last.time}.${last.id}` }) : null,
      }),
    );
  });

  router.get('/register.csv', async (req, res) => {
    const { filter } = registerFilter(req.query, timeZone);
    res.type('text/csv; charset=utf-8');
    res.attachment(`crocetta-register-${new Date(deps.clock.now()).toISOString().slice(0, 10)}.csv`);
    await registerCsv(reports, filter, timeZone, (chunk) => res.write(chunk));
    res.end();
  });

  router.get('/numbers/:number', async (req, res) => {
    const ctx = ctxOf(req, res);
    const { key, identity } = keyFromParam(req.params.number, deps.defaultCountry);
    const today = localDay(ctx.now, timeZone);
    const [summary, days, history, attempts, vocab] = await Promise.all([
      register.numberSummary(key),
      reports.callerDays(key, today - 365),
      register.markHistory(key, 50),
      register.attempts({ callerKey: key, limit: 50 }),
      reports.markVocabulary(),
    ]);
    const evidence = (deps.evidence ?? register).evidenceFor(key);
    const decision = live.classify(identity, evidence, ctx.now);
    const lines = linesNow(live, identity, evidence, ctx.now, deps.defaultCountry);
    sendHtml(
      res,
      numberPage(ctx, {
        callerKey: key,
        type: identity.number?.type ?? null,
        decision,
        mark: summary.mark,
        total: summary.attempts,
        days,
        history,
        attempts,
        vocab,
        lines,
      }),
    );
  });

  router.post('/numbers/:number/mark', async (req, res) => {
    const { key } = keyFromParam(req.params.number, deps.defaultCountry);
    const body = req.body as Record<string, unknown>;
    const label = body.label;
    if (label !== 'nuisance' && label !== 'trusted' && label !== 'none') throw new HttpError(400, 'label: expected nuisance, trusted or none');
    await register.mark(key, {
      label,
      company: label === 'none' ? null : (one(body.company, 120) ?? null),
      category: label === 'none' ? null : (one(body.category, 60)?.toLowerCase() ?? null),
      at: deps.clock.now(),
      by: 'panel',
    });
    const back = one(body.return, 2000);
    res.redirect(303, back && back.startsWith('/') && !back.startsWith('//') ? back : `/numbers/${encodeURIComponent(key)}`);
  });

  const dossier = deps.dossier;
  if (dossier !== undefined) {
    router.get('/dossier', async (req, res) => {
      const { params, query: q } = dossierQueryOf(req.query, deps.defaultCountry, timeZone);
      sendHtml(res, dossierPage(ctxOf(req, res), params, q === null ? null : await dossier.build(q)));
    });
  }

  router.get('/rankings', async (req, res) => {
    const ctx = ctxOf(req, res);
    const p = one(req.query.period);
    const period: PeriodKey = p !== undefined && Object.hasOwn(PERIODS, p) ? (p as PeriodKey) : '30';
    const today = localDay(ctx.now, timeZone);
    const vocab = await reports.markVocabulary();
    const cat = one(req.query.category);
    const category = cat !== undefined && vocab.categories.includes(cat) ? cat : undefined;
    const range = { sinceDay: today - Number(period) + 1, untilDay: today + 1, ...(category !== undefined && { category }) };
    const [companies, numbers, friends] = await Promise.all([
      reports.rankCompanies(range),
      reports.rankNumbers({ ...range, limit: 20 }),
      deps.community?.({ since: dayStart(range.sinceDay, timeZone), until: dayStart(range.untilDay, timeZone), ...(category !== undefined && { category }) }),
    ]);
    const community = friends === undefined ? undefined : combineCommunity(friends, companies);
    sendHtml(res, rankingsPage(ctx, { period, category, categories: vocab.categories, companies, numbers, ...(community && { community }) }));
  });

  const saved = (req: Request, ctx: PageContext) =>
    req.query.saved === '1' ? { ok: true, text: ctx.loc.t('saved') } : null;

  const apply = async (req: Request, res: Response, next: LiveValues, render: (message: { ok: boolean; text: string }) => void) => {
    try {
      await live.update(next);
    } catch (err) {
      if (!(err instanceof ZodError)) throw err;
      render({ ok: false, text: err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      return;
    }
    deps.logger.info({ settings: live.current }, 'settings changed in the panel');
    res.redirect(303, `${req.path}?saved=1`);
  };

  router.get('/rules', (req, res) => {
    const ctx = ctxOf(req, res);
    sendHtml(res, rulesPage(ctx, { values: live.current, overlaid: live.isOverlaid, message: saved(req, ctx) }));
  });

  router.post('/rules', async (req, res) => {
    const ctx = ctxOf(req, res);
    const body = req.body as Record<string, unknown>;
    const next = live.current;
    const s = next.screening;
    switch (body.section) {
      case 'prefix-add':
        s.prefixes.push({ prefix: one(body.prefix) ?? '', verdict: one(body.verdict) as 'nuisance', label: one(body.label, 200) ?? '' });
        break;
      case 'prefix-remove':
        s.prefixes.splice(Number(body.index), 1);
        break;
      case 'packs':
        s.packs = {
          IT: { enabled: body.itEnabled === '1', telemarketing: body.itTelemarketing as 'nuisance', surveys: body.itSurveys as 'suspect' },
          FR: { enabled: body.frEnabled === '1', automated: body.frAutomated as 'nuisance' },
        };
        break;
      case 'repeat':
        s.repeat = { enabled: body.enabled === '1', attempts: Number(body.attempts), withinDays: Number(body.withinDays) };
        break;
      default:
        throw new HttpError(400, 'section: unknown form');
    }
    await apply(req, res, next, (message) =>
      sendHtml(res, rulesPage(ctx, { values: next, overlaid: live.isOverlaid, message })),
    );
  });

  router.get('/settings', (req, res) => {
    const ctx = ctxOf(req, res);
    sendHtml(res, settingsPage(ctx, { values: live.current, overlaid: live.isOverlaid, message: saved(req, ctx) }));
  });

  router.post('/settings', async (req, res) => {
    const ctx = ctxOf(req, res);
    const body = req.body as Record<string, unknown>;
    const next = live.current;
    if (!applyPolicyForm(next, body)) {
      for (const v of ['trusted', 'unknown', 'suspect', 'nuisance', 'withheld'] as const) {
        next.actions[v] = typeof body[v] === 'string' ? body[v] : '';
      }
    }
    await apply(req, res, next, (message) =>
      sendHtml(res, settingsPage(ctx, { values: next, overlaid: live.isOverlaid, message })),
    );
  });

  router.post('/settings/reset', async (_req, res) => {
    await live.reset();
    deps.logger.info('panel settings reset to the configuration file');
    res.redirect(303, '/settings?saved=1');
  });

  return router;
}
