/**
 * A caller's number: its page (`GET /numbers/:number`: verdict and reasons, mark, history, attempts) and marking form,
 * "let the next call through" (`POST /numbers/:number/let-through`, `POST /api/numbers/:number/let-through`), the JSON
 * API's `GET /api/numbers/:number`, `POST /api/numbers/:number/mark` and the appeal that clears a wrongly
 * listed caller (`POST /api/numbers/:number/appeal`: the reason is kept, the clearing travels in our feed).
 */
import express, { Router } from 'express';
import { z } from 'zod';
import { WITHHELD_REASONS, type CallerIdentity, type WithheldReason } from '../../callerid/types.js';
import { contextOfCaller, onlyTexts, TEXTS_ONLY_ATTEMPTS } from '../../screening/classify.js';
import { formatAction } from '../../screening/policy.js';
import type { CallerEvidence } from '../../screening/types.js';
import type { Attempt } from '../../store/register/types.js';
import { APPEAL_BY } from '../../sharing/feeds/feed-publisher.js';
import { localDay } from '../../store/reports/local-days.js';
import { keyFromParam } from '../caller-param.js';
import { HttpError } from '../http-error.js';
import { hiddenReasons } from '../withheld-reasons.js';
import { HIDDEN_BY } from '../withheld.js';
import type { PanelDeps } from '../deps.js';
import { linesNow } from '../lines-now.js';
import { pageContext, sendHtml } from '../page.js';
import { numberPage } from '../pages/number.js';
import { categoryKey } from '../../screening/categories.js';
import { markAgrees, markedQuery, numberParams, parseRequest, text } from '../request.js';
import { attemptJson } from './register.js';

const LABELS = ['nuisance', 'trusted', 'none'] as const;

const markForm = z.object({
  label: z.enum(LABELS, { error: 'expected nuisance, trusted or none' }),
  company: text(120),
  /** A known category's name in either language is kept as its key (`energia` → `energy`). */
  category: text(60).transform((v) => (v === undefined ? undefined : categoryKey(v.toLowerCase()))),
  /** Where to go back to (a path of the panel). */
  return: text(2000),
});

const markBody = z
  .object({
    label: z.enum(LABELS),
    company: z.string().trim().max(120).nullish(),
    /** As the form's: `energia` → `energy`, else one company's numbers split over two categories in the rankings. */
    category: z
      .string()
      .trim()
      .max(60)
      .nullish()
      .transform((v) => (v ? categoryKey(v) : v)),
  })
  .strict();

const appealBody = z.object({ reason: z.string().trim().min(3).max(500) }).strict();

/** The number page's "let the next call through" form: its button, or the one that withdraws it. */
const letThroughForm = z.object({
  action: z.enum(['set', 'withdraw'], { error: 'expected set or withdraw' }),
});

/** `POST /api/numbers/:number/let-through`: `{}` sets it (again: a new time), `{"withdraw": true}` withdraws it. */
const letThroughBody = z.object({ withdraw: z.boolean().optional() }).strict();

type NumbersDeps = Pick<
  PanelDeps,
  | 'register'
  | 'reports'
  | 'evidence'
  | 'live'
  | 'checkMemory'
  | 'withheld'
  | 'clock'
  | 'timeZone'
  | 'defaultCountry'
  | 'feed'
>;

/** A `raw:` caller's kind, for its page's note: a text message's sender ID or a short code (never a hidden caller's). */
function rawKindOf(
  c: { hidden: boolean; identity: CallerIdentity },
  textsOnly: boolean,
): { rawKind?: 'sender-id' | 'short-code' } {
  const number = c.identity.number;
  if (c.hidden || number === null || number.e164 !== null) return {};
  if (textsOnly && number.flags.includes('alphanumeric')) return { rawKind: 'sender-id' };
  if (number.flags.includes('short-code')) return { rawKind: 'short-code' };
  return {};
}

/** The ways of withholding a withheld call's reason may name (WithheldReason). */
const WITHHELD_WHYS: ReadonlySet<string> = new Set(WITHHELD_REASONS);

export function numbersRouter(deps: NumbersDeps): Router {
  const router = Router();
  const { register, reports, live, timeZone, withheld } = deps;
  /**
   * The caller a URL names, and which of its calls the office sees (withheld.ts): by its token, its withheld calls
   * (`only` true); by its number, the others (`only` false); all (`only` undefined) when the operator chose to see
   * withheld callers' numbers.
   */
  const callerOf = async (param: string) => {
    const named = keyFromParam(param, deps.defaultCountry, withheld);
    // A sender ID typed in another case names the sender the register has (raw-key-case.ts).
    const caller = named.token === undefined ? { ...named, key: await register.keptSpelling(named.key) } : named;
    if (!withheld.hides) return { ...caller, shown: caller.key, hidden: false, only: undefined };
    if (caller.token === undefined) return { ...caller, shown: caller.key, hidden: false, only: false };
    // Its next call is classified as its calls came: withheld.
    const identity = { ...caller.identity, withheld: true, withheldReason: 'privacy-header' as const };
    return { ...caller, identity, shown: caller.token, hidden: true, only: true };
  };
  /**
   * Whether "let the next call through" is offered for the caller: a number, a short code or a sender ID that only
   * texted (`textsOnly`; its next text comes under the same key and uses it up, as a call does); not a withheld
   * caller's token, not another caller ID that is no number. Its button, its routes.
   */
  const offersLetThrough = (c: Awaited<ReturnType<typeof callerOf>>, textsOnly: boolean): boolean =>
    !c.hidden && (c.identity.number?.e164 != null || rawKindOf(c, textsOnly).rawKind !== undefined);
  /**
   * The caller as the office may see it: `summary`, its mark and the counts of its calls in view; `unseen`, a number
   * asked by its digits that called only withheld, shown as a number never seen (with no mark, unless made by its
   * digits: whoever made it knows).
   */
  const viewOf = async (param: string) => {
    const c = await callerOf(param);
    const summary = await register.numberSummary(c.key, c.only);
    const unseen = c.only === false && summary.attempts === 0 && (await withheld.tokenOf(c.key)) !== null;
    const last = unseen ? (await register.markHistory(c.key, 1))[0] : undefined;
    const markShown = !unseen || (last !== undefined && !last.by.endsWith(HIDDEN_BY));
    return { ...c, unseen, markShown, summary: markShown ? summary : { ...summary, mark: null } };
  };
  type Viewed = Awaited<ReturnType<typeof viewOf>>;
  /** The caller a let-through route names, when it is offered for it (offersLetThrough); 400 otherwise. */
  const letThroughKey = async (param: string): Promise<{ key: string; shown: string }> => {
    const c = await callerOf(param);
    const textsOnly =
      !c.hidden &&
      c.identity.number?.e164 == null &&
      onlyTexts(await register.attempts({ callerKey: c.key, limit: TEXTS_ONLY_ATTEMPTS }));
    if (!offersLetThrough(c, textsOnly)) throw HttpError.said(400, 'errorLetThroughNoNumber');
    return { key: c.key, shown: c.shown };
  };
  /** When the office asked to let the caller's next call through, in the API's terms (null: nothing pending). */
  const letThroughJson = (key: string) => {
    const since = register.letThroughSince(key);
    return since === null ? null : { since: new Date(since).toISOString() };
  };
  /**
   * The evidence the caller is classified with; for a number asked by its digits that called only withheld, what a
   * number never seen has (its neighbours' and friends' evidence, not its own calls or talks; its mark if made by its
   * digits).
   */
  const evidenceOf = (c: Viewed): CallerEvidence => {
    const ev = deps.evidence.evidenceFor(c.key);
    if (!c.unseen) return ev;
    const out: CallerEvidence = { mark: c.markShown ? ev.mark : null, attempts: [], refusals: [] };
    if (ev.block !== undefined) out.block = ev.block;
    if (ev.blockCalls !== undefined) out.blockCalls = ev.blockCalls;
    if (ev.prefix !== undefined) out.prefix = ev.prefix;
    if (ev.friends !== undefined) out.friends = ev.friends;
    if (ev.calledByUs !== undefined) out.calledByUs = ev.calledByUs;
    // Asked by its digits: whoever asked knows them.
    if (ev.allowNext !== undefined) out.allowNext = ev.allowNext;
    return out;
  };
  /**
   * Its attempts per local day of the last year, of its calls in view. caller_daily counts a number's calls whichever
   * way they came: of a number that also called the other way, this page's way is counted from its rows.
   */
  const daysOf = async (c: Viewed, today: number) => {
    if (c.unseen) return [];
    if (c.only === undefined || (await register.numberSummary(c.key, !c.only)).attempts === 0)
      return reports.callerDays(c.key, today - 365);
    return reports.callerDaysBy(c.key, today - 365, c.only);
  };
  /** Its attempts in view, newest first, a withheld one's caller named by its token. */
  const attemptsOf = async (c: Viewed, limit: number) =>
    withheld.mask(
      await register.attempts({ callerKey: c.key, limit, ...(c.only !== undefined && { withheld: c.only }) }),
    );
  /**
   * A hidden caller's next call withheld as its latest withheld call was (`why` of that call's `withheld` reason:
   * `sip:anonymous@…` reads "anonymous caller"), where keyFromParam supposes Privacy: id; any other caller as it is.
   * `attempts`: its calls in view, newest first (a hidden caller's are its withheld ones).
   */
  const asItCalled = (c: Viewed, attempts: readonly Attempt[]): Viewed => {
    if (!c.hidden) return c;
    for (const a of attempts) {
      for (const r of a.reasons) {
        const why = r.code === 'withheld' ? r.params?.['why'] : undefined;
        if (typeof why === 'string' && WITHHELD_WHYS.has(why)) {
          return { ...c, identity: { ...c.identity, withheldReason: why as WithheldReason } };
        }
      }
    }
    return c;
  };
  /** What the next call from this caller would get, with friends' reports; a hidden caller's without its digits. */
  const classify = (c: Viewed, evidence: CallerEvidence, now: number, textsOnly: boolean) => {
    const decision = live.classify(c.identity, evidence, now, contextOfCaller(c.identity, textsOnly));
    return c.hidden ? { ...decision, reasons: hiddenReasons(decision.reasons) } : decision;
  };

  router.get('/numbers/:number', async (req, res) => {
    const ctx = pageContext(req, res, deps);
    const { params, query: q } = parseRequest(req, { params: numberParams, query: markedQuery });
    const viewed = await viewOf(params.number);
    const { key, summary } = viewed;
    const [days, history, attempts, vocab] = await Promise.all([
      daysOf(viewed, localDay(ctx.now, timeZone)),
      register.markHistory(key, 50).then((h) => (viewed.unseen ? h.filter((m) => !m.by.endsWith(HIDDEN_BY)) : h)),
      attemptsOf(viewed, TEXTS_ONLY_ATTEMPTS),
      reports.markVocabulary(),
    ]);
    const caller = asItCalled(viewed, attempts);
    const evidence = evidenceOf(caller);
    const textsOnly = onlyTexts(attempts);
    const decision = classify(caller, evidence, ctx.now, textsOnly);
    // What each of our numbers the policies name would do with this caller now.
    const lines = linesNow(
      live,
      caller.identity,
      evidence,
      ctx.now,
      deps.defaultCountry,
      { memory: deps.checkMemory, callerKey: key },
      textsOnly,
    );
    sendHtml(
      res,
      numberPage(ctx, {
        callerKey: caller.shown,
        // A withheld caller's kind of number (mobile, fixed line) is not said either.
        type: caller.hidden ? null : (caller.identity.number?.type ?? null),
        decision,
        mark: summary.mark,
        total: summary.attempts,
        days,
        history,
        attempts,
        vocab,
        lines,
        aggregates: reports.aggregates(),
        ...(offersLetThrough(caller, textsOnly) && { letThrough: register.letThroughSince(key) }),
        ...(q.marked !== undefined && markAgrees(q.marked, summary.mark) && { marked: q.marked }),
        ...rawKindOf(caller, textsOnly),
        ...(contextOfCaller(caller.identity, textsOnly) !== undefined && { nextIsText: true }),
      }),
    );
  });

  router.post('/numbers/:number/mark', async (req, res) => {
    const { params, body } = parseRequest(req, { params: numberParams, body: markForm });
    const { key, shown, hidden } = await callerOf(params.number);
    const none = body.label === 'none';
    await register.mark(key, {
      label: body.label,
      company: none ? null : (body.company ?? null),
      category: none ? null : (body.category ?? null),
      at: deps.clock.now(),
      by: hidden ? `panel${HIDDEN_BY}` : 'panel',
    });
    const back = body.return;
    // Back where the form was (the register's page and filters included), saying what was done there.
    const to = new URL(
      back && back.startsWith('/') && !back.startsWith('//') ? back : `/numbers/${encodeURIComponent(shown)}`,
      'http://panel',
    );
    to.searchParams.set('marked', body.label);
    to.searchParams.set('number', shown);
    // `#mark-<id>`: the register's row the form was on (its page scrolls back to it).
    const fragment = /^#[A-Za-z0-9-]{1,40}$/.test(to.hash) ? to.hash : '';
    res.redirect(303, `${to.pathname}${to.search}${fragment}`);
  });

  router.post('/numbers/:number/let-through', async (req, res) => {
    const { params, body } = parseRequest(req, { params: numberParams, body: letThroughForm });
    const { key, shown } = await letThroughKey(params.number);
    await register.letThrough(key, body.action === 'set' ? deps.clock.now() : null, 'panel');
    res.redirect(303, `/numbers/${encodeURIComponent(shown)}#let-through`);
  });

  const numberJson = async (param: string) => {
    const viewed = await viewOf(param);
    const latest = await attemptsOf(viewed, TEXTS_ONLY_ATTEMPTS);
    const caller = asItCalled(viewed, latest);
    const { key, identity, summary } = caller;
    const now = deps.clock.now();
    const evidence = evidenceOf(caller);
    const textsOnly = onlyTexts(latest);
    const decision = classify(caller, evidence, now, textsOnly);
    const lines = linesNow(
      live,
      identity,
      evidence,
      now,
      deps.defaultCountry,
      { memory: deps.checkMemory, callerKey: key },
      textsOnly,
    );
    return {
      number: caller.shown,
      withheld: caller.hidden,
      type: caller.hidden ? null : (identity.number?.type ?? null),
      country: caller.hidden ? null : (identity.number?.country ?? null),
      verdict: decision.verdict,
      score: decision.score,
      reasons: decision.reasons,
      mark: summary.mark ? { ...summary.mark, at: new Date(summary.mark.at).toISOString() } : null,
      // "Let the next call through" pending: since when; null when nothing is (or for a withheld caller's token).
      letThrough: caller.hidden ? null : letThroughJson(key),
      attempts: summary.attempts,
      firstSeen: summary.firstSeen === null ? null : new Date(summary.firstSeen).toISOString(),
      lastSeen: summary.lastSeen === null ? null : new Date(summary.lastSeen).toISOString(),
      recent: latest.slice(0, 20).map(attemptJson),
      // What each of our numbers the policies name (did null: any other) would do with this caller now; [] without policies.
      lines: (lines?.lines ?? []).map((l) => ({
        did: l.did,
        name: l.name,
        verdict: l.verdict,
        action: formatAction(l.choice.action),
        rule: l.choice.rule?.number ?? null,
        note: l.note?.text ?? null,
      })),
    };
  };

  router.get('/api/numbers/:number', async (req, res) => {
    res.json(await numberJson(parseRequest(req, { params: numberParams }).params.number));
  });

  router.post('/api/numbers/:number/mark', express.json({ limit: '64kb' }), async (req, res) => {
    const { params, body } = parseRequest(req, { params: numberParams, body: markBody });
    const { key, hidden } = await callerOf(params.number);
    await register.mark(key, {
      label: body.label,
      company: body.company || null,
      category: body.category || null,
      at: deps.clock.now(),
      by: hidden ? `api${HIDDEN_BY}` : 'api',
    });
    res.json(await numberJson(params.number));
  });

  router.post('/api/numbers/:number/let-through', express.json({ limit: '8kb' }), async (req, res) => {
    const { params, body } = parseRequest(req, { params: numberParams, body: letThroughBody });
    const { key } = await letThroughKey(params.number);
    await register.letThrough(key, body.withdraw === true ? null : deps.clock.now(), 'api');
    res.json(await numberJson(params.number));
  });

  router.post('/api/numbers/:number/appeal', express.json({ limit: '8kb' }), async (req, res) => {
    const { params, body } = parseRequest(req, { params: numberParams, body: appealBody });
    const { key, shown } = await callerOf(params.number);
    await register.mark(key, { label: 'none', company: null, category: null, at: deps.clock.now(), by: APPEAL_BY });
    await deps.feed.feeds.appeal(key, body.reason, 'api');
    res.json({ number: shown, cleared: true, reason: body.reason });
  });

  return router;
}
