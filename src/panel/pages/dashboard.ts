import type { AggregatesStatus } from '../../store/reports/aggregates.js';
import type { DayTotals, NumberRank, Totals } from '../../store/reports/reports.js';
import type { TrunkStatus } from '../../trunk/registration.js';
import type { MessageKey } from '../i18n.js';
import { html, type SafeHtml } from '../html.js';
import { categoryText } from '../category-text.js';
import { aggregatesNotice } from './aggregates-notice.js';
import { chart, numberHref, page, ticks, verdictBadge, type PageContext } from './layout.js';

export interface DashboardData {
  today: Totals;
  week: Totals;
  perDay: DayTotals[];
  topOffenders: NumberRank[];
  /** The registration to the carrier; null when there is none. */
  trunk?: TrunkStatus | null;
  /** Each carrier account's, when there are several (one per number): a line each instead of `trunk`'s. */
  trunkAccounts?: ReadonlyArray<{ name: string; carrier?: string; status: TrunkStatus }>;
  /** Being rebuilt: the counts are incomplete (said above them). */
  aggregates?: AggregatesStatus;
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

function trunkLine(ctx: PageContext, trunk: TrunkStatus, account = '', carrier = ''): SafeHtml {
  const { t } = ctx.loc;
  const since = ctx.loc.dateTime(trunk.since);
  // With several accounts, each line starts with the account's number (or user name) and its carrier.
  const at = carrier === '' ? '' : ` (${carrierName(carrier)})`;
  const name = account === '' ? '' : `${ctx.loc.phone(account)}${at}: `;
  const attr = account === '' ? '' : html` data-account="${account}"`;
  if (trunk.state === 'registered') {
    const reason = trunk.grantedSeconds === null ? trunk.reason : `${trunk.reason}, ${trunk.grantedSeconds} s`;
    return html`<p class="notice trunk" data-trunk="registered"${attr}>${name}${t('trunkRegistered', { since, reason })}</p>`;
  }
  const problem = t(TRUNK_PROBLEM[trunk.problem ?? ''] ?? 'trunkProblemNone');
  return html`<p class="notice error trunk" data-trunk="not-registered"${attr}>${name}${t('trunkNotRegistered', { since, problem, reason: trunk.reason })}</p>`;
}

/** The trunk's line, or one per account when there are several. */
function trunkLines(ctx: PageContext, d: DashboardData): SafeHtml | string {
  const accounts = d.trunkAccounts ?? [];
  if (accounts.length > 1) return html`${accounts.map((a) => trunkLine(ctx, a.status, a.name, a.carrier))}`;
  return d.trunk ? trunkLine(ctx, d.trunk) : '';
}

function card(n: string, label: string): SafeHtml {
  return html`<div class="card"><div class="n">${n}</div><div class="l">${label}</div></div>`;
}

export function offenderRows(ctx: PageContext, rows: NumberRank[]): SafeHtml {
  const { t } = ctx.loc;
  // Each cell names its column (data-label): on a phone the rows become cards, as the register's.
  return html`<div class="scroll"><table class="stack">
<thead><tr><th>${t('number')}</th><th>${t('displayName')}</th><th>${t('mark')}</th><th>${t('company')}</th><th>${t('ticks')}</th><th class="hide-sm">${t('stopped')}</th></tr></thead>
<tbody>${rows.map(
    (r) => html`<tr>
<td class="nowrap" data-label="${t('number')}"><a href="${numberHref(r.callerKey)}">${ctx.loc.phone(r.callerKey)}</a></td>
<td data-label="${t('displayName')}">${r.displayName ?? ''}</td>
<td data-label="${t('mark')}">${r.label ? verdictBadge(ctx.loc, r.label) : html`<span class="muted small">${t('noMark')}</span>`}</td>
<td data-label="${t('company')}">${r.company ?? ''}${r.category ? html` <span class="muted small">(${categoryText(ctx.loc.lang, r.category)})</span>` : ''}</td>
<td class="nowrap" data-label="${t('ticks')}">${ticks(r.attempts)}</td>
<td class="num hide-sm" data-label="${t('stopped')}">${r.stopped}</td></tr>`,
  )}</tbody></table></div>`;
}

export function dashboardPage(ctx: PageContext, d: DashboardData): SafeHtml {
  const { t, number } = ctx.loc;
  const spec = {
    labels: d.perDay.map((x) => ctx.loc.day(x.day)),
    datasets: [
      { label: t('stopped'), data: d.perDay.map((x) => x.stopped), color: '#b3261e' },
      { label: t('passed'), data: d.perDay.map((x) => x.attempts - x.stopped), color: '#1f5fae' },
    ],
    stacked: true,
  };
  return page(
    ctx,
    t('dashboard'),
    html`${trunkLines(ctx, d)}${d.aggregates ? aggregatesNotice(ctx, d.aggregates) : ''}<section class="cards">
  ${card(number(d.today.attempts), `${t('today')}: ${t('attempts')}`)}
  ${card(number(d.today.stopped), `${t('today')}: ${t('stopped')}`)}
  ${card(number(d.today.attempts - d.today.stopped), `${t('today')}: ${t('passed')}`)}
  ${card(number(d.week.attempts), `${t('thisWeek')}: ${t('attempts')}`)}
  ${card(number(d.week.stopped), `${t('thisWeek')}: ${t('stopped')}`)}
  ${card(number(d.week.attempts - d.week.stopped), `${t('thisWeek')}: ${t('passed')}`)}
</section>
<h2>${t('perDay')}</h2>
<div class="panel">${chart(spec, t('perDay'))}</div>
<h2>${t('topOffenders')}</h2>
<p class="muted small">${t('trustedLeftOut')}</p>
${d.topOffenders.length ? offenderRows(ctx, d.topOffenders) : html`<p class="muted">${t('noAttempts')}</p>`}`,
  );
}
