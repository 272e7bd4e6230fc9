/**
 * The dossier's HTTP side: `GET /dossier?company=|number=&since=&until=` (the panel's printable page) and
 * `GET /api/dossier?...` (JSON; `&format=csv` for the CSV). Both read the same query; api.ts and panel-routes.ts
 * mount them, so they keep their own auth (bearer or session; login).
 */
import type { Request, RequestHandler } from 'express';
import { PeriodError, dossierCsv, dossierJson, parsePeriod, type DossierQuery, type DossierService } from '../dossier/index.js';
import { keyFromParam } from './api.js';
import { HttpError } from './http-error.js';
import type { DossierPageParams } from './pages/dossier.js';

function one(q: Request['query'], name: string, max: number): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new HttpError(400, `${name}: expected one value`);
  const text = v.trim();
  if (text.length > max) throw new HttpError(400, `${name}: at most ${max} characters`);
  return text === '' ? undefined : text;
}

/** The page's parameters as given, and the query they make (null when no subject was chosen). */
export function dossierQueryOf(q: Request['query'], defaultCountry: string, timeZone: string): { params: DossierPageParams; query: DossierQuery | null } {
  const params: DossierPageParams = {};
  const company = one(q, 'company', 120);
  const number = one(q, 'number', 64);
  const since = one(q, 'since', 40);
  const until = one(q, 'until', 40);
  if (company !== undefined) params.company = company;
  if (number !== undefined) params.number = number;
  if (since !== undefined) params.since = since;
  if (until !== undefined) params.until = until;
  if (company !== undefined && number !== undefined) throw new HttpError(400, 'company, number: give one of them, not both');
  let period: { since?: number; until?: number };
  try {
    period = parsePeriod(since, until, timeZone);
  } catch (err) {
    if (err instanceof PeriodError) throw new HttpError(400, err.message);
    throw err;
  }
  if (company !== undefined) return { params, query: { subject: { kind: 'company', company }, ...period } };
  if (number !== undefined) return { params, query: { subject: { kind: 'number', callerKey: keyFromParam(number, defaultCountry).key }, ...period } };
  return { params, query: null };
}

/** `GET /api/dossier`: JSON, or CSV with `format=csv`. */
export function dossierApiHandler(service: DossierService, defaultCountry: string): RequestHandler {
  return async (req, res) => {
    const format = one(req.query, 'format', 10) ?? 'json';
    if (format !== 'json' && format !== 'csv') throw new HttpError(400, 'format: expected json or csv');
    const { query } = dossierQueryOf(req.query, defaultCountry, service.timeZone);
    if (query === null) throw new HttpError(400, 'company or number: one of them is required');
    const dossier = await service.build(query);
    if (format === 'csv') {
      res.type('text/csv; charset=utf-8');
      res.attachment(`crocetta-dossier-${new Date(dossier.generatedAt).toISOString().slice(0, 10)}.csv`);
      res.send(dossierCsv(dossier));
      return;
    }
    res.json(dossierJson(dossier));
  };
}
