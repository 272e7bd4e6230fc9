/**
 * The policies on the panel: the settings page's rules (one form per rule: save, move, remove; one to add) and
 * business hours, and the number page's "what each line would do now". Texts in Italian and English.
 */
import type { Lang } from '../i18n.js';
import type { LiveValues } from '../../settings/live-settings.js';
import type { PolicyChoice } from '../../policy/rules.js';
import type { OpenState } from '../../screening/business-hours.js';
import { formatAction } from '../../screening/policy.js';
import type { Verdict } from '../../screening/types.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField, verdictBadge, type PageContext } from './layout.js';
import { actionCell } from '../action-text.js';
import { typedFromClosedDay } from '../date-text.js';
import { reasonText, type ReasonLike } from '../reason-text.js';

const TEXTS = {
  en: {
    policies: 'Policies per line and time',
    policiesHint:
      'Tried in order: the first rule whose numbers, hours and verdicts all match picks the action; otherwise the action per verdict above applies. Empty conditions match everything.',
    rule: 'Rule',
    name: 'Name',
    dids: 'Our numbers (comma-separated; empty: all)',
    hours: 'Hours',
    anyTime: 'any time',
    open: 'open',
    closed: 'closed',
    verdicts: 'Verdicts (none ticked: all)',
    withheld: 'withheld',
    action: 'Action',
    save: 'Save',
    up: 'Move up',
    down: 'Move down',
    remove: 'Remove',
    add: 'Add rule',
    newRule: 'New rule',
    noRules: 'No rules: every line uses the action per verdict.',
    businessHours: 'Business hours',
    timeZone: 'Time zone (empty: the configuration’s)',
    holidays: 'Public holidays',
    noHolidays: 'none',
    holidaysIT: 'Italy',
    holidaysFR: 'France',
    closedDays: 'Our closed days (24/12/2026, 24/12 every year, 10/08/2026..21/08/2026)',
    days: ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
    dayHint: '08:30-13:00, 14:30-18:30; empty: closed',
    linesNow: 'What each line would do now',
    at: 'At {time} ({state})',
    line: 'Our number',
    otherLines: 'any other number',
    byRule: 'rule {n}',
    byVerdict: 'action per verdict',
  },
  it: {
    policies: 'Regole per linea e orario',
    policiesHint:
      'Provate in ordine: la prima regola di cui numeri, orario e valutazioni corrispondono sceglie l’azione; altrimenti vale l’azione per valutazione qui sopra. Le condizioni vuote valgono sempre.',
    rule: 'Regola',
    name: 'Nome',
    dids: 'I nostri numeri (separati da virgole; vuoto: tutti)',
    hours: 'Orario',
    anyTime: 'sempre',
    open: 'aperto',
    closed: 'chiuso',
    verdicts: 'Valutazioni (nessuna spuntata: tutte)',
    withheld: 'nascosto',
    action: 'Azione',
    save: 'Salva',
    up: 'Su',
    down: 'Giù',
    remove: 'Elimina',
    add: 'Aggiungi regola',
    newRule: 'Nuova regola',
    noRules: 'Nessuna regola: ogni linea usa l’azione per valutazione.',
    businessHours: 'Orario di apertura',
    timeZone: 'Fuso orario (vuoto: quello della configurazione)',
    holidays: 'Festività nazionali',
    noHolidays: 'nessuna',
    holidaysIT: 'Italia',
    holidaysFR: 'Francia',
    closedDays: 'Nostri giorni di chiusura (24/12/2026, 24/12 ogni anno, 10/08/2026..21/08/2026)',
    days: ['', 'Lunedì', 'Martedì', 'Mercoledì', 'Giovedì', 'Venerdì', 'Sabato', 'Domenica'],
    dayHint: '08:30-13:00, 14:30-18:30; vuoto: chiuso',
    linesNow: 'Cosa farebbe ogni linea adesso',
    at: 'Alle {time} ({state})',
    line: 'Nostro numero',
    otherLines: 'qualsiasi altro numero',
    byRule: 'regola {n}',
    byVerdict: 'azione per valutazione',
  },
} as const;

export function policyTexts(lang: Lang) {
  return TEXTS[lang];
}

export const WEEK_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const RULE_VERDICTS = ['trusted', 'unknown', 'suspect', 'nuisance', 'withheld'] as const;

type Rule = LiveValues['policies'][number];

function verdictText(ctx: PageContext, v: (typeof RULE_VERDICTS)[number]): string {
  return v === 'withheld' ? policyTexts(ctx.loc.lang).withheld : ctx.loc.t(`verdict_${v}`);
}

function ruleForm(
  ctx: PageContext,
  rule: Rule | null,
  index: number,
  count: number,
  actionSelect: (name: string, current: string) => SafeHtml,
): SafeHtml {
  const p = policyTexts(ctx.loc.lang);
  const id = rule === null ? 'rule-new' : `rule-${index + 1}`;
  const hours = rule?.hours ?? '';
  return html`<form method="post" action="/settings" class="row rule" id="${id}">
  ${csrfField(ctx)}<input type="hidden" name="section" value="${rule === null ? 'rule-add' : 'rule'}"><input type="hidden" name="index" value="${index}">
  <strong>${rule === null ? p.newRule : `${p.rule} ${index + 1}`}</strong>
  <label>${p.name}<input name="name" maxlength="60" value="${rule?.name ?? ''}"></label>
  <label>${p.dids}<input name="dids" maxlength="400" value="${(rule?.dids ?? []).join(', ')}" placeholder="02 1234 5670"></label>
  <label>${p.hours}<select name="hours">${(['', 'open', 'closed'] as const).map(
    (h) => html`<option value="${h}"${h === hours ? html` selected` : ''}>${h === '' ? p.anyTime : p[h]}</option>`,
  )}</select></label>
  <fieldset><legend>${p.verdicts}</legend>${RULE_VERDICTS.map(
    (v) =>
      html`<label class="inline"><input type="checkbox" name="verdicts" value="${v}"${rule?.verdicts?.includes(v) ? html` checked` : ''}> ${verdictText(ctx, v)}</label>`,
  )}</fieldset>
  <label>${p.action}${actionSelect('action', rule?.action ?? 'tag')}</label>
  ${
    rule === null
      ? html`<button type="submit" name="op" value="add" class="primary">${p.add}</button>`
      : html`<button type="submit" name="op" value="save" class="primary">${p.save}</button>
  ${index > 0 ? html`<button type="submit" name="op" value="up">${p.up}</button>` : ''}
  ${index < count - 1 ? html`<button type="submit" name="op" value="down">${p.down}</button>` : ''}
  <button type="submit" name="op" value="remove" class="danger">${p.remove}</button>`
  }
</form>`;
}

/** The settings page's policies: the rules in order, then a blank one to add. */
export function policiesSection(
  ctx: PageContext,
  values: LiveValues,
  actionSelect: (name: string, current: string) => SafeHtml,
): SafeHtml {
  const p = policyTexts(ctx.loc.lang);
  const rules = values.policies;
  return html`<section class="panel" id="policies">
<h2>${p.policies}</h2>
<p class="muted small">${p.policiesHint}</p>
${rules.length === 0 ? html`<p class="muted" id="no-rules">${p.noRules}</p>` : ''}
${rules.map((r, i) => ruleForm(ctx, r, i, rules.length, actionSelect))}
${ruleForm(ctx, null, rules.length, rules.length, actionSelect)}
</section>`;
}

/** The settings page's business hours. */
export function hoursSection(ctx: PageContext, values: LiveValues): SafeHtml {
  const p = policyTexts(ctx.loc.lang);
  const b = values.businessHours;
  return html`<section class="panel" id="business-hours">
<h2>${p.businessHours}</h2>
<form method="post" action="/settings">
  ${csrfField(ctx)}<input type="hidden" name="section" value="hours">
  <div class="week">${WEEK_KEYS.map(
    (d, i) =>
      html`<label class="day"><span>${p.days[i + 1]}</span><input name="${d}" value="${b.week[d].join(', ')}" placeholder="${p.closed}" title="${p.dayHint}"></label>`,
  )}</div>
  <p class="row"><label>${p.holidays}<select name="holidays">${(['IT', 'FR', 'none'] as const).map(
    (h) =>
      html`<option value="${h}"${h === b.holidays ? html` selected` : ''}>${h === 'none' ? p.noHolidays : h === 'IT' ? p.holidaysIT : p.holidaysFR}</option>`,
  )}</select></label>
  <label>${p.timeZone}<input name="timeZone" value="${b.timeZone}" placeholder="Europe/Rome"></label></p>
  <p><label>${p.closedDays}<textarea name="closed" rows="2" cols="60">${b.closed.map(typedFromClosedDay).join(', ')}</textarea></label></p>
  <button type="submit" class="primary">${p.save}</button>
</form>
</section>`;
}

/** "open", "closed: Ferragosto", "chiuso: 10/08/2026..21/08/2026" (a closed day as the office typed it). */
export function openText(ctx: PageContext, state: OpenState | null): string {
  const p = policyTexts(ctx.loc.lang);
  if (state === null) return '';
  if (state.open) return p.open;
  if (state.why === 'holiday') return `${p.closed}: ${state.holiday}`;
  if (state.why === 'closed-day') return `${p.closed}: ${typedFromClosedDay(state.day)}`;
  return p.closed;
}

/** One line of the number page's preview: which of our numbers, the caller's verdict there, and the choice. */
export interface LineNow {
  /** As written in the policies; null = any other number. */
  did: string | null;
  /** The name of the first rule naming it. */
  name: string;
  verdict: Verdict;
  choice: PolicyChoice;
  /** Why the action differs from the rule's (a remembered human check); null when it does not. */
  note: ReasonLike | null;
}

/** "At 21:10 (closed): on 02 1234 5670 (support line) a suspect: tag, rule 1". */
export function linesNowCard(ctx: PageContext, d: { time: string; state: string; lines: LineNow[] }): SafeHtml {
  const p = policyTexts(ctx.loc.lang);
  return html`<section class="panel" id="lines-now">
<h2>${p.linesNow}</h2>
<p id="lines-now-at">${p.at.replace('{time}', d.time).replace('{state}', d.state)}</p>
<div class="scroll"><table>
<thead><tr><th>${p.line}</th><th>${ctx.loc.t('verdict')}</th><th>${p.action}</th><th>${p.rule}</th></tr></thead>
<tbody>${d.lines.map(
    (
      l,
    ) => html`<tr><td>${l.did === null ? html`<span class="muted">${p.otherLines}</span>` : html`<span class="mono">${ctx.loc.phone(l.did)}</span>${l.name ? ` (${l.name})` : ''}`}</td>
<td>${verdictBadge(ctx.loc, l.verdict)}</td><td>${actionCell(ctx.loc.lang, formatAction(l.choice.action))}${l.note === null ? '' : html`<br><span class="muted small">${reasonText(ctx.loc, l.note)}</span>`}</td>
<td>${l.choice.rule === null ? html`<span class="muted">${p.byVerdict}</span>` : `${p.byRule.replace('{n}', String(l.choice.rule.number))}${l.choice.rule.name ? ` "${l.choice.rule.name}"` : ''}`}</td></tr>`,
  )}</tbody></table></div>
</section>`;
}
