import type { LiveValues } from '../../settings/live-settings.js';
import { html, type SafeHtml } from '../html.js';
import { friendsText } from './friends.js';
import { importTexts } from './import.js';
import { csrfField, page, type PageContext } from './layout.js';

export interface RulesData {
  values: LiveValues;
  overlaid: boolean;
  message: { ok: boolean; text: string } | null;
}

function verdictOptions(current: string, choices: readonly string[], ctx: PageContext): SafeHtml {
  return html`${choices.map(
    (v) =>
      html`<option value="${v}"${v === current ? html` selected` : ''}>${ctx.loc.t(`verdict_${v as 'nuisance'}`)}</option>`,
  )}`;
}

export function notice(ctx: PageContext, d: { overlaid: boolean; message: RulesData['message'] }): SafeHtml {
  const { t } = ctx.loc;
  return html`${
    d.message
      ? html`<p class="notice${d.message.ok ? '' : ' error'}" role="status">${d.message.ok ? '' : `${t('invalid')}: `}${d.message.text}</p>`
      : ''
  }
<p class="muted small">${d.overlaid ? t('overlaid') : t('fromConfig')}</p>`;
}

export function rulesPage(ctx: PageContext, d: RulesData): SafeHtml {
  const { t } = ctx.loc;
  const s = d.values.screening;
  return page(
    ctx,
    t('rules'),
    html`${notice(ctx, d)}
<p><a class="button" href="/import" id="import-link">${importTexts(ctx.loc.lang).link}</a> <a class="button" href="/friends" id="friends-link">${friendsText(ctx.loc.lang, 'title')}</a></p>
<section class="panel" id="export">
<h2>${t('exportTitle')}</h2>
<ul>
<li><a href="/api/export?format=fritzbox" download>${t('exportFriend')}</a><br><span class="muted small">${t('exportFriendHint')}</span></li>
<li><a href="/api/export?format=kamailio-htable" download>${t('exportKamailio')}</a></li>
<li><a href="/api/export?format=csv" download>${t('exportBackup')}</a><br><span class="muted small">${t('exportBackupHint')}</span></li>
</ul>
</section>
<section class="panel">
<h2>${t('prefixRules')}</h2>
<p class="muted small">${t('prefixRulesHint')}</p>
${
  s.prefixes.length === 0
    ? html`<p class="muted" id="no-prefix-rules">${t('noPrefixRules')}</p>`
    : // Each cell names its column (data-label): on a phone the rows become cards, as the register's.
      html`<div class="scroll"><table id="prefix-rules" class="stack">
<thead><tr><th>${t('prefix')}</th><th>${t('verdict')}</th><th>${t('label')}</th><th></th></tr></thead>
<tbody>${s.prefixes.map(
        (
          r,
          i,
        ) => html`<tr><td class="mono" title="${r.prefix}" data-label="${t('prefix')}">${ctx.loc.prefix(r.prefix)}</td><td data-label="${t('verdict')}">${ctx.loc.t(`verdict_${r.verdict}`)}</td><td data-label="${t('label')}">${r.label}</td>
<td><form method="post" action="/rules">${csrfField(ctx)}<input type="hidden" name="section" value="prefix-remove"><input type="hidden" name="index" value="${i}"><button type="submit" aria-label="${`${t('remove')} ${ctx.loc.prefix(r.prefix)}`}">${t('remove')}</button></form></td></tr>`,
      )}</tbody></table></div>`
}
<form method="post" action="/rules" class="row">
  ${csrfField(ctx)}<input type="hidden" name="section" value="prefix-add">
  <label>${t('prefix')}<input name="prefix" required placeholder="${t('prefixPlaceholder')}" maxlength="40" inputmode="tel"></label>
  <label>${t('verdict')}<select name="verdict">${verdictOptions('nuisance', ['nuisance', 'suspect', 'trusted'], ctx)}</select></label>
  <label>${t('label')}<input name="label" required maxlength="200"></label>
  <button type="submit" class="primary">${t('add')}</button>
</form>
</section>
<section class="panel">
<h2>${t('packs')}</h2>
<form method="post" action="/rules">
  ${csrfField(ctx)}<input type="hidden" name="section" value="packs">
  <p class="row"><label class="inline"><input type="checkbox" name="itEnabled" value="1"${s.packs.IT.enabled ? html` checked` : ''}> ${t('packIT')}</label></p>
  <p class="row"><label>0844<select name="itTelemarketing">${verdictOptions(s.packs.IT.telemarketing, ['nuisance', 'suspect'], ctx)}</select></label>
     <label>0843<select name="itSurveys">${verdictOptions(s.packs.IT.surveys, ['nuisance', 'suspect'], ctx)}</select></label></p>
  <p class="row"><label class="inline"><input type="checkbox" name="frEnabled" value="1"${s.packs.FR.enabled ? html` checked` : ''}> ${t('packFR')}</label>
     <label>ARCEP<select name="frAutomated">${verdictOptions(s.packs.FR.automated, ['nuisance', 'suspect'], ctx)}</select></label></p>
  <button type="submit" class="primary">${t('save')}</button>
</form>
</section>
<section class="panel">
<h2>${t('repeatRule')}</h2>
<form method="post" action="/rules" class="row">
  ${csrfField(ctx)}<input type="hidden" name="section" value="repeat">
  <label class="inline"><input type="checkbox" name="enabled" value="1"${s.repeat.enabled ? html` checked` : ''}> ${t('enabled')}</label>
  <label>${t('repeatAttempts')}<input type="number" name="attempts" min="1" max="100" value="${s.repeat.attempts}"></label>
  <label>${t('repeatDays')}<input type="number" name="withinDays" min="0.01" max="365" step="any" value="${s.repeat.withinDays}"></label>
  <button type="submit" class="primary">${t('save')}</button>
</form>
</section>`,
  );
}
