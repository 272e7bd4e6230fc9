import type { AggregatesStatus } from '../../store/reports/aggregates.js';
import type { CallTotals, DayTotals, NumberRank, Totals } from '../../store/reports/reports.js';
import type { TrunkStatus } from '../../trunk/registration.js';
import type { PbxView } from '../deps.js';
import type { MessageKey } from '../i18n.js';
import { html, type SafeHtml } from '../html.js';
import { categoryText } from '../category-text.js';
import { aggregatesNotice } from './aggregates-notice.js';
import { displayName } from './register.js';
import { chart, numberHref, page, ticks, verdictBadge, type PageContext } from './layout.js';

export interface DashboardData {
  today: CallTotals;
  week: CallTotals;
  perDay: DayTotals[];
  topOffenders: NumberRank[];
  /** The registration to the carrier; null when there is none. */
  trunk?: TrunkStatus | null;
  /**
   * Each carrier account's, when there are several (one per number): a line each instead of `trunk`'s. `number`: its
   * `today`: the attempts today on its own number, when it has one (said on its line).
   */
  trunkAccounts?: ReadonlyArray<{ name: string; carrier?: string; today?: Totals | undefined; status: TrunkStatus }>;
  /** Being rebuilt: the counts are incomplete (said above them). */
  aggregates?: AggregatesStatus;
  /** The PBX registering to crocetta; null or absent when it does not (pbx.register off). */
  pbx?: PbxView | null;
  /** Whether the register writes: a red line when its disk refuses (full, I/O errors, locked); absent: no line. */
  registerWrites?: boolean | undefined;
  /** Writes held in memory meanwhile (the spool), said in that line; absent: no count. */
  registerHeld?: number | undefined;
  /** Our numbers (the called numbers, E.164) with today's and this week's counts, the most rung first. */
  ourNumbers?: readonly OurNumber[];
}

/** One of our numbers on the dashboard: today's and this week's attempts on it. */
export interface OurNumber {
  number: string;
  today: Totals;
  week: Totals;
}

export const NO_CALLS: Totals = Object.freeze({ attempts: 0, stopped: 0 });

/** At most this many of our numbers are listed (a scanner dialling random extensions leaves many called numbers). */
export const OUR_NUMBERS_LISTED = 20;

/**
 * Our numbers as the dashboard lists them: those called this week, and the carrier lines' numbers (`lines`, E.164
 * keys) even when quiet, the most rung today first, then this week's; at most OUR_NUMBERS_LISTED.
 */
export function ourNumbers(
  today: ReadonlyMap<string, Totals>,
  week: ReadonlyMap<string, Totals>,
  lines: readonly string[],
): OurNumber[] {
  const none = NO_CALLS;
  const keys = new Set([...week.keys(), ...today.keys(), ...lines]);
  return [...keys]
    .map((number) => ({ number, today: today.get(number) ?? none, week: week.get(number) ?? none }))
    .sort(
      (a, b) =>
        b.today.attempts - a.today.attempts || b.week.attempts - a.week.attempts || a.number.localeCompare(b.number),
    )
    .slice(0, OUR_NUMBERS_LISTED);
}

const TRUNK_PROBLEM: Record<string, MessageKey> = {
  auth: 'trunkProblemAuth',
  refused: 'trunkProblemRefused',
  unreachable: 'trunkProblemUnreachable',
  config: 'trunkProblemConfig',
};

/** "trunk registered / not registered since … (reason)": the first thing to check when no call comes in. */
/** The carrier as the office reads it: the registrar's host (and port), without `sip:` and parameters. */
function carrierName(uri: string): string {
  return uri.replace(/^sips?:/i, '').replace(/[;?].*$/, '');
}

function trunkLine(ctx: PageContext, trunk: TrunkStatus, account = '', carrier = '', today?: Totals): SafeHtml {
  const { t } = ctx.loc;
  const since = ctx.loc.dateTime(trunk.since);
  // The line's own counts, when it has a number: which line is rung most, beside whether it is up.
  const counts =
    today === undefined
      ? ''
      : ` ${t('lineToday', { attempts: ctx.loc.number(today.attempts), stopped: ctx.loc.number(today.stopped) })}`;
  // With several accounts, each line starts with the account's number (or user name) and its carrier.
  const at = carrier === '' ? '' : ` (${carrierName(carrier)})`;
  const name = account === '' ? '' : `${ctx.loc.phone(account)}${at}: `;
  const attr = account === '' ? '' : html` data-account="${account}"`;
  if (trunk.state === 'registered') {
    const reason = trunk.grantedSeconds === null ? trunk.reason : `${trunk.reason}, ${trunk.grantedSeconds} s`;
    return html`<p class="notice trunk" data-trunk="registered"${attr}>${name}${t('trunkRegistered', { since, reason })}${counts}</p>`;
  }
  const problem = t(TRUNK_PROBLEM[trunk.problem ?? ''] ?? 'trunkProblemNone');
  return html`<p class="notice error trunk" data-trunk="not-registered"${attr}>${name}${t('trunkNotRegistered', { since, problem, reason: trunk.reason })}${counts}</p>`;
}

/** The trunk's line, or one per account when there are several; each with today's counts on its number. */
function trunkLines(ctx: PageContext, d: DashboardData): SafeHtml | string {
  const accounts = d.trunkAccounts ?? [];
  if (accounts.length > 1) return html`${accounts.map((a) => trunkLine(ctx, a.status, a.name, a.carrier, a.today))}`;
  return d.trunk ? trunkLine(ctx, d.trunk, '', '', accounts[0]?.today) : '';
}

/**
 * When the register's disk refuses writes (full, I/O errors, locked): calls are still screened and their attempts
 * held in memory, but a mark or a setting the office saves is refused (503) and /readyz says `store` false; the
 * office, who never reads /readyz, reads it here. Nothing while the register writes.
 */
function registerLine(ctx: PageContext, writing: boolean | undefined, held: number | undefined): SafeHtml | string {
  if (writing !== false) return '';
  const { t } = ctx.loc;
  // How many writes wait: what a long outage costs if crocetta stops before the disk takes them.
  const count =
    held === undefined ? '' : ` ${t(held === 1 ? 'registerHeldOne' : 'registerHeldMany', { n: ctx.loc.number(held) })}`;
  return html`<p class="notice error register" data-register="refused" data-held="${held ?? ''}">${t('registerCannotWrite')}${count}</p>`;
}

/**
 * The PBX registered to crocetta: from where, when it last renewed and until when; or, when none is and the calls
 * crocetta lets through can only go there (pbx.uri empty), that they get 480: the office hears nothing else of it.
 * Nothing when the PBX's registration is off, or when none is registered but calls go to pbx.uri.
 */
function pbxLine(ctx: PageContext, pbx: PbxView | null | undefined): SafeHtml | string {
  if (!pbx) return '';
  const { t } = ctx.loc;
  const latest = pbx.live[0];
  if (latest === undefined) {
    return pbx.callsGoThere ? html`<p class="notice error pbx" data-pbx="none">${t('pbxNotRegistered')}</p>` : '';
  }
  const agent = latest.userAgent === null || latest.userAgent === '' ? '' : ` (${latest.userAgent})`;
  const params = {
    from: `${latest.source.address}:${latest.source.port}${agent}`,
    since: ctx.loc.dateTime(latest.updatedAt),
    until: ctx.loc.dateTime(latest.expiresAt),
    n: ctx.loc.number(pbx.live.length),
  };
  const text = pbx.live.length > 1 ? t('pbxRegisteredMany', params) : t('pbxRegistered', params);
  return html`<p class="notice pbx" data-pbx="registered">${text}</p>`;
}

/**
 * Our numbers with today's and this week's counts: which one is rung most, and how much of it was stopped. A plain
 * table on a phone too (a card per number would push the chart off the screen), this week's pair hidden there.
 */
function ourNumbersTable(ctx: PageContext, rows: readonly OurNumber[]): SafeHtml {
  const { t, number } = ctx.loc;
  const cells = (x: Totals, week: boolean, period: string): SafeHtml => {
    const hide = week ? html` hide-sm` : '';
    return html`<td class="num${hide}" data-label="${`${period}: ${t('attempts')}`}">${number(x.attempts)}</td>
<td class="num${hide}" data-label="${`${period}: ${t('stopped')}`}">${number(x.stopped)}</td>`;
  };
  return html`<h2>${t('ourNumbers')}</h2>
<p class="muted small">${t('ourNumbersNote')}</p>
<div class="scroll"><table id="our-numbers">
<thead><tr><th rowspan="2">${t('number')}</th><th colspan="2" class="num">${t('today')}</th><th colspan="2" class="num hide-sm">${t('thisWeek')}</th></tr>
<tr><th class="num">${t('attempts')}</th><th class="num">${t('stopped')}</th><th class="num hide-sm">${t('attempts')}</th><th class="num hide-sm">${t('stopped')}</th></tr></thead>
<tbody>${rows.map(
    (r) => html`<tr data-number="${r.number}">
<td class="nowrap"><a href="${`/register?did=${encodeURIComponent(r.number)}`}">${ctx.loc.phone(r.number)}</a></td>
${cells(r.today, false, t('today'))}
${cells(r.week, true, t('thisWeek'))}</tr>`,
  )}</tbody></table></div>`;
}

function card(n: string, label: string): SafeHtml {
  return html`<div class="card"><div class="n">${n}</div><div class="l">${label}</div></div>`;
}

/**
 * The company and its category, "Example Energia (energia)", as one piece of text: on a phone the cell is a flex row
 * (its label, then its content), where the name and the category as two items sat side by side and the category, a
 * shrunk item, ran past the window (panel41). Empty when neither is known, so that the card leaves the line out.
 */
function companyText(ctx: PageContext, r: Pick<NumberRank, 'company' | 'category'>): SafeHtml | '' {
  if (!r.company && !r.category) return '';
  const category = r.category
    ? html` <span class="muted small">(${categoryText(ctx.loc.lang, r.category)})</span>`
    : '';
  return html`<span>${r.company ?? ''}${category}</span>`;
}

export function offenderRows(ctx: PageContext, rows: NumberRank[]): SafeHtml {
  const { t } = ctx.loc;
  // Each cell names its column (data-label): on a phone the rows become cards, as the register's.
  return html`<div class="scroll"><table class="stack">
<thead><tr><th>${t('number')}</th><th>${t('displayName')}</th><th>${t('mark')}</th><th>${t('company')}</th><th>${t('ticks')}</th><th class="hide-sm">${t('stopped')}</th></tr></thead>
<tbody>${rows.map(
    (r) => html`<tr>
<td class="nowrap" data-label="${t('number')}"><a href="${numberHref(r.callerKey)}">${ctx.loc.phone(r.callerKey)}</a></td>
<td class="c-name" data-label="${t('displayName')}">${r.displayName === null ? '' : html`<span class="clip" title="${r.displayName}">${displayName(r.displayName)}</span>`}</td>
<td data-label="${t('mark')}">${r.label ? verdictBadge(ctx.loc, r.label) : html`<span class="muted small">${t('noMark')}</span>`}</td>
<td data-label="${t('company')}">${companyText(ctx, r)}</td>
<td class="nowrap" data-label="${t('ticks')}">${ticks(r.attempts, ctx.loc.number)}</td>
<td class="num hide-sm" data-label="${t('stopped')}">${ctx.loc.number(r.stopped)}</td></tr>`,
  )}</tbody></table></div>`;
}

export function dashboardPage(ctx: PageContext, d: DashboardData): SafeHtml {
  const { t, number } = ctx.loc;
  // "Oggi: tentativi", "Today: attempts": the column's name in lower case after the period's.
  const what = (key: 'attempts' | 'stopped' | 'passed' | 'unreached'): string => t(key).toLocaleLowerCase(ctx.loc.lang);
  // Passed: neither stopped nor let through to no PBX (undelivered: 480, or 404/414 unroutable; counted apart, said
  // only when any).
  const passed = (x: CallTotals): number => x.attempts - x.stopped - x.unreached;
  const undelivered = d.week.unreached > 0 || d.perDay.some((x) => x.unreached > 0);
  const datasets = [
    { label: t('stopped'), data: d.perDay.map((x) => x.stopped), color: '#b3261e' },
    { label: t('passed'), data: d.perDay.map(passed), color: '#1f5fae' },
  ];
  if (undelivered) datasets.push({ label: t('unreached'), data: d.perDay.map((x) => x.unreached), color: '#8a6d00' });
  const spec = { labels: d.perDay.map((x) => ctx.loc.day(x.day)), datasets, stacked: true };
  const unreachedCard = (x: CallTotals, period: string): SafeHtml | '' =>
    undelivered ? card(number(x.unreached), `${period}: ${what('unreached')}`) : '';
  return page(
    ctx,
    t('dashboard'),
    html`${registerLine(ctx, d.registerWrites, d.registerHeld)}${trunkLines(ctx, d)}${pbxLine(ctx, d.pbx)}${d.aggregates ? aggregatesNotice(ctx, d.aggregates) : ''}<section class="cards">
  ${card(number(d.today.attempts), `${t('today')}: ${what('attempts')}`)}
  ${card(number(d.today.stopped), `${t('today')}: ${what('stopped')}`)}
  ${card(number(passed(d.today)), `${t('today')}: ${what('passed')}`)}
  ${unreachedCard(d.today, t('today'))}
  ${card(number(d.week.attempts), `${t('thisWeek')}: ${what('attempts')}`)}
  ${card(number(d.week.stopped), `${t('thisWeek')}: ${what('stopped')}`)}
  ${card(number(passed(d.week)), `${t('thisWeek')}: ${what('passed')}`)}
  ${unreachedCard(d.week, t('thisWeek'))}
</section>
${undelivered ? html`<p class="muted small" id="unreached-note">${t('unreachedNote')}</p>` : ''}
${d.ourNumbers !== undefined && d.ourNumbers.length > 0 ? ourNumbersTable(ctx, d.ourNumbers) : ''}
<h2>${t('perDay')}</h2>
${
  // No attempt in the 30 days (a new register): said, as the tables below say it, not an empty grid.
  d.perDay.some((x) => x.attempts > 0)
    ? html`<div class="panel">${chart(spec, t('perDay'))}</div>`
    : html`<p class="muted" id="per-day-none">${t('noAttempts')}</p>`
}
<h2>${t('topOffenders')}</h2>
<p class="muted small">${t('trustedLeftOut')}</p>
${d.topOffenders.length ? offenderRows(ctx, d.topOffenders) : html`<p class="muted">${t('noAttempts')}</p>`}`,
  );
}
