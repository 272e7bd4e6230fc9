/**
 * The evidence dossier as a printable page: the subject, the period, the numbers covered, then each breach with
 * its rule in words and the attempts it rests on (time with offset, caller, our number, SIP Call-ID). The same
 * body serves the panel (inside its layout, print CSS in panel.css) and the CLI (a standalone file with its own
 * stylesheet). Its texts are kept here in Italian and English; breach texts are the rules' own (English, with
 * the legal reference).
 */
import { dossierSubjectText, isoWithOffset, type Dossier } from '../../dossier/index.js';
import { html, query, raw, type SafeHtml } from '../html.js';
import { localeTag, textIn, type Lang } from '../i18n.js';
import { breachText } from '../breach-text.js';
import { categoryText } from '../category-text.js';
import { phoneText } from '../phone-text.js';
import { dateField, page, type PageContext } from './layout.js';

const EN_TEXTS = {
  title: 'Evidence dossier',
  company: 'Company',
  number: 'Number',
  since: 'From',
  until: 'To',
  show: 'Show',
  choose: 'Choose a company or a number.',
  period: 'Period',
  whole: 'everything in the register',
  generated: 'Generated',
  numbers: 'Numbers covered',
  attempts: 'Calls in the period',
  breaches: 'Breaches',
  none: 'No breach of the configured rules in this period.',
  rule: 'Rule',
  role: 'Role',
  time: 'Time',
  caller: 'Caller',
  did: 'Our number',
  callId: 'SIP Call-ID',
  breach: 'breach',
  evidence: 'earlier',
  refused: 'refused',
  refusedWithheld: 'refused: number withheld',
  csv: 'Download CSV',
  json: 'JSON',
  print: 'To print or save as PDF, use the browser’s Print command.',
  dossierLink: 'Evidence dossier',
  notMarked: 'not marked',
};

export type DossierTexts = Record<keyof typeof EN_TEXTS, string>;

const TEXTS: Record<Lang, DossierTexts> = {
  en: EN_TEXTS,
  it: {
    title: 'Dossier delle violazioni',
    company: 'Azienda',
    number: 'Numero',
    since: 'Dal',
    until: 'Al',
    show: 'Mostra',
    choose: 'Scegli un’azienda o un numero.',
    period: 'Periodo',
    whole: 'tutto il registro',
    generated: 'Generato',
    numbers: 'Numeri coperti',
    attempts: 'Chiamate nel periodo',
    breaches: 'Violazioni',
    none: 'Nessuna violazione delle regole configurate in questo periodo.',
    rule: 'Regola',
    role: 'Ruolo',
    time: 'Ora',
    caller: 'Chiamante',
    did: 'Nostro numero',
    callId: 'Call-ID SIP',
    breach: 'violazione',
    evidence: 'precedente',
    refused: 'rifiutata',
    refusedWithheld: 'rifiutata: numero nascosto',
    csv: 'Scarica CSV',
    json: 'JSON',
    print: 'Per stampare o salvare in PDF, usa il comando Stampa del browser.',
    dossierLink: 'Dossier delle violazioni',
    notMarked: 'non segnato',
  },
};

export function dossierTexts(lang: Lang): DossierTexts {
  return TEXTS[lang];
}

/** The panel link to a dossier. */
export function dossierHref(subject: { company: string } | { number: string }): string {
  return `/dossier${query(subject)}`;
}

/** The dossier's subject as a person reads it: the company, or the number in the office's format. */
function subjectText(d: Dossier, phone: (value: string) => string): string {
  return d.subject.kind === 'company' ? dossierSubjectText(d) : phone(d.subject.callerKey);
}

/** What the office marked a number as, in words: `molesto, Example Energia, energia`, or `non segnato`. */
function markText(lang: Lang, n: Dossier['numbers'][number]): string {
  if (!n.label) return TEXTS[lang].notMarked;
  const label = n.label === 'trusted' || n.label === 'nuisance' ? textIn(lang, `verdict_${n.label}`) : n.label;
  return [label, n.company, n.category === null ? null : categoryText(lang, n.category)].filter(Boolean).join(', ');
}

/**
 * The numbers covered, those marked alike together and their mark said once after them (a company's ten numbers
 * are one list and one "(molesto, Example Energia, energia)", not ten), in the order each mark first appears.
 */
function numbersCovered(lang: Lang, numbers: Dossier['numbers'], phone: (value: string) => string): SafeHtml[] {
  const groups = new Map<string, string[]>();
  for (const n of numbers) {
    const mark = markText(lang, n);
    const keys = groups.get(mark);
    if (keys === undefined) groups.set(mark, [n.callerKey]);
    else keys.push(n.callerKey);
  }
  return [...groups].map(
    ([mark, keys], i) =>
      html`${i > 0 ? '; ' : ''}${keys.map((k, j) => html`${j > 0 ? ', ' : ''}<span class="nowrap">${phone(k)}</span>`)} <span class="muted small">(${mark})</span>`,
  );
}

/** The dossier itself: facts, then the breaches; `phone` writes numbers as the office reads them. */
export function dossierBody(lang: Lang, d: Dossier, phone: (value: string) => string): SafeHtml {
  const t = TEXTS[lang];
  const tz = d.timeZone;
  const count = new Intl.NumberFormat(localeTag(lang));
  const period =
    d.since === null && d.until === null
      ? t.whole
      : `${d.since === null ? '…' : isoWithOffset(d.since, tz)} – ${d.until === null ? '…' : isoWithOffset(d.until, tz)}`;
  return html`<dl class="dossier-facts">
<dt>${d.subject.kind === 'company' ? t.company : t.number}</dt><dd><strong>${subjectText(d, phone)}</strong></dd>
<dt>${t.period}</dt><dd>${period}</dd>
<dt>${t.generated}</dt><dd>${isoWithOffset(d.generatedAt, tz)} (${tz})</dd>
<dt>${t.numbers}</dt><dd>${d.numbers.length === 0 ? '—' : numbersCovered(lang, d.numbers, phone)}</dd>
<dt>${t.attempts}</dt><dd>${count.format(d.attempts)}</dd>
<dt>${t.breaches}</dt><dd><strong>${count.format(d.breaches.length)}</strong></dd>
</dl>
${
  d.breaches.length === 0
    ? html`<p class="notice">${t.none}</p>`
    : d.breaches.map(
        (b, i) => html`<section class="breach" id="${`breach-${i + 1}`}" data-rule="${b.rule}">
<h2>${i + 1}. ${breachText(lang, b)}</h2>
<table class="stack">
<thead><tr><th>${t.role}</th><th>${t.time}</th><th>${t.caller}</th><th>${t.did}</th><th>${t.callId}</th></tr></thead>
<tbody>${b.evidence.map(
          (
            a,
            // Each cell names its column (data-label): on a phone the rows become cards, as the register's.
          ) => html`<tr${a === b.attempt ? raw(' class="breaching"') : ''}><td data-label="${t.role}"><span>${a === b.attempt ? t.breach : t.evidence}${a.refusedAt !== null ? html` <span class="muted small">(${a.forWithholding === true ? t.refusedWithheld : t.refused})</span>` : ''}</span></td>
<td class="nowrap mono" data-label="${t.time}">${isoWithOffset(a.time, tz)}</td><td class="nowrap" data-label="${t.caller}">${phone(a.callerKey)}</td><td class="nowrap" data-label="${t.did}">${a.calledNumber === null ? '' : phone(a.calledNumber)}</td><td class="mono" data-label="${t.callId}">${a.callId}</td></tr>`,
        )}</tbody>
</table>
</section>`,
      )
}`;
}

export interface DossierPageParams {
  company?: string;
  number?: string;
  since?: string;
  until?: string;
}

/** The panel's page: a GET form for the subject and period, links to the CSV and JSON, then the dossier. */
export function dossierPage(ctx: PageContext, params: DossierPageParams, d: Dossier | null): SafeHtml {
  const t = TEXTS[ctx.loc.lang];
  const q = query({ ...params });
  const title = d === null ? t.title : `${t.title}: ${subjectText(d, ctx.loc.phone)}`;
  return page(
    ctx,
    title,
    html`<form class="filters no-print" method="get" action="/dossier">
  <label>${t.company} <input name="company" maxlength="120" value="${params.company ?? ''}"></label>
  <label>${t.number} <input name="number" maxlength="64" value="${params.number ?? ''}"></label>
  ${dateField(ctx, 'since', t.since, params.since)}
  ${dateField(ctx, 'until', t.until, params.until)}
  <button type="submit" class="primary">${t.show}</button>
</form>
${
  d === null
    ? html`<p class="muted">${t.choose}</p>`
    : html`<p class="no-print row"><a class="button" href="${`/api/dossier${q}${q ? '&' : '?'}format=csv`}">${t.csv}</a> <a href="${`/api/dossier${q}`}">${t.json}</a> <span class="muted small">${t.print}</span></p>
${dossierBody(ctx.loc.lang, d, ctx.loc.phone)}`
}`,
  );
}

const STANDALONE_CSS = `body{font:11pt/1.4 system-ui,sans-serif;color:#111;margin:1.5cm}h1{font-size:16pt}h2{font-size:12pt;margin:1.2em 0 .4em}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:.25em .4em;text-align:left;vertical-align:top}
th{font-size:9pt;text-transform:uppercase}.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:9pt;overflow-wrap:anywhere}
.nowrap{white-space:nowrap}.muted{color:#555}.small{font-size:9pt}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}
dt{font-weight:600}dd{margin:0}.breach{break-inside:avoid}tr.breaching td{font-weight:600}`;

/** A standalone printable file (the CLI's `--format html`): the same body with an embedded stylesheet. */
export function dossierDocument(lang: Lang, d: Dossier, country: string): SafeHtml {
  const t = TEXTS[lang];
  const phone = (value: string) => phoneText(value, country);
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<title>${t.title}: ${subjectText(d, phone)} · crocetta</title>
<style>${raw(STANDALONE_CSS)}</style>
</head>
<body>
<h1>${t.title}: ${subjectText(d, phone)}</h1>
${dossierBody(lang, d, phone)}
</body>
</html>
`;
}
