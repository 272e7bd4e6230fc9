import type { Decision, Mark } from '../../screening/types.js';
import type { AggregatesStatus } from '../../store/reports/aggregates.js';
import type { Totals } from '../../store/reports/reports.js';
import type { Attempt, MarkHistoryEntry } from '../../store/register/types.js';
import { html, type HtmlValue, type SafeHtml } from '../html.js';
import { localeTag, type Lang, type Locale } from '../i18n.js';
import { dossierHref, dossierTexts } from './dossier.js';
import type { OpenState } from '../../screening/business-hours.js';
import { linesNowCard, openText, type LineNow } from './policies.js';
import {
  csrfField,
  datalists,
  kindBadge,
  markForm,
  markedNotice,
  messageTextBlock,
  page,
  ticks,
  verdictBadge,
  type PageContext,
} from './layout.js';
import { importedFromIt, reasonText, reasonsText } from '../reason-text.js';
import { importedFromText } from '../../screening/mark-source.js';
import { actionCell } from '../action-text.js';
import { categoryText } from '../category-text.js';
import { phoneCountryName } from '../phone-text.js';
import { aggregatesNotice } from './aggregates-notice.js';

export interface NumberData {
  callerKey: string;
  type: string | null;
  decision: Decision;
  mark: Mark | null;
  total: number;
  days: Array<{ day: number } & Totals>;
  history: MarkHistoryEntry[];
  attempts: Attempt[];
  vocab: { categories: string[]; companies: string[] };
  /** What each line would do with this caller now (policies); null or absent: no policies. */
  lines?: { open: OpenState | null; lines: LineNow[] } | null;
  /** Whether `days` (caller_daily) is complete or being rebuilt (the timeline then says so). */
  aggregates?: AggregatesStatus;
  /** The mark form was just sent from this page, and did this. */
  marked?: 'nuisance' | 'trusted' | 'none';
  /**
   * "Let the next call through": when the office asked it (ms), null when nothing is pending; absent when not offered
   * (a withheld caller's page: no number to let through).
   */
  letThrough?: number | null;
  /** A `raw:` caller's kind: a text message's sender ID or a short code (the page says so); absent: neither. */
  rawKind?: 'sender-id' | 'short-code';
  /**
   * The caller's next request is judged as a text (contextOfCaller: a number, a short code or a sender ID that only
   * texted): the card and the let-through button say so.
   */
  nextIsText?: boolean;
}

/** Who made a mark, in words: the register keeps `panel`, `api`, `cli`, `appeal`, `import:<format>`. */
const MARKED_BY: Record<Lang, Record<string, string>> = {
  en: {
    panel: 'from the panel',
    'panel-hidden': 'from the panel, on a withheld caller’s page',
    api: 'through the JSON API',
    'api-hidden': 'through the JSON API, by a withheld caller’s token',
    cli: 'from the command line',
    appeal: 'on appeal',
  },
  it: {
    panel: 'dal pannello',
    'panel-hidden': 'dal pannello, dalla pagina di un numero nascosto',
    api: 'tramite l’API JSON',
    'api-hidden': 'tramite l’API JSON, con il token di un numero nascosto',
    cli: 'dalla riga di comando',
    appeal: 'su ricorso',
  },
};

export function markedBy(lang: Lang, by: string): string {
  const known = MARKED_BY[lang][by];
  if (known !== undefined) return known;
  // In the reason's words (`importato da un elenco FRITZ!Box`), not the source's code (`importato (fritzbox)`).
  if (by.startsWith('import:'))
    return lang === 'it' ? `importato da ${importedFromIt(by)}` : `imported from ${importedFromText(by)}`;
  return `${lang === 'it' ? 'da' : 'by'} ${by}`;
}

/** A score as the page's language writes decimals: 0,99 in Italian, 0.99 in English. */
export function scoreText(lang: Lang, score: number): string {
  return score.toLocaleString(localeTag(lang), {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
}

export function numberPage(ctx: PageContext, d: NumberData): SafeHtml {
  const { t } = ctx.loc;
  const here = `/numbers/${encodeURIComponent(d.callerKey)}`;
  const markText = d.mark
    ? html`${verdictBadge(ctx.loc, d.mark.label)} ${d.mark.company ?? ''}${d.mark.category ? html` <span class="muted">(${categoryText(ctx.loc.lang, d.mark.category)})</span>` : ''} <span class="muted small">${ctx.loc.date(d.mark.at)}${typeof d.mark.from === 'string' ? `, ${markedBy(ctx.loc.lang, d.mark.from)}` : ''}</span>`
    : html`<span class="muted">${t('noMark')}</span>`;
  // A caller ID that is no phone number is kept under `raw:` and the text as received: the title is that text.
  const raw = d.callerKey.startsWith('raw:');
  const shown = ctx.loc.phone(d.callerKey);
  // What kind of number, and where from: "cellulare · Italia", "numero verde · Stati Uniti".
  const country = phoneCountryName(d.callerKey, ctx.loc.lang);
  const about = [d.type ? numberType(ctx.loc.lang, d.type) : null, country].filter((s): s is string => s !== null);
  return page(
    ctx,
    shown,
    html`${d.marked ? markedNotice(ctx, d.marked, shown) : ''}${raw ? html`<p class="muted small" id="raw-caller">${t(d.rawKind === 'sender-id' ? 'rawSender' : d.rawKind === 'short-code' ? 'rawShortCode' : 'rawCaller')}</p>` : ''}<section class="cards wide" id="number-cards">
  <div class="card"><div class="l">${t(d.nextIsText !== true ? 'nextCall' : d.rawKind === 'sender-id' ? 'nextText' : 'nextTextNumber')}</div><div>${verdictBadge(ctx.loc, d.decision.verdict)} <span class="muted small">${t('score')} ${scoreText(ctx.loc.lang, d.decision.score)}</span></div>
    <ul class="small">${d.decision.reasons.map((r) => html`<li>${reasonText(ctx.loc, r)}</li>`)}</ul></div>
  <div class="card"><div class="l">${t('mark')}</div><div>${markText}</div>
    ${datalists(ctx.loc.lang, d.vocab)}
    ${markForm(ctx, d.callerKey, { returnTo: here, open: true, company: d.mark?.company ?? null, category: d.mark?.category ?? null, marked: d.mark !== null })}
    ${d.letThrough === undefined ? '' : letThroughForm(ctx, d.callerKey, d.letThrough, d.nextIsText === true || (d.rawKind === 'short-code' && d.total === 0))}</div>
  <div class="card"><div class="l">${t('ticks')}</div><div>${ticks(d.total, ctx.loc.number)}</div>${about.length > 0 ? html`<div class="muted small" id="number-kind">${about.join(' · ')}</div>` : ''}</div>
</section>
${d.lines ? linesNowCard(ctx, { time: ctx.loc.dateTime(ctx.now), state: openText(ctx, d.lines.open), lines: d.lines.lines }) : ''}
<p class="no-print"><a href="${dossierHref({ number: d.callerKey })}">${dossierTexts(ctx.loc.lang).dossierLink}</a></p>
<h2>${t('timeline')}</h2>
${d.aggregates ? aggregatesNotice(ctx, d.aggregates, 'days') : ''}${
      d.days.length
        ? html`<div class="timeline">${d.days.map(
            (x) =>
              html`<span class="d"><span class="muted">${ctx.loc.day(x.day)}</span> ${ticks(x.attempts, ctx.loc.number)}${x.stopped ? html` <span class="muted small">(${t('stopped').toLocaleLowerCase(ctx.loc.lang)} ${ctx.loc.number(x.stopped)})</span>` : ''}</span>`,
          )}</div>`
        : html`<p class="muted">${t('noAttempts')}</p>`
    }
<h2>${t('marks')}</h2>
${
  d.history.length
    ? html`<ul id="mark-history">${d.history.map(
        (h) =>
          html`<li>${ctx.loc.dateTime(h.at)}: <strong>${h.label === 'none' ? t('markRemoved') : h.label === 'nuisance' ? t('markedNuisance') : t('markedTrusted')}</strong> ${h.company ?? ''}${h.category ? ` (${categoryText(ctx.loc.lang, h.category)})` : ''} <span class="muted small">${markedBy(ctx.loc.lang, h.by)}</span></li>`,
      )}</ul>`
    : html`<p class="muted">${t('noMark')}</p>`
}
<h2>${t('sipDetails')}</h2>
<div class="scroll"><table id="sip-details" class="stack">
<thead><tr><th>${t('time')}</th><th>${t('displayName')}</th><th>${t('rawNumber')}</th><th>${t('called')}</th><th>${t('verdict')}</th><th>${t('reason')}</th><th>${t('action')}</th><th>${t('outcome')}</th><th>${t('header')}</th><th>${t('source')}</th><th>${t('userAgent')}</th><th>${t('callId')}</th></tr></thead>
<tbody>${d.attempts.map(
      (a) => html`<tr>
<td class="nowrap" data-label="${t('time')}">${ctx.loc.dateTime(a.time)}${kindBadge(ctx.loc, a.kind)}</td><td class="c-name-whole" data-label="${t('displayName')}">${a.callerName ?? ''}</td><td class="mono whole" data-label="${t('rawNumber')}">${a.callerRaw ?? ''}</td>
<td class="nowrap" data-label="${t('called')}">${a.calledNumber === null ? '' : ctx.loc.phone(a.calledNumber)}</td><td data-label="${t('verdict')}">${verdictBadge(ctx.loc, a.verdict)}</td>
<td class="reason" data-label="${t('reason')}">${reasonsText(ctx.loc, a.reasons)}${messageTextBlock(ctx.loc, a)}</td><td data-label="${t('action')}">${actionCell(ctx.loc.lang, a.action)}</td>
<td data-label="${t('outcome')}">${outcomeText(ctx.loc, a)}</td><td class="small" data-label="${t('header')}">${HEADER_NAMES[a.callerSource] ?? a.callerSource}</td>
<td class="mono whole" data-label="${t('source')}">${addressText(a.sourceAddress)}</td><td class="mono" data-label="${t('userAgent')}">${a.userAgent ?? ''}</td><td class="mono" data-label="${t('callId')}">${a.callId}</td></tr>`,
    )}</tbody></table></div>`,
  );
}

/**
 * "Let the next call through" (once, whatever the mark): its button, or, while pending, since when and the button
 * that withdraws it. Posts to /numbers/:number/let-through, back to this page. In a text's words (`text`) for a
 * caller whose next request is a text (one that only texted, a short code not seen yet).
 */
function letThroughForm(ctx: PageContext, callerKey: string, since: number | null, text: boolean): SafeHtml {
  const { t } = ctx.loc;
  const action = `/numbers/${encodeURIComponent(callerKey)}/let-through`;
  if (since === null) {
    return html`<form method="post" action="${action}" id="let-through" class="no-print">
  ${csrfField(ctx)}
  <button type="submit" name="action" value="set">${t(text ? 'letThroughText' : 'letThrough')}</button> <span class="muted small">${t(text ? 'letThroughTextHint' : 'letThroughHint')}</span>
</form>`;
  }
  return html`<form method="post" action="${action}" id="let-through" class="no-print" data-since="${new Date(since).toISOString()}">
  ${csrfField(ctx)}
  <p class="notice" role="status">${t(text ? 'letThroughTextPending' : 'letThroughPending', { time: ctx.loc.dateTime(since) })} <button type="submit" name="action" value="withdraw">${t('letThroughWithdraw')}</button></p>
</form>`;
}

/** The header the caller ID was read from, as SIP writes its name (the register keeps it lower case). */
const HEADER_NAMES: Readonly<Record<string, string>> = {
  from: 'From',
  'p-asserted-identity': 'P-Asserted-Identity',
  'remote-party-id': 'Remote-Party-ID',
};

/** libphonenumber-js's number types, as the office reads them (an unknown one as the library names it). */
const NUMBER_TYPES: Record<'it' | 'en', Record<string, string>> = {
  it: {
    FIXED_LINE: 'rete fissa',
    MOBILE: 'cellulare',
    FIXED_LINE_OR_MOBILE: 'rete fissa o cellulare',
    TOLL_FREE: 'numero verde',
    PREMIUM_RATE: 'numero a tariffa maggiorata',
    SHARED_COST: 'numero a costo ripartito',
    VOIP: 'VoIP',
    PERSONAL_NUMBER: 'numero personale',
    PAGER: 'cercapersone',
    UAN: 'numero unico aziendale',
    VOICEMAIL: 'segreteria telefonica',
  },
  en: {
    FIXED_LINE: 'fixed line',
    MOBILE: 'mobile',
    FIXED_LINE_OR_MOBILE: 'fixed line or mobile',
    TOLL_FREE: 'toll-free',
    PREMIUM_RATE: 'premium rate',
    SHARED_COST: 'shared cost',
    VOIP: 'VoIP',
    PERSONAL_NUMBER: 'personal number',
    PAGER: 'pager',
    UAN: 'universal access number',
    VOICEMAIL: 'voicemail',
  },
};

export function numberType(lang: 'it' | 'en', type: string): string {
  return NUMBER_TYPES[lang][type] ?? type;
}

/**
 * The human check's result and how long it took, seconds written as the page's language writes decimals: "check
 * passed (2.4 s)", "verifica superata (2,4 s)" (it said "2.4 s" on Italian pages too).
 */
export function checkText(loc: Pick<Locale, 't' | 'lang'>, a: Pick<Attempt, 'check' | 'checkMs'>): string {
  if (!a.check) return '';
  if (typeof a.checkMs !== 'number') return loc.t(`check_${a.check}`);
  const seconds = (a.checkMs / 1000).toLocaleString(localeTag(loc.lang), {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
  return `${loc.t(`check_${a.check}`)} (${seconds} s)`;
}

/** m:ss, for talk times and messages. */
function minutes(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** How an attempt ended, with the talk time (forwarded and answered) or how much of the message was played. */
export function outcomeText(
  loc: Pick<Locale, 't' | 'lang'>,
  a: Pick<Attempt, 'outcome' | 'finalStatus' | 'talkMs' | 'playedMs' | 'check' | 'checkMs'>,
): string {
  const { t } = loc;
  let text = `${t(`outcome_${a.outcome}`)}${a.finalStatus ? ` ${a.finalStatus}` : ''}`;
  if (a.check) text += ` · ${checkText(loc, a)}`;
  if (typeof a.talkMs === 'number') text += ` · ${t('talked')} ${minutes(a.talkMs)}`;
  if (typeof a.playedMs === 'number' && a.playedMs > 0) text += ` · ${t('messagePlayed')} ${minutes(a.playedMs)}`;
  return text;
}

/**
 * A source address as text that fits its column: an IPv6 address (38 characters without a space) may break after
 * each colon, as `.mono.whole` keeps it from breaking anywhere else; an IPv4 address stays whole. `<wbr>` adds no
 * character: the address reads and copies as it is.
 */
function addressText(address: string | null): HtmlValue {
  if (address === null) return '';
  const parts = address.split(':');
  if (parts.length < 3) return address;
  return parts.map((part, i) => (i === 0 ? part : html`:<wbr>${part}`));
}
