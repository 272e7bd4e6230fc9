/**
 * A caller's number: its page (`GET /numbers/:number`: verdict and reasons, mark, history, attempts) and marking form,
 * the JSON API's `GET /api/numbers/:number`, `POST /api/numbers/:number/mark` and the appeal that clears a wrongly
 * listed caller (`POST /api/numbers/:number/appeal`: the reason is kept, the clearing travels in our feed).
 */
import express, { Router } from 'express';
import { z } from 'zod';
import { formatAction } from '../../screening/policy.js';
import { APPEAL_BY } from '../../sharing/feeds/feed-publisher.js';
import { localDay } from '../../store/reports/local-days.js';
import { keyFromParam } from '../caller-param.js';
import type { PanelDeps } from '../deps.js';
import { linesNow } from '../lines-now.js';
import { pageContext, sendHtml } from '../page.js';
import { numberPage } from '../pages/number.js';
import { categoryKey } from '../category-text.js';
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
    category: z.string().trim().max(60).nullish(),
  })
  .strict();

const appealBody = z.object({ reason: z.string().trim().min(3).max(500) }).strict();

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

export function numbersRouter(deps: NumbersDeps): Router {
  const router = Router();
  const { register, reports, live, timeZone, withheld } = deps;
  /**
   * The caller a URL names, and how the office sees it: a caller known only from withheld calls by its token (named
   * by it, or by its number: its page still shows no digits), else by its number (`shown`: the key).
   */
  const callerOf = async (param: string) => {
    const caller = keyFromParam(param, deps.defaultCountry, withheld);
    const token = caller.token ?? (await withheld.tokenOf(caller.key));
    if (token === null) return { ...caller, shown: caller.key, hidden: false };
    // Its next call is classified as its calls came: withheld.
    const identity = { ...caller.identity, withheld: true, withheldReason: 'privacy-header' as const };
    return { ...caller, identity, shown: token, hidden: true };
  };
  /** What the next call from this caller would get, with friends' reports. */
  const classify = (c: Awaited<ReturnType<typeof callerOf>>, now: number) =>
    live.classify(c.identity, deps.evidence.evidenceFor(c.key), now);

  router.get('/numbers/:number', async (req, res) => {
    const ctx = pageContext(req, res, deps);
    const { params, query: q } = parseRequest(req, { params: numberParams, query: markedQuery });
    const caller = await callerOf(params.number);
    const { key } = caller;
    // A withheld caller asked by its digits: its page is the token's (the address bar keeps no digits either).
    if (caller.hidden && caller.token === undefined) {
      const back = new URL(req.originalUrl, 'http://panel');
      res.redirect(303, `/numbers/${encodeURIComponent(caller.shown)}${back.search}`);
      return;
    }
    const today = localDay(ctx.now, timeZone);
    const [summary, days, history, attempts, vocab] = await Promise.all([
      register.numberSummary(key),
      reports.callerDays(key, today - 365),
      register.markHistory(key, 50),
      register.attempts({ callerKey: key, limit: 50 }).then((rows) => withheld.mask(rows)),
      reports.markVocabulary(),
    ]);
    const evidence = deps.evidence.evidenceFor(key);
    const decision = live.classify(caller.identity, evidence, ctx.now);
    // What each of our numbers the policies name would do with this caller now.
    const lines = linesNow(live, caller.identity, evidence, ctx.now, deps.defaultCountry, {
      memory: deps.checkMemory,
      callerKey: key,
    });
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
        ...(q.marked !== undefined && markAgrees(q.marked, summary.mark) && { marked: q.marked }),
      }),
    );
  });

  router.post('/numbers/:number/mark', async (req, res) => {
    const { params, body } = parseRequest(req, { params: numberParams, body: markForm });
    const { key, shown } = await callerOf(params.number);
    const none = body.label === 'none';
    await register.mark(key, {
      label: body.label,
      company: none ? null : (body.company ?? null),
      category: none ? null : (body.category ?? null),
      at: deps.clock.now(),
      by: 'panel',
    });
    const back = body.return;
    // Back where the form was (the register's page and filters included), saying what was done there.
    const to = new URL(
      back && back.startsWith('/') && !back.startsWith('//') ? back : `/numbers/${encodeURIComponent(shown)}`,
      'http://panel',
    );
    to.searchParams.set('marked', body.label);
    to.searchParams.set('number', shown);
    res.redirect(303, `${to.pathname}${to.search}`);
  });

  const numberJson = async (param: string) => {
    const caller = await callerOf(param);
    const { key, identity } = caller;
    const now = deps.clock.now();
    const decision = classify(caller, now);
    const lines = linesNow(live, identity, deps.evidence.evidenceFor(key), now, deps.defaultCountry, {
      memory: deps.checkMemory,
      callerKey: key,
    });
    const summary = await register.numberSummary(key);
    const recent = await withheld.mask(await register.attempts({ callerKey: key, limit: 20 }));
    return {
      number: caller.shown,
      withheld: caller.hidden,
      type: caller.hidden ? null : (identity.number?.type ?? null),
      country: caller.hidden ? null : (identity.number?.country ?? null),
      verdict: decision.verdict,
      score: decision.score,
      reasons: decision.reasons,
      mark: summary.mark ? { ...summary.mark, at: new Date(summary.mark.at).toISOString() } : null,
      attempts: summary.attempts,
      firstSeen: summary.firstSeen === null ? null : new Date(summary.firstSeen).toISOString(),
      lastSeen: summary.lastSeen === null ? null : new Date(summary.lastSeen).toISOString(),
      recent: recent.map(attemptJson),
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
    const { key } = await callerOf(params.number);
    await register.mark(key, {
      label: body.label,
      company: body.company || null,
      category: body.category || null,
      at: deps.clock.now(),
      by: 'api',
    });
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
