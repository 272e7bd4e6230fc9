import type { AggregatesStatus } from '../../store/reports/aggregates.js';
import type { CompanyRank, NumberRank } from '../../store/reports/reports.js';
import { html, type SafeHtml } from '../html.js';
import type { CommunityRanking } from '../../store/reports/community-rankings.js';
import { categoryText } from '../category-text.js';
import { localeTag } from '../i18n.js';
import { aggregatesNotice } from './aggregates-notice.js';
import { communitySection } from './community.js';
import { offenderRows } from './dashboard.js';
import { dossierHref, dossierTexts } from './dossier.js';
import { chart, page, type PageContext } from './layout.js';

export const PERIODS = { '7': 'last7', '30': 'last30', '90': 'last90', '365': 'last365' } as const;
export type PeriodKey = keyof typeof PERIODS;

export interface RankingsData {
  period: PeriodKey;
  category: string | undefined;
  categories: string[];
  companies: CompanyRank[];
  numbers: NumberRank[];
  /** Friends' reports per company beside ours; without it (no feeds) the section is not shown. */
  community?: CommunityRanking;
  /** Being rebuilt: the counts are incomplete (said above them). */
  aggregates?: AggregatesStatus;
}

/** Per category, the company with the fewest attempts (ties: alphabetical). */
export function leastBothering(companies: readonly CompanyRank[]): Map<string, CompanyRank> {
  const out = new Map<string, CompanyRank>();
  for (const c of companies) {
    const key = c.category ?? '';
    const best = out.get(key);
    if (
      best === undefined ||
      c.attempts < best.attempts ||
      (c.attempts === best.attempts && c.company.localeCompare(best.company) < 0)
    ) {
      out.set(key, c);
    }
  }
  return out;
}

/**
 * The advice for one category: the company that bothered least; on a tie for the fewest attempts, every company that
 * tied (the alphabet is no reason to choose a supplier); when every company of the category tied, that they did.
 */
function adviceText(ctx: PageContext, companies: readonly CompanyRank[], least: CompanyRank, category: string): string {
  const { t } = ctx.loc;
  const same = companies.filter((x) => (x.category ?? '') === category);
  const tied = same.filter((x) => x.attempts === least.attempts).map((x) => x.company);
  const n = ctx.loc.number(least.attempts);
  const named: Record<string, string> = category === '' ? {} : { category: categoryText(ctx.loc.lang, category) };
  if (tied.length === same.length)
    return t(category === '' ? 'leastAdviceAllEven' : 'leastAdviceEven', { ...named, n });
  if (tied.length > 1) {
    const list = new Intl.ListFormat(localeTag(ctx.loc.lang), { type: 'conjunction' });
    const companiesText = list.format([...tied].sort((a, b) => a.localeCompare(b)));
    return t(category === '' ? 'leastAdviceAllTied' : 'leastAdviceTied', { ...named, companies: companiesText, n });
  }
  return t(category === '' ? 'leastAdviceAll' : 'leastAdvice', { ...named, company: least.company, n });
}

export function rankingsPage(ctx: PageContext, d: RankingsData): SafeHtml {
  const { t } = ctx.loc;
  const least = leastBothering(d.companies);
  const advice = [...least.entries()]
    .filter(([, c]) => d.companies.filter((x) => (x.category ?? '') === (c.category ?? '')).length > 1)
    .map(([category, c]) => html`<p class="advice">${adviceText(ctx, d.companies, c, category)}</p>`);
  const spec = {
    labels: d.companies.map((c) => c.company),
    datasets: [{ label: t('attempts'), data: d.companies.map((c) => c.attempts) }],
    indexAxis: 'y' as const,
  };
  return page(
    ctx,
    t('rankings'),
    html`${d.aggregates ? aggregatesNotice(ctx, d.aggregates) : ''}<form class="filters" method="get" action="/rankings">
  <label>${t('period')}<select name="period" data-autosubmit>${Object.entries(PERIODS).map(
    ([k, key]) => html`<option value="${k}"${k === d.period ? html` selected` : ''}>${t(key)}</option>`,
  )}</select></label>
  <label>${t('category')}<select name="category" data-autosubmit><option value="">${t('allCategories')}</option>${[
    ...d.categories,
  ]
    .sort((a, b) => categoryText(ctx.loc.lang, a).localeCompare(categoryText(ctx.loc.lang, b), ctx.loc.lang))
    .map(
      (c) =>
        html`<option value="${c}"${c === d.category ? html` selected` : ''}>${categoryText(ctx.loc.lang, c)}</option>`,
    )}</select></label>
  <button type="submit" class="primary">${t('filter')}</button>
</form>
<h2>${t('companies')}</h2>
${
  d.companies.length === 0
    ? html`<p class="muted">${t('noCompanies')}</p>`
    : html`${advice}
<div class="scroll"><table id="companies" class="stack">
<thead><tr><th>#</th><th>${t('company')}</th><th>${t('category')}</th><th>${t('attempts')}</th><th>${t('stopped')}</th><th>${t('markedNumbers')}</th></tr></thead>
<tbody>${d.companies.map(
        // Each cell names its column (data-label): on a phone the rows become cards, as the register's.
        (c, i) =>
          html`<tr><td class="num" data-label="#">${i + 1}</td><td data-label="${t('company')}"><a href="${dossierHref({ company: c.company })}" title="${dossierTexts(ctx.loc.lang).dossierLink}">${c.company}</a></td><td data-label="${t('category')}">${c.category === null ? '' : categoryText(ctx.loc.lang, c.category)}</td><td class="num" data-label="${t('attempts')}">${ctx.loc.number(c.attempts)}</td><td class="num" data-label="${t('stopped')}">${ctx.loc.number(c.stopped)}</td><td class="num" data-label="${t('markedNumbers')}">${ctx.loc.number(c.numbers)}</td></tr>`,
      )}</tbody></table></div>
<div class="panel">${chart(spec, t('companies'))}</div>`
}
<h2>${t('numbers')}</h2>
<p class="muted small">${t('trustedLeftOut')}</p>
${d.numbers.length ? offenderRows(ctx, d.numbers) : html`<p class="muted">${t('noAttempts')}</p>`}
${d.community ? communitySection(ctx, d.community) : ''}`,
  );
}
