/** A logged-in panel session over plain HTTP, for the tests that post the panel's forms. */

export interface PanelSession {
  /** The Cookie header: the session, and the language cookie when one was asked for. */
  cookie: string;
  /** The session's CSRF token, as the pages' forms carry it. */
  csrf: string;
}

/** Logs in with `password` at `url('/login')`; with `lang`, the language cookie is sent too (as the IT · EN switch sets it). */
export async function panelSession(
  url: (path: string) => string,
  password: string,
  lang?: 'it' | 'en',
): Promise<PanelSession> {
  const form = await fetch(url('/login'));
  const cookie0 = (form.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const csrf0 = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const res = await fetch(url('/login'), {
    method: 'POST',
    headers: { cookie: cookie0, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf0, password }).toString(),
    redirect: 'manual',
  });
  const session = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const cookie = lang === undefined ? session : `${session}; crocetta_lang=${lang}`;
  const page = await fetch(url('/settings'), { headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  return { cookie, csrf };
}

/** The dashboard's cards in a page's HTML, "label: count", as the office reads them. */
export function dashboardCards(page: string): string[] {
  return [...page.matchAll(/<div class="card"><div class="n">([^<]*)<\/div><div class="l">([^<]*)<\/div>/g)].map(
    (m) => `${m[2]}: ${m[1]}`,
  );
}

/** The dashboard's cards (dashboardCards) as the office reads them in `lang`, logged in with `password`. */
export async function cardsOf(url: (path: string) => string, password: string, lang: 'it' | 'en'): Promise<string[]> {
  const { cookie } = await panelSession(url, password, lang);
  return dashboardCards(await (await fetch(url('/'), { headers: { cookie } })).text());
}
