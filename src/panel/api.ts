import { timingSafeEqual, createHash } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { normalizeNumber } from '../callerid/index.js';
import { UNKNOWN_CALLER, type CallerIdentity } from '../callerid/types.js';
import type { Clock, Decision, CallerEvidence } from '../screening/types.js';
import { combineCommunity, type FriendReportsQuery, type FriendReportsRanking } from '../store/reports/community-rankings.js';
import { dayFromIso, dayIso, dayStart, localDay } from '../store/reports/local-days.js';
import type { Reports } from '../store/reports/reports.js';
import type { Attempt, Register } from '../store/register/types.js';
import type { DossierService } from '../dossier/index.js';
import { csrfMatches, type Session } from './auth.js';
import { dossierApiHandler } from './dossier-routes.js';
import { HttpError } from './http-error.js';

export interface ApiDeps {
  register: Register;
  clock: Clock;
  defaultCountry: string;
  /** Bearer token; empty = API not configured (503). */
  apiToken: string;
  /** What the next call from this caller would get. */
  classify: (identity: CallerIdentity, evidence: CallerEvidence, now: number) => Decision;
  /** Rankings (the panel's reports); without it the rankings routes are not mounted. */
  reports?: Reports;
  /** The business's time zone, for the days of the rankings. @defaultValue 'Europe/Rome' */
  timeZone?: string;
  /** The panel's logged-in session of a request, if any: it is accepted instead of the bearer token. */
  session?: (req: Parameters<RequestHandler>[0]) => Session | undefined;
  /** The evidence dossier (`GET /api/dossier`); without it the route is not mounted. */
  dossier?: DossierService;
  /** Friends' reports per company (`GET /api/rankings/community`); without it the route is not mounted. */
  community?: (q: FriendReportsQuery) => Promise<FriendReportsRanking>;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Bearer-token check in constant time. */
export function bearerAuth(token: string): RequestHandler {
  const expected = digest(token);
  return (req, _res, next) => {
    if (!token) throw new HttpError(503, 'the JSON API is not configured: set CROCETTA_API_TOKEN');
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m?.[1] || !timingSafeEqual(digest(m[1].trim()), expected)) {
      throw new HttpError(401, 'missing or wrong bearer token');
    }
    next();
  };
}

/**
 * The API accepts a logged-in panel session (writes then need its CSRF token in `X-CSRF-Token`) or the bearer
 * token. A request with an Authorization header is always judged by its token.
 */
export function apiAuth(token: string, session?: ApiDeps['session']): RequestHandler {
  const bearer = bearerAuth(token);
  return (req, res, next) => {
    const s = session && req.get('authorization') === undefined ? session(req) : undefined;
    if (s?.authenticated) {
      if (req.method !== 'GET' && req.method !== 'HEAD' && !csrfMatches(s, req.get('x-csrf-token'))) {
        throw new HttpError(403, 'missing or wrong X-CSRF-Token for a session request');
      }
      next();
      return;
    }
    bearer(req, res, next);
  };
}

/** A day of the rankings from `YYYY-MM-DD` (a local day) or an ISO 8601 instant / ms since epoch. */
function parseDay(value: unknown, name: string, timeZone: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new HttpError(400, `${name}: expected one value`);
  const day = dayFromIso(value);
  if (day !== undefined) return day;
  const ms = parseTime(value, name);
  return ms === undefined ? undefined : localDay(ms, timeZone);
}

function parseCategory(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > 60) throw new HttpError(400, 'category: expected one value of at most 60 characters');
  return value.trim();
}

/** A caller key from a number in a URL: E.164 (`+39...`, `%2B39...`), national, or a `raw:` key. */
export function keyFromParam(param: string, defaultCountry: string): { key: string; identity: CallerIdentity } {
  const text = param.trim();
  if (text.length === 0 || text.length > 64) throw new HttpError(400, 'a phone number is required (at most 64 characters)');
  if (text.startsWith('raw:')) {
    const raw = text.slice(4);
    return {
      key: text,
      identity: identityOf({ raw, e164: null, type: null, valid: false, country: null, flags: ['unparsable'] }),
    };
  }
  const number = normalizeNumber(text, defaultCountry);
  if (!number.e164) throw new HttpError(400, `not a phone number: ${JSON.stringify(text)}`);
  return { key: number.e164, identity: identityOf(number) };
}

function identityOf(number: CallerIdentity['number']): CallerIdentity {
  return { ...UNKNOWN_CALLER, number };
}

function parseTime(value: unknown, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new HttpError(400, `${name}: expected one value`);
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new HttpError(400, `${name}: expected an ISO 8601 date or ms since epoch, got ${JSON.stringify(value)}`);
  return ms;
}

function parseLimit(value: unknown): number {
  if (value === undefined || value === '') return 100;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) throw new HttpError(400, 'limit: expected a whole number from 1 to 1000');
  const n = Number(value);
  if (n < 1 || n > 1000) throw new HttpError(400, 'limit: expected a whole number from 1 to 1000');
  return n;
}

/** `before`: the `next` cursor of a previous page of `GET /api/attempts` (an attempt id). */
function parseCursor(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) throw new HttpError(400, 'before: expected the "next" cursor of a previous page');
  return Number(value);
}

/** An attempt as the API shows it: times in ISO 8601. */
export function attemptJson(a: Attempt): Record<string, unknown> {
  return { ...a, time: new Date(a.time).toISOString() };
}

const markBody = z
  .object({
    label: z.enum(['nuisance', 'trusted', 'none']),
    company: z.string().trim().max(120).nullish(),
    category: z.string().trim().max(60).nullish(),
  })
  .strict();

/** The JSON API of DESIGN.md (bearer token). */
export function apiRouter(deps: ApiDeps): Router {
  const router = Router();
  router.use(apiAuth(deps.apiToken, deps.session));

  router.get('/attempts', async (req, res) => {
    const number = req.query.number;
    if (number !== undefined && typeof number !== 'string') throw new HttpError(400, 'number: expected one value');
    const callerKey = number ? keyFromParam(number, deps.defaultCountry).key : undefined;
    const filter = { callerKey, since: parseTime(req.query.since, 'since'), until: parseTime(req.query.until, 'until') };
    const limit = parseLimit(req.query.limit);
    const attempts = await deps.register.attempts({ ...filter, limit, beforeId: parseCursor(req.query.before) });
    // `next`: the cursor of the following (older) page, null on the last one; one row is peeked to know.
    const last = attempts.length === limit ? attempts[attempts.length - 1] : undefined;
    const more = last !== undefined && (await deps.register.attempts({ ...filter, limit: 1, beforeId: last.id })).length > 0;
    res.json({ attempts: attempts.map(attemptJson), next: more ? (last?.id ?? null) : null });
  });

  const numberDetail = async (param: string) => {
    const { key, identity } = keyFromParam(param, deps.defaultCountry);
    const now = deps.clock.now();
    const decision = deps.classify(identity, deps.register.evidenceFor(key), now);
    const summary = await deps.register.numberSummary(key);
    const recent = await deps.register.attempts({ callerKey: key, limit: 20 });
    return {
      number: key,
      type: identity.number?.type ?? null,
      country: identity.number?.country ?? null,
      verdict: decision.verdict,
      score: decision.score,
      reasons: decision.reasons,
      mark: summary.mark ? { ...summary.mark, at: new Date(summary.mark.at).toISOString() } : null,
      attempts: summary.attempts,
      firstSeen: summary.firstSeen === null ? null : new Date(summary.firstSeen).toISOString(),
      lastSeen: summary.lastSeen === null ? null : new Date(summary.lastSeen).toISOString(),
      recent: recent.map(attemptJson),
    };
  };

  router.get('/numbers/:number', async (req, res) => {
    res.json(await numberDetail(req.params.number));
  });

  router.post('/numbers/:number/mark', async (req, res) => {
    const { key } = keyFromParam(req.params.number, deps.defaultCountry);
    const body = markBody.parse(req.body ?? {});
    await deps.register.mark(key, {
      label: body.label,
      company: body.company || null,
      category: body.category || null,
      at: deps.clock.now(),
      by: 'api',
    });
    res.json(await numberDetail(req.params.number));
  });

  if (deps.dossier !== undefined) router.get('/dossier', dossierApiHandler(deps.dossier, deps.defaultCountry));

  const reports = deps.reports;
  if (reports !== undefined) {
    const timeZone = deps.timeZone ?? 'Europe/Rome';
    /** since/until are inclusive days; the default is the last 30 days up to today. */
    const period = (q: Record<string, unknown>) => {
      const today = localDay(deps.clock.now(), timeZone);
      const until = parseDay(q.until, 'until', timeZone) ?? today;
      const since = parseDay(q.since, 'since', timeZone) ?? until - 29;
      if (since > until) throw new HttpError(400, 'since: must not be after until');
      const category = parseCategory(q.category);
      return { range: { sinceDay: since, untilDay: until + 1, ...(category !== undefined && { category }) }, echo: { since: dayIso(since), until: dayIso(until), category: category ?? null } };
    };

    router.get('/rankings/companies', async (req, res) => {
      const { range, echo } = period(req.query);
      res.json({ ...echo, companies: await reports.rankCompanies(range) });
    });

    const community = deps.community;
    if (community !== undefined) {
      /** The rankings page's "Friends' reports": friends' reports per company and category beside our attempts. */
      router.get('/rankings/community', async (req, res) => {
        const { range, echo } = period(req.query);
        const limit = req.query.limit === undefined ? 20 : Math.min(parseLimit(req.query.limit), 500);
        const [friends, local] = await Promise.all([
          community({
            since: dayStart(range.sinceDay, timeZone),
            until: dayStart(range.untilDay, timeZone),
            limit,
            ...(range.category !== undefined && { category: range.category }),
          }),
          reports.rankCompanies(range),
        ]);
        res.json({ ...echo, ...combineCommunity(friends, local) });
      });
    }

    router.get('/rankings/numbers', async (req, res) => {
      const { range, echo } = period(req.query);
      const limit = req.query.limit === undefined ? 20 : parseLimit(req.query.limit);
      res.json({ ...echo, numbers: await reports.rankNumbers({ ...range, limit: Math.min(limit, 500) }) });
    });
  }

  return router;
}
