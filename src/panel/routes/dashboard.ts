/** `GET /`: today's and this week's counts, the last 30 days, the week's top callers, the trunk's state. */
import { Router } from 'express';
import { localDay, weekStart } from '../../store/reports/local-days.js';
import type { PanelDeps } from '../deps.js';
import { botheringNumbers } from '../bothering.js';
import { pageContext, sendHtml } from '../page.js';
import { dashboardPage } from '../pages/dashboard.js';

export function dashboardRouter(
  deps: Pick<PanelDeps, 'reports' | 'clock' | 'timeZone' | 'defaultCountry' | 'trunk' | 'trunkAccounts'>,
): Router {
  const router = Router();
  const { reports, timeZone } = deps;

  router.get('/', async (req, res) => {
    const ctx = pageContext(req, res, deps);
    const today = localDay(ctx.now, timeZone);
    const week = { sinceDay: weekStart(today), untilDay: today + 1 };
    const [todayTotals, weekTotals, perDay, topOffenders] = await Promise.all([
      reports.totals({ sinceDay: today, untilDay: today + 1 }),
      reports.totals(week),
      reports.perDay({ sinceDay: today - 29, untilDay: today + 1 }),
      botheringNumbers(reports, week, 10),
    ]);
    sendHtml(
      res,
      dashboardPage(ctx, {
        today: todayTotals,
        week: weekTotals,
        perDay,
        topOffenders,
        trunk: deps.trunk(),
        trunkAccounts: deps.trunkAccounts?.() ?? [],
        aggregates: reports.aggregates(),
      }),
    );
  });

  return router;
}
