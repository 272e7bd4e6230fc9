/**
 * The register of attempts: the page (`GET /register`, filters and keyset paging), its CSV (`GET /register.csv`)
 * and the JSON API's `GET /api/attempts?number=&since=&until=&limit=&before=` (`next`: the `before` of the older page).
 */
import { Router } from 'express';
import { z } from 'zod';
import { dayStart, localDay } from '../../store/reports/local-days.js';
import { localDate as calendarDate } from '../../time/zoned-time.js';
import type { Attempt, AttemptQuery } from '../../store/register/types.js';
import { keyFromParam } from '../caller-param.js';
import { searchedTag, WithheldCallers } from '../withheld.js';
import { registerCsv } from '../csv.js';
import type { PanelDeps } from '../deps.js';
import { query } from '../html.js';
import { pageContext, sendHtml } from '../page.js';
import { numberSearchText } from '../phone-text.js';
import { ACTION_FILTERS, KIND_FILTERS, registerPage, type RegisterParams } from '../pages/register.js';
import {
  instant,
  lenientText,
  limit,
  localDate,
  markAgrees,
  markedQuery,
  oneOf,
  parseRequest,
  verdict,
} from '../request.js';

const PAGE_SIZE = 50;

/** The page's filters: a value that does not fit is ignored (the page then shows everything), never an error. */
const pageQuery = z.object({
  from: localDate,
  to: localDate,
  verdict,
  kind: oneOf(KIND_FILTERS),
  action: oneOf(ACTION_FILTERS),
  did: lenientText(),
  q: lenientText(),
  /** The page's cursor: `<time>.<id>` of the last row of the newer page. */
  before: lenientText().transform((v) => {
    const m = /^(\d{1,15})\.(\d{1,15})$/.exec(v ?? '');
    return m ? { time: Number(m[1]), id: Number(m[2]) } : undefined;
  }),
});

/**
 * The filters as the page shows them back, and as the reports read them; `since`/`until` from local dates. A date that
 * is no day filters nothing and is shown back as typed, named in `unread` for the page to say so.
 */
function registerFilter(
  q: z.output<typeof pageQuery>,
  timeZone: string,
  defaultCountry: string,
  hides: boolean,
): { params: RegisterParams; filter: AttemptQuery; unread: Array<'from' | 'to'> } {
  const params: RegisterParams = {};
  const filter: AttemptQuery = {};
  const unread: Array<'from' | 'to'> = [];
  if (q.from !== undefined) {
    params.from = 'unread' in q.from ? q.from.unread : q.from.text;
    if ('unread' in q.from) unread.push('from');
    else filter.since = dayStart(q.from.day, timeZone);
  }
  if (q.to !== undefined) {
    params.to = 'unread' in q.to ? q.to.unread : q.to.text;
    if ('unread' in q.to) unread.push('to');
    else filter.until = dayStart(q.to.day + 1, timeZone);
  }
  if (q.verdict !== undefined) params.verdict = filter.verdict = q.verdict;
  if (q.kind !== undefined) params.kind = filter.kind = q.kind;
  if (q.action !== undefined) params.action = filter.action = q.action;
  if (q.did !== undefined) params.did = filter.calledNumber = q.did;
  if (q.q !== undefined) {
    params.q = filter.text = q.q;
    // A withheld attempt is not found by its caller's digits or name (withheld.ts): no oracle for who has them.
    if (hides) filter.callerSearchShownOnly = true;
    const numberText = numberSearchText(q.q, defaultCountry);
    if (numberText !== null) filter.numberText = numberText;
  }
  return { params, filter, unread };
}

/**
 * The filter of the page and its CSV: a search that names a withheld caller as the register shows it (`A8EF`, `Numero
 * nascosto · A8EF`) also finds the withheld attempts of the callers of that name (withheld.ts: the same tag for the
 * same caller every day; two callers may share one, as they share it on the page).
 */
async function registerFilterOf(
  q: z.output<typeof pageQuery>,
  deps: Pick<PanelDeps, 'reports' | 'withheld' | 'timeZone' | 'defaultCountry'>,
): Promise<ReturnType<typeof registerFilter>> {
  const { timeZone, defaultCountry, withheld } = deps;
  const made = registerFilter(q, timeZone, defaultCountry, withheld.hides);
  const tag = withheld.hides && q.q !== undefined ? searchedTag(q.q) : null;
  if (tag === null) return made;
  const keys = await deps.reports.withheldCallers(made.filter.since, made.filter.until);
  const tagged = withheld.withTag(tag, keys);
  // The name the register shows for a withheld caller (`Numero nascosto · A8EF`) finds its withheld attempts.
  if (tagged.length > 0) made.filter.searchWithheldOf = tagged;
  return made;
}

const apiQuery = z.object({
  number: z.string({ error: 'expected one value' }).optional(),
  since: instant,
  until: instant,
  limit: limit(),
  /** The `next` cursor of a previous page (an attempt id). */
  before: z
    .string({ error: 'expected the "next" cursor of a previous page' })
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      if (/^\d{1,15}$/.test(v)) return Number(v);
      ctx.addIssue({ code: 'custom', message: 'expected the "next" cursor of a previous page' });
      return z.NEVER;
    }),
});

const isoOrNull = (ms: number | null | undefined): string | null => (ms == null ? null : new Date(ms).toISOString());

/** An attempt as the API shows it: every instant in ISO 8601 (UTC): `time`, `outcomeAt`, `refusedAt`. */
export function attemptJson(a: Attempt): Record<string, unknown> {
  return {
    ...a,
    time: new Date(a.time).toISOString(),
    outcomeAt: isoOrNull(a.outcomeAt),
    refusedAt: isoOrNull(a.refusedAt),
  };
}

export function registerRouter(
  deps: Pick<PanelDeps, 'register' | 'reports' | 'withheld' | 'clock' | 'timeZone' | 'defaultCountry'>,
): Router {
  const router = Router();
  const { reports, timeZone, withheld } = deps;

  router.get('/register', async (req, res) => {
    const ctx = pageContext(req, res, deps);
    const q = parseRequest(req, { query: pageQuery }).query;
    const done = parseRequest(req, { query: markedQuery }).query;
    const { params, filter, unread } = await registerFilterOf(q, deps);
    if (q.before !== undefined) filter.before = q.before;
    const rows = await reports.register({ ...filter, limit: PAGE_SIZE + 1 });
    const page = rows.slice(0, PAGE_SIZE);
    const last = page[page.length - 1];
    // `number` of a mark just made: a withheld caller's token (shown as such), or its number.
    const marked = done.marked !== undefined && done.number !== undefined ? done.number : null;
    const markedKey = marked === null ? null : (withheld.resolve(marked) ?? marked);
    const keys = page.flatMap((a) => (a.callerKey === null ? [] : [a.callerKey]));
    const hidden = withheld.rowTokens(page);
    const [realTicks, realMarks, split, dids, vocab, markedNow] = await Promise.all([
      reports.ticks(keys),
      reports.marks(keys),
      reports.withheldCounts([...hidden.keys()]),
      reports.calledNumbers(localDay(ctx.now, timeZone) - 90, dayStart(localDay(ctx.now, timeZone) - 90, timeZone)),
      reports.markVocabulary(),
      markedKey === null ? null : deps.register.numberSummary(markedKey),
    ]);
    // A withheld attempt's row, ticks and mark form name its caller by its token; the ticks of a number that called
    // both ways are counted apart (its withheld calls under its token, the others under its number).
    const ticks = new Map(realTicks);
    // A mark is the number's, whichever way it called (README, withheld callers): its token's rows show it too.
    const marks = new Map(realMarks);
    for (const [key, token] of hidden) {
      const m = realMarks.get(key);
      if (m !== undefined) marks.set(token, m);
      const c = split.get(key);
      if (c === undefined) continue;
      ticks.set(token, c.withheld);
      if (c.shown > 0) ticks.set(key, c.shown);
    }
    sendHtml(
      res,
      registerPage(ctx, {
        params,
        unread,
        rows: WithheldCallers.masked(page, hidden),
        ticks,
        marks,
        dids,
        vocab,
        aggregates: reports.aggregates(),
        isFirstPage: q.before === undefined,
        ...(q.before !== undefined && { cursor: `${q.before.time}.${q.before.id}` }),
        ...(done.marked !== undefined &&
          marked !== null &&
          markedNow !== null &&
          markAgrees(done.marked, markedNow.mark) && {
            marked: { label: done.marked, shown: ctx.loc.phone(marked), key: marked },
          }),
        olderQuery: rows.length > PAGE_SIZE && last ? query({ ...params, before: `${last.time}.${last.id}` }) : null,
      }),
    );
  });

  router.get('/register.csv', async (req, res) => {
    const { filter } = await registerFilterOf(parseRequest(req, { query: pageQuery }).query, deps);
    // ?excel=1: the panel's "CSV for Excel" (csv.ts): a spreadsheet that splits on `;` with a comma decimal mark.
    const excel = req.query.excel === '1';
    res.type('text/csv; charset=utf-8');
    const day = calendarDate(deps.clock.now(), timeZone);
    res.attachment(`crocetta-register-${day}${excel ? '-excel' : ''}.csv`);
    await registerCsv(reports, filter, timeZone, (chunk) => res.write(chunk), {
      excel,
      mask: (rows) => withheld.mask(rows),
    });
    res.end();
  });

  router.get('/api/attempts', async (req, res) => {
    const q = parseRequest(req, { query: apiQuery }).query;
    const caller = q.number ? keyFromParam(q.number, deps.defaultCountry, withheld) : undefined;
    // A caller named by its token: its withheld attempts; by its number: the others (withheld.ts).
    const only = caller === undefined || !withheld.hides ? undefined : caller.token !== undefined;
    const filter = {
      // A sender ID typed in another case: the sender the register has (raw-key-case.ts).
      callerKey:
        caller === undefined || caller.token !== undefined ? caller?.key : await deps.register.keptSpelling(caller.key),
      since: q.since,
      until: q.until,
      ...(only !== undefined && { withheld: only }),
    };
    const attempts = withheld.mask(await deps.register.attempts({ ...filter, limit: q.limit, beforeId: q.before }));
    // `next`: the cursor of the following (older) page, null on the last one; one row is peeked to know.
    const last = attempts.length === q.limit ? attempts[attempts.length - 1] : undefined;
    const more =
      last !== undefined && (await deps.register.attempts({ ...filter, limit: 1, beforeId: last.id })).length > 0;
    res.json({ attempts: attempts.map(attemptJson), next: more ? (last?.id ?? null) : null });
  });

  return router;
}
