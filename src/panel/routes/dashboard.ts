/**
 * `GET /`: today's and this week's counts, our numbers' counts (which one is rung most), the last 30 days, the week's
 * top callers, the trunk's state (each line with today's counts on its number), the PBX's registration to crocetta.
 */
import { Router } from 'express';
import { normalizeNumber } from '../../callerid/index.js';
import { localDay, weekStart } from '../../store/reports/local-days.js';
import type { PanelDeps } from '../deps.js';
import { botheringNumbers } from '../bothering.js';
import { pageContext, sendHtml } from '../page.js';
import { dashboardPage, NO_CALLS, ourNumbers } from '../pages/dashboard.js';

export function dashboardRouter(
  deps: Pick<
    PanelDeps,
    | 'reports'
    | 'withheld'
    | 'clock'
    | 'timeZone'
    | 'defaultCountry'
    | 'trunk'
    | 'trunkAccounts'
    | 'pbx'
    | 'registerWrites'
    | 'registerHeld'
  >,
): Router {
  const router = Router();
  const { reports, timeZone } = deps;

  router.get('/', async (req, res) => {
    const ctx = pageContext(req, res, deps);
    const today = localDay(ctx.now, timeZone);
    const week = { sinceDay: weekStart(today), untilDay: today + 1 };
    const [todayTotals, weekTotals, perDay, topOffenders, todayByCalled, weekByCalled] = await Promise.all([
      reports.totals({ sinceDay: today, untilDay: today + 1 }),
      reports.totals(week),
      reports.perDay({ sinceDay: today - 29, untilDay: today + 1 }),
      botheringNumbers(reports, week, 10).then((rows) => deps.withheld.maskKeys(rows)),
      reports.totalsByCalled({ sinceDay: today, untilDay: today + 1 }),
      reports.totalsByCalled(week),
    ]);
    // Each carrier line with a number of its own, by that number as the register keeps called numbers (E.164); a
    // line without one gets its calls' DID from the carrier (P-Called-Party-ID, To): no counts of its own.
    const accounts = (deps.trunkAccounts?.() ?? []).map((a) => {
      const n = a.number === '' ? null : normalizeNumber(a.number, deps.defaultCountry);
      const number = n?.e164 != null && n.valid ? n.e164 : null;
      return { ...a, number, today: number === null ? undefined : (todayByCalled.get(number) ?? NO_CALLS) };
    });
    const lineNumbers = accounts.flatMap((a) => (a.number === null ? [] : [a.number]));
    sendHtml(
      res,
      dashboardPage(ctx, {
        today: todayTotals,
        week: weekTotals,
        perDay,
        topOffenders,
        trunk: deps.trunk(),
        trunkAccounts: accounts,
        pbx: deps.pbx?.() ?? null,
        registerWrites: deps.registerWrites?.(),
        registerHeld: deps.registerHeld?.(),
        ourNumbers: ourNumbers(todayByCalled, weekByCalled, lineNumbers),
        aggregates: reports.aggregates(),
      }),
    );
  });

  return router;
}
