import { html, type SafeHtml } from '../html.js';
import type { Locale } from '../i18n.js';
import { bare } from './layout.js';

export function loginPage(
  loc: Locale,
  csrf: string,
  opts: { error?: string; configured: boolean; dropped?: boolean },
): SafeHtml {
  const { t } = loc;
  return bare(
    loc.lang,
    t('login'),
    html`<section class="panel login">
<h1>✗ ${t('loginTitle')}</h1>
${opts.dropped ? html`<p class="notice error" role="alert" data-dropped>${t('loginDropped')}</p>` : ''}
${opts.error ? html`<p class="notice error" role="alert">${opts.error}</p>` : ''}
${
  opts.configured
    ? html`<form method="post" action="/login">
  <input type="hidden" name="_csrf" value="${csrf}">
  <label>${t('password')}<input type="password" name="password" autocomplete="current-password" required autofocus></label>
  <button type="submit" class="primary">${t('login')}</button>
</form>`
    : html`<p>${t('loginNotConfigured')}</p>`
}
<p class="small"><a href="/login?lang=it" hreflang="it" lang="it">Italiano</a> · <a href="/login?lang=en" hreflang="en" lang="en">English</a></p>
</section>`,
  );
}

export function errorPage(loc: Locale, title: string, message: string): SafeHtml {
  return bare(
    loc.lang,
    title,
    html`<section class="panel"><h1>${title}</h1><p>${message}</p><p><a href="/">${loc.t('back')}</a></p></section>`,
  );
}
