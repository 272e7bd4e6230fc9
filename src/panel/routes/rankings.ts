/**
 * The rankings: the page (`GET /rankings?period=&category=`: companies, numbers, friends' reports) and the JSON API's
 * `GET /api/rankings/companies|numbers|community?since=&until=&category=&limit=` (days inclusive, default the last
 * 30 up to today; `since`/`until` a local `YYYY-MM-DD` or an instant).
 */
import { Router } from 'express';
import { z } from 'zod';
import { combineCommunity } from '../../store/reports/community-rankings.js';
import { dayFromIso, dayIso, dayStart, localDay } from '../../store/reports/local-days.js';
import { parseDateTime } from '../../time/zoned-time.js';
import type { PanelDeps } from '../deps.js';
import { HttpError } from '../http-error.js';
import { botheringNumbers } from '../bothering.js';
import { pageContext, sendHtml } from '../page.js';
import { aggregatesField } from '../pages/aggregates-notice.js';
import { PERIODS, rankingsPage, type PeriodKey } from '../pages/rankings.js';
import { lenientText, limit, oneOf, parseRequest } from '../request.js';

const pageQuery = z.object({
  period: oneOf(Object.keys(PERIODS) as PeriodKey[]).transform((p): PeriodKey => p ?? '30'),
  category: lenientText(),
});

/** A day of the rankings from `YYYY-MM-DD` (a local day), else an instant (ISO 8601 or ms since epoch) in the zone. */
function rankingDay(timeZone: string) {
  return z
    .string({ error: 'expected one value' })
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      const day = dayFromIso(v);
      if (day !== undefined) return day;
      const ms = /^\d+$/.test(v) ? Number(v) : parseDateTime(v);
      if (Number.isFinite(ms)) return localDay(ms, timeZone);
      ctx.addIssue({
        code: 'custom',
        message: `expected an ISO 8601 date or ms since epoch, got ${JSON.stringify(v)}`,
      });
      return z.NEVER;
    });
}

function apiQuery(timeZone: string) {
  return z.object({
    since: rankingDay(timeZone),
    until: rankingDay(timeZone),
    category: z
      .string({ error: 'expected one value of at most 60 characters' })
      .max(60, { error: 'expected one value of at most 60 characters' })
      .optional()
      .transform((v) => (v === undefined || v === '' ? undefined : v.trim())),
    limit: limit(20).transform((n) => Math.min(n, 500)),
  });
}

export function rankingsRouter(
  deps: Pick<PanelDeps, 'reports' | 'community' | 'withheld' | 'clock' | 'timeZone' | 'defaultCountry'>,
): Router {
  const router = Router();
  const { reports, community, timeZone } = deps;

  router.get('/rankings', async (req, res) => {
    const ctx = pageContext(req, res, deps);
    const q = parseRequest(req, { query: pageQuery }).query;
    const period = q.period;
    const today = localDay(ctx.now, timeZone);
    const vocab = await reports.markVocabulary();
    const category = q.category !== undefined && vocab.categories.includes(q.category) ? q.category : undefined;
    const range = {
      sinceDay: today - Number(period) + 1,
      untilDay: today + 1,
      ...(category !== undefined && { category }),
    };
    const [companies, numbers, friends] = await Promise.all([
      reports.rankCompanies(range),
      botheringNumbers(reports, range, 20).then((rows) => deps.withheld.maskKeys(rows)),
      community({
        since: dayStart(range.sinceDay, timeZone),
        until: dayStart(range.untilDay, timeZone),
        ...(category !== undefined && { category }),
      }),
    ]);
    const both = combineCommunity(friends, companies);
    sendHtml(
      res,
      rankingsPage(ctx, {
        period,
        category,
        categories: vocab.categories,
        companies,
        numbers,
        community: both,
        aggregates: reports.aggregates(),
      }),
    );
  });

  const rankingQuery = apiQuery(timeZone);
  /** since/until are inclusive days; the default is the last 30 days up to today. */
  const period = (q: z.output<typeof rankingQuery>) => {
    const until = q.until ?? localDay(deps.clock.now(), timeZone);
    const since = q.since ?? until - 29;
    // Only the JSON API takes since/until (the page takes a period): its words, naming the parameters.
    if (since > until) throw new HttpError(400, 'since: must not be after until');
    const category = q.category;
    return {
      range: { sinceDay: since, untilDay: until + 1, ...(category !== undefined && { category }) },
      echo: { since: dayIso(since), until: dayIso(until), category: category ?? null },
    };
  };

  router.get('/api/rankings/companies', async (req, res) => {
    const { range, echo } = period(parseRequest(req, { query: rankingQuery }).query);
    const companies = await reports.rankCompanies(range);
    res.json({ ...echo, aggregates: aggregatesField(reports.aggregates()), companies });
  });

  router.get('/api/rankings/numbers', async (req, res) => {
    const q = parseRequest(req, { query: rankingQuery }).query;
    const { range, echo } = period(q);
    const numbers = await deps.withheld.maskKeys(await reports.rankNumbers({ ...range, limit: q.limit }));
    res.json({ ...echo, aggregates: aggregatesField(reports.aggregates()), numbers });
  });

  /** The rankings page's "Friends' reports": friends' reports per company and category beside our attempts. */
  router.get('/api/rankings/community', async (req, res) => {
    const q = parseRequest(req, { query: rankingQuery }).query;
    const { range, echo } = period(q);
    const [friends, local] = await Promise.all([
      community({
        since: dayStart(range.sinceDay, timeZone),
        until: dayStart(range.untilDay, timeZone),
        limit: q.limit,
        ...(range.category !== undefined && { category: range.category }),
      }),
      reports.rankCompanies(range),
    ]);
    res.json({ ...echo, aggregates: aggregatesField(reports.aggregates()), ...combineCommunity(friends, local) });
  });

  return router;
}
