import { typedFromIsoDay } from '../date-text.js';
import { html, query, type HtmlValue, type SafeHtml } from '../html.js';
import { SUGGESTED_CATEGORIES, categoryText } from '../category-text.js';
import type { Lang, Locale } from '../i18n.js';
import type { Verdict } from '../../screening/types.js';

/** What every page needs: the office's language and clock, and the session's CSRF token for its forms. */
export interface PageContext {
  loc: Locale;
  csrf: string;
  /** The request path with its query, to switch language in place. */
  path: string;
  now: number;
  timeZone: string;
}

const NAV = [
  ['/', 'dashboard'],
  ['/register', 'register'],
  ['/rankings', 'rankings'],
  ['/rules', 'rules'],
  ['/settings', 'settings'],
] as const;

function langLink(ctx: PageContext, lang: Lang): SafeHtml {
  const [path = '/', search = ''] = ctx.path.split('?');
  const params = new URLSearchParams(search);
  params.set('lang', lang);
  const label = lang.toUpperCase();
  return lang === ctx.loc.lang
    ? html`<strong aria-current="true" lang="${lang}">${label}</strong>`
    : html`<a href="${`${path}?${params.toString()}`}" hreflang="${lang}" lang="${lang}">${label}</a>`;
}

export function csrfField(ctx: PageContext): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;
}

/** What every panel page's <head> holds: charset, phone viewport, title, the one stylesheet. */
function headCommon(title: string): SafeHtml {
  return html`<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · crocetta</title>
<link rel="stylesheet" href="/assets/panel.css">`;
}

/**
 * A panel page. `aside`: controls that stand on the heading's line, right of the title (the register's "All / Calls /
 * SMS"), where they take no room from the page's own rows.
 */
export function page(ctx: PageContext, title: string, body: HtmlValue, aside?: HtmlValue): SafeHtml {
  const here = ctx.path.split('?')[0] ?? '/';
  return html`<!doctype html>
<html lang="${ctx.loc.lang}">
<head>
${headCommon(title)}
<script src="/assets/chart.umd.min.js" defer></script>
<script src="/assets/panel.js" defer></script>
</head>
<body>
<header>
  <span class="brand">✗ crocetta</span>
  <nav>${NAV.map(([href, key]) => html`<a href="${href}" class="${here === href ? 'here' : ''}">${ctx.loc.t(key)}</a>`)}</nav>
  <span class="tools">
    <span role="group" aria-label="${ctx.loc.t('language')}">${langLink(ctx, 'it')} · ${langLink(ctx, 'en')}</span>
    <form method="post" action="/logout">${csrfField(ctx)}<button type="submit">${ctx.loc.t('logout')}</button></form>
  </span>
</header>
<main>
${aside === undefined ? html`<h1>${title}</h1>` : html`<div class="page-head"><h1>${title}</h1>${aside}</div>`}
${body}
</main>
</body>
</html>`;
}

export function bare(lang: Lang, title: string, body: HtmlValue): SafeHtml {
  return html`<!doctype html>
<html lang="${lang}">
<head>
${headCommon(title)}
</head>
<body><main>${body}</main></body>
</html>`;
}

export function verdictBadge(loc: Locale, verdict: string): SafeHtml {
  const known = ['trusted', 'unknown', 'suspect', 'nuisance'].includes(verdict);
  const text = known ? loc.t(`verdict_${verdict as Verdict}`) : verdict;
  return html`<span class="badge v-${known ? verdict : 'unknown'}">${text}</span>`;
}

/**
 * "SMS" beside the time of an attempt that was a text message (SIP MESSAGE), else nothing: a message is screened and
 * registered like a call, and without it the office reads a row it never heard ring as a call that was let through.
 */
export function kindBadge(loc: Locale, kind: string): SafeHtml | '' {
  return kind === 'message'
    ? html` <span class="badge kind-sms" title="${loc.t('smsTitle')}">${loc.t('sms')}</span>`
    : '';
}

/**
 * A text message's text, when the register kept it (`messages.storeText: true`; by default it keeps only its length),
 * under the row's reasons (escaped, line breaks kept); else nothing. A withheld sender's text is kept but not shown
 * (withheld.ts blanks it with the number: a text may carry its sender's own number or name).
 */
export function messageTextBlock(loc: Locale, a: { kind: string; messageText: string | null }): SafeHtml | '' {
  return a.kind === 'message' && a.messageText !== null && a.messageText !== ''
    ? html`<p class="sms-text"><span class="muted small">${loc.t('smsText')}</span> ${a.messageText}</p>`
    : '';
}

/** The paper register's crosses: one per attempt, up to ten, then the count, written by `count` (the locale's). */
export function ticks(n: number, count: (n: number) => string): SafeHtml {
  return html`<span class="ticks" aria-hidden="true">${'✗'.repeat(Math.min(n, 10))}</span> <span class="small">${count(n)}</span>`;
}

export function numberHref(callerKey: string, extra: Record<string, string | undefined> = {}): string {
  return `/numbers/${encodeURIComponent(callerKey)}${query(extra)}`;
}

/** A chart for panel.js: the spec travels as a data attribute (escaped), never as inline script. */
export function chart(
  spec: {
    type?: 'bar' | 'line';
    labels: string[];
    datasets: Array<{ label: string; data: number[]; color?: string }>;
    stacked?: boolean;
    indexAxis?: 'x' | 'y';
  },
  label: string,
): SafeHtml {
  return html`<div class="chart"><canvas data-chart="${JSON.stringify(spec)}" role="img" aria-label="${label}"></canvas></div>`;
}

/** The mark form: nuisance with company and category, or trusted, or clear. */
export function markForm(
  ctx: PageContext,
  callerKey: string,
  opts: {
    returnTo: string;
    open?: boolean;
    company?: string | null;
    category?: string | null;
    marked?: boolean;
    /** The summary's id: `returnTo` ends with `#<id>` and the page comes back to it, focused (a register row's). */
    id?: string;
    /** The summary is described by the page's notice of the mark just made (`markedNotice`): this caller's. */
    justMarked?: boolean;
  },
): SafeHtml {
  const { t } = ctx.loc;
  return html`<details class="mark"${opts.open ? html` open` : ''}>
<summary${opts.id === undefined ? '' : html` id="${opts.id}"`}${opts.justMarked === true ? html` aria-describedby="marked-notice"` : ''}>${t('mark')}</summary>
<form method="post" action="${`/numbers/${encodeURIComponent(callerKey)}/mark`}">
  ${csrfField(ctx)}
  <input type="hidden" name="return" value="${opts.returnTo}">
  <label>${t('company')} <input name="company" maxlength="120" list="companies" value="${opts.company ?? ''}" placeholder="${t('companyHint')}"></label>
  <label>${t('category')} <input name="category" maxlength="60" list="categories" value="${opts.category ? categoryText(ctx.loc.lang, opts.category) : ''}"></label>
  <span class="row">
    <button type="submit" name="label" value="nuisance" class="danger">${t('markNuisance')}</button>
    <button type="submit" name="label" value="trusted" class="good">${t('markTrusted')}</button>
    ${opts.marked ? html`<button type="submit" name="label" value="none">${t('unmark')}</button>` : ''}
  </span>
</form>
</details>`;
}

/** What the mark form just did (the page it went back to says it: `?marked=<label>`), once the register agrees. */
export function markedNotice(ctx: PageContext, label: 'nuisance' | 'trusted' | 'none', shown: string): SafeHtml {
  return html`<p class="notice" role="status" id="marked-notice" data-marked="${label}">${ctx.loc.t(`markedDone_${label}`, { number: shown })}</p>`;
}

/** The mark form's suggestions: companies and categories already used, the categories named in the page's language. */
export function datalists(lang: Lang, vocab: { categories: string[]; companies: string[] }): SafeHtml {
  const cats = [...new Set([...vocab.categories, ...SUGGESTED_CATEGORIES].map((c) => categoryText(lang, c)))];
  return html`<datalist id="companies">${vocab.companies.map((c) => html`<option value="${c}">`)}</datalist>
<datalist id="categories">${cats.map((c) => html`<option value="${c}">`)}</datalist>`;
}

/**
 * A date field of a filter form: text typed day first, `gg/mm/aaaa` / `dd/mm/yyyy` as its placeholder, not the
 * browser's date input (which writes the browser's language's order, mm/dd/yyyy on an Italian page in an English
 * browser). The order is in the label too, for a screen reader only: shown beside the label it said the placeholder
 * again and, a line of its own, made the register's filters wrap at 1366 px. `value`: the ISO day the URL carries,
 * shown day first, or what was typed when it is no day (`unread`).
 */
export function dateField(
  ctx: PageContext,
  name: string,
  label: string,
  value: string | undefined,
  unread = false,
): SafeHtml {
  const format = ctx.loc.t('dateFormat');
  return html`<label>${label}<span class="sr-only"> (${format})</span><input type="text" name="${name}" class="date" value="${typedFromIsoDay(value ?? '')}" placeholder="${format}" maxlength="20" autocomplete="off"${unread ? html` aria-invalid="true"` : ''}></label>`;
}
