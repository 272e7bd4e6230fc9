/**
 * The evidence dossier of a company or a number: the panel's printable page (`GET /dossier?company=|number=&since=
 * &until=`) and the JSON API's `GET /api/dossier?...` (`&format=csv` for the CSV). Both read the same query.
 */
import { Router } from 'express';
import { z } from 'zod';
import { PeriodError, dossierCsv, dossierJson, parsePeriod, type DossierQuery } from '../../dossier/index.js';
import { keyFromParam } from '../caller-param.js';
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
  onPage: boolean,
): { params: DossierPageParams; query: DossierQuery | null } {
  const { company, number, since, until } = q;
  const params: DossierPageParams = {
    ...(company !== undefined && { company }),
    ...(number !== undefined && { number }),
    ...(since !== undefined && { since }),
    ...(until !== undefined && { until }),
  };
  if (company !== undefined && number !== undefined) {
    // The page in the panel's words (its two fields); the JSON API names its parameters, as it always has.
    throw onPage
      ? HttpError.said(400, 'errorCompanyAndNumber')
      : new HttpError(400, 'company, number: give one of them, not both');
  }
  let period: { since?: number; until?: number };
  try {
    period = parsePeriod(since, until, timeZone);
  } catch (err) {
    if (err instanceof PeriodError) throw periodError(err, onPage);
    throw err;
  }
  if (company !== undefined) return { params, query: { subject: { kind: 'company', company }, ...period } };
  if (number !== undefined)
    return {
      params,
      query: { subject: { kind: 'number', callerKey: keyFromParam(number, defaultCountry).key }, ...period },
    };
  return { params, query: null };
}

/**
 * A period refused by parsePeriod: on the page in the panel's words, naming its fields (the catalogue, in the office's
 * language); on the JSON API as parsePeriod says it, naming the parameter and the forms it takes.
 */
function periodError(err: PeriodError, onPage: boolean): HttpError {
  if (!onPage) return new HttpError(400, err.message);
  const keys = { since: 'errorPeriodSince', until: 'errorPeriodUntil', order: 'errorPeriodOrder' } as const;
  return HttpError.said(400, keys[err.problem]);
}

export function dossierRouter(deps: Pick<PanelDeps, 'dossier' | 'clock' | 'timeZone' | 'defaultCountry'>): Router {
  const router = Router();
  const { dossier, defaultCountry } = deps;

  router.get('/dossier', async (req, res) => {
    const typed = parseRequest(req, { query: dossierQuery }).query;
    // The page's date fields are typed day first (04/12/2026): read as the ISO day the API and its links take.
    const day = (v: string | undefined) => (v === undefined ? undefined : (isoDayFromTyped(v) ?? v));
    const q = { ...typed, since: day(typed.since), until: day(typed.until) };
    const { params, query } = dossierQueryOf(q, defaultCountry, deps.timeZone, true);
    sendHtml(res, dossierPage(pageContext(req, res, deps), params, query === null ? null : await dossier.build(query)));
  });

  router.get('/api/dossier', async (req, res) => {
    const q = parseRequest(req, { query: apiQuery }).query;
    const { query } = dossierQueryOf(q, defaultCountry, dossier.timeZone, false);
    if (query === null) throw new HttpError(400, 'company or number: one of them is required');
    const built = await dossier.build(query);
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
