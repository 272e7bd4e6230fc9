/** The rankings page's "Friends' reports" section: the companies and categories friends report most, beside ours. */
import type { CommunityRanking } from '../../store/reports/community-rankings.js';
import { html, type SafeHtml } from '../html.js';
import { categoryText } from '../category-text.js';
import type { Lang } from '../i18n.js';
import { dossierHref } from './dossier.js';
import type { PageContext } from './layout.js';

const TEXTS = {
  en: {
    title: 'Friends’ reports',
    hint: 'The companies your friends’ feeds report most in this period (each friend counts once per number), beside the attempts they made to you: the suppliers that bother your friends too.',
    none: 'No friend reports a company in this period (add friends under Lists and rules → Friends).',
    company: 'Company',
    category: 'Category',
    friends: 'Friends',
    numbers: 'Numbers',
    reports: 'Reports',
    friendAttempts: 'Attempts at friends',
    ours: 'Attempts to you',
    categories: 'Categories most reported by friends',
    noCategory: '(none)',
  },
  it: {
    title: 'Segnalazioni degli amici',
    hint: 'Le aziende che i feed dei tuoi amici segnalano di più in questo periodo (ogni amico conta una volta per numero), accanto ai tentativi fatti a te: i fornitori che disturbano anche i tuoi amici.',
    none: 'Nessun amico segnala un’azienda in questo periodo (aggiungi amici in Liste e regole → Amici).',
    company: 'Azienda',
    category: 'Categoria',
    friends: 'Amici',
    numbers: 'Numeri',
    reports: 'Segnalazioni',
    friendAttempts: 'Tentativi dagli amici',
    ours: 'Tentativi a te',
    categories: 'Categorie più segnalate dagli amici',
    noCategory: '(nessuna)',
  },
} as const satisfies Record<Lang, Record<string, string>>;

export function communityTexts(lang: Lang): (typeof TEXTS)[Lang] {
  return TEXTS[lang];
}

export function communitySection(ctx: PageContext, c: CommunityRanking): SafeHtml {
  const t = TEXTS[ctx.loc.lang];
  const n = (v: number) => ctx.loc.number(v);
  return html`<section id="community">
<h2>${t.title}</h2>
<p class="muted small">${t.hint}</p>
${
  c.companies.length === 0
    ? html`<p class="muted">${t.none}</p>`
    : html`<div class="scroll"><table id="community-companies" class="stack">
<thead><tr><th>#</th><th>${t.company}</th><th>${t.category}</th><th>${t.friends}</th><th>${t.numbers}</th><th>${t.reports}</th><th class="hide-sm">${t.friendAttempts}</th><th>${t.ours}</th></tr></thead>
<tbody>${c.companies.map(
        (r, i) =>
          // Each cell names its column (data-label): on a phone the rows become cards, as the companies' above.
          html`<tr><td class="num" data-label="#">${i + 1}</td><td data-label="${t.company}"><a href="${dossierHref({ company: r.company })}">${r.company}</a></td><td data-label="${t.category}">${r.category === null ? '' : categoryText(ctx.loc.lang, r.category)}</td><td class="num" data-label="${t.friends}">${n(r.friends)}</td><td class="num" data-label="${t.numbers}">${n(r.numbers)}</td><td class="num" data-label="${t.reports}">${n(r.reports)}</td><td class="num hide-sm" data-label="${t.friendAttempts}">${n(r.friendAttempts)}</td><td class="num" data-label="${t.ours}">${n(r.localAttempts)}</td></tr>`,
      )}</tbody></table></div>
<h2>${t.categories}</h2>
<div class="scroll"><table id="community-categories" class="stack">
<thead><tr><th>${t.category}</th><th>${t.friends}</th><th>${t.numbers}</th><th>${t.reports}</th><th>${t.ours}</th></tr></thead>
<tbody>${c.categories.map(
        (r) =>
          html`<tr><td data-label="${t.category}">${r.category === null ? t.noCategory : categoryText(ctx.loc.lang, r.category)}</td><td class="num" data-label="${t.friends}">${n(r.friends)}</td><td class="num" data-label="${t.numbers}">${n(r.numbers)}</td><td class="num" data-label="${t.reports}">${n(r.reports)}</td><td class="num" data-label="${t.ours}">${n(r.localAttempts)}</td></tr>`,
      )}</tbody></table></div>`
}
</section>`;
}
