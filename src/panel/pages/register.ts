import { VERDICTS } from '../../screening/types.js';
import type { AggregatesStatus } from '../../store/reports/aggregates.js';
import type { MarkNow } from '../../store/reports/reports.js';
import type { Attempt } from '../../store/register/types.js';
import { html, query, type HtmlValue, type SafeHtml } from '../html.js';
import {
  dateField,
  datalists,
  kindBadge,
  messageTextBlock,
  markForm,
  markedNotice,
  numberHref,
  page,
  ticks,
  verdictBadge,
  type PageContext,
} from './layout.js';
import { checkText } from './number.js';
import { reasonsText } from '../reason-text.js';
import { actionCell, actionKindText } from '../action-text.js';
import { aggregatesNotice } from './aggregates-notice.js';
import { hiddenTag } from '../withheld.js';

/**
 * A run in a display name that reads as a phone number: a digit (after an optional `+`), digits, spaces and `().-/`,
 * a digit, 5 to 21 characters in all (an E.164 number is 16 with its `+`; room for spaces and a parenthesis).
 */
const NUMBER_RUN = /\+?\(?\d[\d ()./-]{3,18}\d/g;

/**
 * A display name with each number-like run in a nowrap span: the name column breaks long text anywhere (a 128-character
 * name in two clipped lines, session 45), which broke a name that is a number mid-number at 1366 px ("+3902123456 / 78",
 * reasons47's walk, session 47). The rest of the name breaks as before.
 */
export function displayName(name: string): SafeHtml {
  const parts: HtmlValue[] = [];
  let from = 0;
  for (const m of name.matchAll(NUMBER_RUN)) {
    parts.push(name.slice(from, m.index), html`<span class="num">${m[0]}</span>`);
    from = m.index + m[0].length;
  }
  parts.push(name.slice(from));
  return html`${parts}`;
}

/** The register's filters as they appear in the URL (all text; validated by the route). */
export interface RegisterParams {
  from?: string;
  to?: string;
  verdict?: string;
  kind?: string;
  action?: string;
  did?: string;
  q?: string;
}

export interface RegisterData {
  params: RegisterParams;
  /** Date fields whose value is no day (shown back as typed, said above the list; they filter nothing). */
  unread?: ReadonlyArray<'from' | 'to'>;
  rows: Attempt[];
  ticks: Map<string, number>;
  /** The current mark of the callers on the page (by the key their rows carry), for each row's mark form. */
  marks: Map<string, MarkNow>;
  dids: string[];
  /** Query string for the next (older) page, when there is one. */
  olderQuery: string | null;
  isFirstPage: boolean;
  /** This page's cursor (`before`), when it is an older page: a mark sent from it comes back to it. */
  cursor?: string;
  /** A mark form sent from this page just did this. */
  marked?: { label: 'nuisance' | 'trusted' | 'none'; shown: string; key: string };
  vocab: { categories: string[]; companies: string[] };
  /** Whether `ticks` (caller_daily) are complete or being rebuilt (the page then says so). */
  aggregates?: AggregatesStatus;
}

/** The register's "All / Calls / SMS": an attempt's kind (URL `kind=call|message`). */
export const KIND_FILTERS = ['call', 'message'] as const;

export const ACTION_FILTERS = [
  'allow',
  'tag',
  'reject',
  'redirect',
  'announce-early',
  'announce-answer',
  'hangup',
  'check',
  'no-pbx',
  'unroutable',
] as const;

function select(
  name: string,
  label: string,
  current: string | undefined,
  options: ReadonlyArray<[string, string]>,
  anyText: string,
): SafeHtml {
  return html`<label>${label}<select name="${name}">
<option value="">${anyText}</option>
${options.map(([v, text]) => html`<option value="${v}"${v === current ? html` selected` : ''}>${text}</option>`)}
</select></label>`;
}

function callerCell(a: Attempt, ctx: PageContext): SafeHtml {
  if (a.callerKey === null) {
    // A caller ID that names no one, not withheld (a carrier's placeholder, `0000000000`): as received, with no page
    // (callerKey: it would be every caller that carrier has no number for).
    if (!a.withheld && a.callerRaw !== null && a.callerRaw !== '')
      return html`<span class="muted">${a.callerRaw}</span>`;
    return html`<span class="muted">${ctx.loc.t('withheld')}</span>`;
  }
  // A caller known only from withheld calls: its token, read "Numero nascosto · A3F9" (withheld.ts).
  if (hiddenTag(a.callerKey) !== null)
    return html`<a href="${numberHref(a.callerKey)}" class="hidden-caller" title="${ctx.loc.t('hiddenCallerTitle')}">${ctx.loc.phone(a.callerKey)}</a>`;
  const shown = ctx.loc.phone(a.callerE164 ?? a.callerKey);
  return html`<a href="${numberHref(a.callerKey)}">${shown}</a>${a.withheld ? html` <span class="muted small">(${ctx.loc.t('withheld')})</span>` : ''}`;
}

/**
 * A row's mark: the caller's mark now (as the dashboard's and the rankings' "Mark" say it) and the form to change it,
 * filled with its company and category and offering to remove it, as on the number's page: a blank form over a marked
 * number let a second mark from the register wipe its company unseen, and left no way to undo a mistaken mark here.
 */
function markCell(
  ctx: PageContext,
  a: { id: number; callerKey: string },
  mark: MarkNow | undefined,
  page: string,
  justMarked: boolean,
): SafeHtml {
  // Back to this row, its "Mark" focused, not to the page's top (a long register lost the office its place, and a
  // keyboard 16 tab stops to reach the rows again): the browser scrolls to and focuses the fragment's summary, which
  // the notice of what was done describes (a screen reader says it there; the notice stays in sight: CSS, sticky).
  const id = `mark-${a.id}`;
  const returnTo = `${page}#${id}`;
  if (mark === undefined) return markForm(ctx, a.callerKey, { returnTo, id, justMarked });
  return html`<span class="mark-now">${verdictBadge(ctx.loc, mark.label)}</span>${markForm(ctx, a.callerKey, {
    returnTo,
    id,
    justMarked,
    company: mark.company,
    category: mark.category,
    marked: true,
  })}`;
}

/** The filters' form, which "All / Calls / SMS" beside the title submit (`form=` works without JavaScript). */
const FILTERS_FORM = 'register-filters';

/** `name="kind" value="…"` of a button that submits the filters with that kind; nothing for "All" (no `kind=`). */
function kindField(kind: string | undefined): SafeHtml | string {
  return kind === undefined ? '' : html` name="kind" value="${kind}"`;
}

/**
 * "All / Calls / SMS" beside the page's title: one click shows only the calls or only the text messages (the filters'
 * row has no room left at 1280 px: test/browser/laptop-width.test.ts). They are submit buttons of the filters' form,
 * not links: what the office typed or chose and did not send yet goes with them (a number typed, then "SMS": that
 * number's messages; as links they dropped it, panel46/tidy47). The form's own button and Enter carry the choice on,
 * and so do the pager, the CSV links and a mark's way back (those carry what is shown: the filters applied).
 *
 * Enter in a field submits with the form's default button, the first of its submit buttons in the page's order: these
 * stand before the form, so an invisible one comes first that carries the current choice (else Enter meant "All").
 */
function kindTabs(ctx: PageContext, p: RegisterParams): SafeHtml {
  const { t } = ctx.loc;
  const tabs: ReadonlyArray<[string | undefined, string]> = [
    [undefined, t('kindAll')],
    ['call', t('kindCalls')],
    ['message', t('sms')],
  ];
  return html`<button type="submit" form="${FILTERS_FORM}" class="sr-only" tabindex="-1" aria-hidden="true"${kindField(p.kind)}>${t('filter')}</button><nav class="segmented" aria-label="${t('kindShown')}">${tabs.map(
    ([kind, text]) =>
      html`<button type="submit" form="${FILTERS_FORM}"${kindField(kind)}${kind === p.kind ? html` aria-current="page"` : ''}>${text}</button>`,
  )}</nav>`;
}

export function registerPage(ctx: PageContext, d: RegisterData): SafeHtml {
  const { t } = ctx.loc;
  const p = d.params;
  const filters = html`<form class="filters" id="${FILTERS_FORM}" method="get" action="/register">
  ${dateField(ctx, 'from', t('from'), p.from, d.unread?.includes('from') === true)}
  ${dateField(ctx, 'to', t('to'), p.to, d.unread?.includes('to') === true)}
  ${select(
    'verdict',
    t('verdict'),
    p.verdict,
    VERDICTS.map((v) => [v, t(`verdict_${v}`)]),
    t('any'),
  )}
  ${select(
    'action',
    t('action'),
    p.action,
    ACTION_FILTERS.map((a) => [a, actionKindText(ctx.loc.lang, a)]),
    t('any'),
  )}
  ${select(
    'did',
    t('called'),
    p.did,
    d.dids.map((n) => [n, ctx.loc.phone(n)]),
    t('any'),
  )}
  <label>${t('search')}<input type="search" name="q" value="${p.q ?? ''}" maxlength="64"></label>
  <button type="submit" class="primary"${kindField(p.kind)}>${t('filter')}</button>
  <a class="button" href="${`/register.csv${query({ ...p })}`}" download>${t('csv')}</a>
  <a class="button" href="${`/register.csv${query({ ...p, excel: '1' })}`}" download>${t('csvExcel')}</a>
</form>`;
  const returnTo = `/register${query({ ...p, before: d.cursor })}`;
  // Each cell names its column (data-label): on a phone the rows become cards that show the names.
  const rows = d.rows.map(
    (a) => html`<tr>
<td class="c-time" data-label="${t('time')}">${ctx.loc.dateTime(a.time)}${kindBadge(ctx.loc, a.kind)}</td>
<td class="c-number nowrap" data-label="${t('number')}">${callerCell(a, ctx)}</td>
<td class="c-name" data-label="${t('displayName')}">${a.callerName === null ? '' : html`<span class="clip" title="${a.callerName}">${displayName(a.callerName)}</span>`}</td>
<td class="c-called nowrap" data-label="${t('called')}">${a.calledNumber === null ? '' : ctx.loc.phone(a.calledNumber)}</td>
<td data-label="${t('verdict')}">${verdictBadge(ctx.loc, a.verdict)}</td>
<td class="reason" data-label="${t('reason')}">${reasonsText(ctx.loc, a.reasons)}${messageTextBlock(ctx.loc, a)}</td>
<td class="c-action" data-label="${t('action')}">${actionCell(ctx.loc.lang, a.action)}${a.check ? html`<br><span class="small check-${a.check}">${checkText(ctx.loc, a)}</span>` : ''}</td>
<td class="nowrap" data-label="${t('ticks')}">${a.callerKey ? ticks(d.ticks.get(a.callerKey) ?? 1, ctx.loc.number) : ''}</td>
<td data-label="${t('mark')}">${a.callerKey ? markCell(ctx, { id: a.id, callerKey: a.callerKey }, d.marks.get(a.callerKey), returnTo, d.marked?.key === a.callerKey) : ''}</td>
</tr>`,
  );
  return page(
    ctx,
    t('register'),
    html`${d.marked ? markedNotice(ctx, d.marked.label, d.marked.shown) : ''}${(d.unread ?? []).map((f) => html`<p class="notice error" role="alert">${t('dateUnread', { field: t(f), text: p[f] ?? '' })}</p>`)}${d.aggregates ? aggregatesNotice(ctx, d.aggregates, 'ticks') : ''}${filters}${datalists(ctx.loc.lang, d.vocab)}
${
  d.rows.length === 0
    ? html`<p class="muted">${t('noAttempts')}</p>`
    : html`<div class="scroll"><table id="register">
<thead><tr><th>${t('time')}</th><th>${t('number')}</th><th>${t('displayName')}</th><th class="c-called">${t('called')}</th><th>${t('verdict')}</th><th>${t('reason')}</th><th>${t('action')}</th><th>${t('ticks')}</th><th>${t('mark')}</th></tr></thead>
<tbody>${rows}</tbody></table></div>`
}
<div class="pager">
  ${d.isFirstPage ? '' : html`<a href="${`/register${query({ ...p })}`}">« ${t('newest')}</a>`}
  ${d.olderQuery !== null ? html`<a href="${`/register${d.olderQuery}`}" rel="next">${t('older')} »</a>` : ''}
</div>`,
    kindTabs(ctx, p),
  );
}
