/**
 * The evidence dossier of a company or a number: the panel's printable page (`GET /dossier?company=|number=&since=
 * &until=`) and the JSON API's `GET /api/dossier?...` (`&format=csv` for the CSV). Both read the same query.
 */
import { Router } from 'express';
import { z } from 'zod';
import { PeriodError, dossierCsv, dossierJson, parsePeriod, type DossierQuery } from '../../dossier/index.js';
import { keyFromParam } from '../caller-param.js';
import type { WithheldCallers } from '../withheld.js';
import { isoDayFromTyped } from '../date-text.js';
import type { PanelDeps } from '../deps.js';
import { HttpError } from '../http-error.js';
import { pageContext, sendHtml } from '../page.js';
import { dossierPage, type DossierPageParams } from '../pages/dossier.js';
import { boundedText, parseRequest } from '../request.js';

const dossierQuery = z.object({
  company: boundedText(120),
  number: boundedText(64),
  since: boundedText(40),
  until: boundedText(40),
});

const apiQuery = dossierQuery.extend({
  format: boundedText(10).pipe(z.enum(['json', 'csv'], { error: 'expected json or csv' }).optional()),
});

/** The page's parameters as given, and the query they make (null when no subject was chosen). */
function dossierQueryOf(
  q: z.output<typeof dossierQuery>,
  defaultCountry: string,
  timeZone: string,
  withheld: WithheldCallers,
): { params: DossierPageParams; query: DossierQuery | null; byDigits: boolean } {
  const { company, number, since, until } = q;
  const params: DossierPageParams = {
    ...(company !== undefined && { company }),
    ...(number !== undefined && { number }),
    ...(since !== undefined && { since }),
    ...(until !== undefined && { until }),
  };
  // The page says these in the panel's words (its fields), the JSON API in its own (api-text.ts): error-handler.ts.
  if (company !== undefined && number !== undefined) throw HttpError.said(400, 'errorCompanyAndNumber');
  let period: { since?: number; until?: number };
  try {
    period = parsePeriod(since, until, timeZone);
  } catch (err) {
    if (err instanceof PeriodError) throw HttpError.said(400, PERIOD_ERRORS[err.problem], { detail: err.message });
    throw err;
  }
  if (company !== undefined)
    return { params, query: { subject: { kind: 'company', company }, ...period }, byDigits: false };
  if (number !== undefined) {
    const caller = keyFromParam(number, defaultCountry, withheld);
    return {
      params,
      query: { subject: { kind: 'number', callerKey: caller.key }, ...period },
      byDigits: caller.token === undefined,
    };
  }
  return { params, query: null, byDigits: false };
}

/** A period refused by parsePeriod, by its problem: the page names its fields; the JSON API says parsePeriod's words. */
const PERIOD_ERRORS = { since: 'errorPeriodSince', until: 'errorPeriodUntil', order: 'errorPeriodOrder' } as const;

export function dossierRouter(
  deps: Pick<PanelDeps, 'dossier' | 'withheld' | 'clock' | 'timeZone' | 'defaultCountry'>,
): Router {
  const router = Router();
  const { dossier, defaultCountry, withheld } = deps;
  /**
   * The dossier, its withheld callers named by their tokens (withheld.ts); of a number asked by its digits that called
   * only withheld, the dossier of a number never seen (no oracle for who already has the digits).
   */
  const build = async (query: DossierQuery, byDigits: boolean) => {
    const built = await dossier.build(query);
    const { subject } = query;
    if (byDigits && withheld.hides && subject.kind === 'number' && (await withheld.tokenOf(subject.callerKey)) !== null)
      return {
        ...built,
        numbers: built.numbers.map((n) => ({ callerKey: n.callerKey, label: null, company: null, category: null })),
        attempts: 0,
        breaches: [],
      };
    return withheld.maskDossier(built);
  };

  router.get('/dossier', async (req, res) => {
    const typed = parseRequest(req, { query: dossierQuery }).query;
    // The page's date fields are typed day first (04/12/2026): read as the ISO day the API and its links take.
    const day = (v: string | undefined) => (v === undefined ? undefined : (isoDayFromTyped(v) ?? v));
    const q = { ...typed, since: day(typed.since), until: day(typed.until) };
    const { params, query, byDigits } = dossierQueryOf(q, defaultCountry, deps.timeZone, withheld);
    const built = query === null ? null : await build(query, byDigits);
    sendHtml(res, dossierPage(pageContext(req, res, deps), params, built));
  });

  router.get('/api/dossier', async (req, res) => {
    const q = parseRequest(req, { query: apiQuery }).query;
    const { query, byDigits } = dossierQueryOf(q, defaultCountry, dossier.timeZone, withheld);
    if (query === null) throw new HttpError(400, 'company or number: one of them is required');
    const built = await build(query, byDigits);
    if (q.format === 'csv') {
      res.type('text/csv; charset=utf-8');
      res.attachment(`crocetta-dossier-${new Date(built.generatedAt).toISOString().slice(0, 10)}.csv`);
      res.send(dossierCsv(built));
      return;
    }
    res.json(dossierJson(built));
  });

  return router;
}
