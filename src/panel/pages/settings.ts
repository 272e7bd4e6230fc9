import type { LiveValues } from '../../settings/live-settings.js';
import { actionText } from '../action-text.js';
import { html, type SafeHtml } from '../html.js';
import type { Lang } from '../i18n.js';
import { csrfField, page, type PageContext } from './layout.js';
import { notice, type RulesData } from './rules.js';
import { hoursSection, policiesSection } from './policies.js';

export const ACTION_CHOICES = [
  'allow',
  'tag',
  'reject',
  'reject:603',
  'reject:608',
  'reject:486',
  'reject:404',
  'announce-early',
  'announce-answer',
  'hangup',
  'check',
];

function actionSelect(lang: Lang, name: string, current: string, allowEmpty: boolean): SafeHtml {
  const choices = [...(allowEmpty ? [''] : []), ...ACTION_CHOICES];
  if (!choices.includes(current)) choices.push(current);
  return html`<select name="${name}" id="action-${name}">${choices.map(
    (c) => html`<option value="${c}"${c === current ? html` selected` : ''}>${c ? actionText(lang, c) : '—'}</option>`,
  )}</select>`;
}

export function settingsPage(ctx: PageContext, d: RulesData & { values: LiveValues }): SafeHtml {
  const { t } = ctx.loc;
  const a = d.values.actions;
  return page(
    ctx,
    t('settings'),
    html`${notice(ctx, d)}
<section class="panel">
<h2>${t('actionsPerVerdict')}</h2>
<form method="post" action="/settings" class="row">
  ${csrfField(ctx)}
  ${(['trusted', 'unknown', 'suspect', 'nuisance'] as const).map(
    (v) => html`<label>${t(`verdict_${v}`)}${actionSelect(ctx.loc.lang, v, a[v], false)}</label>`,
  )}
  <label>${t('withheldAction')}${actionSelect(ctx.loc.lang, 'withheld', a.withheld, true)}</label>
  <button type="submit" class="primary">${t('save')}</button>
</form>
</section>
${policiesSection(ctx, d.values, (name, current) => actionSelect(ctx.loc.lang, name, current, false))}
${hoursSection(ctx, d.values)}
${
  d.overlaid
    ? html`<form method="post" action="/settings/reset">${csrfField(ctx)}<button type="submit">${t('reset')}</button></form>`
    : ''
}`,
  );
}
