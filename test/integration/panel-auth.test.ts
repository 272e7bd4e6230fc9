/**
 * The panel's security through real HTTP: every page and API call wants a login (or the bearer token), the
 * session cookie is HttpOnly and SameSite, forms and session API writes want the CSRF token, logins are
 * rate-limited, the CSP forbids inline script, and the password never appears in logs or pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, TOKEN, type Harness } from '../support/crocetta-harness.js';

const PASSWORD = 'Another-s3cret';
let h: Harness;

async function loginForm(): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(h.url('/login'));
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1] ?? '';
  return { cookie, csrf };
}

async function login(password: string): Promise<Response> {
  const { cookie, csrf } = await loginForm();
  return fetch(h.url('/login'), {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, password }).toString(),
    redirect: 'manual',
  });
}

describe('panel security over HTTP', () => {
  beforeAll(async () => {
    h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
  });
  afterAll(async () => {
    await h.stop();
  });

  it('sends pages to the login, and the API answers 401 without a session or token', async () => {
    for (const path of [
      '/',
      '/register',
      '/register.csv',
      '/rankings',
      '/rules',
      '/settings',
      '/numbers/%2B390212345678',
    ]) {
      const res = await fetch(h.url(path), { redirect: 'manual' });
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location')).toBe('/login');
    }
    expect((await h.api('GET', '/api/rankings/companies', undefined, null)).status).toBe(401);
    const login = await fetch(h.url('/login'));
    const csp = login.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
  });

  it('says Bearer in WWW-Authenticate on every 401 of the API and feed (RFC 6750 §3), invalid_token for a wrong token', async () => {
    const { cookie } = await loginForm(); // a session, not logged in
    const invalid = 'Bearer error="invalid_token"';
    const refused: Array<[string, Record<string, string>, string]> = [
      ['/api/rankings/companies', {}, 'Bearer'],
      ['/api/rankings/companies', { authorization: 'Bearer wrong' }, invalid],
      ['/api/rankings/companies', { authorization: `Bearer ${TOKEN}-old` }, invalid],
      [
        '/api/rankings/companies',
        { authorization: `Basic ${Buffer.from('admin:wrong').toString('base64')}` },
        'Bearer',
      ],
      ['/api/rankings/companies', { cookie }, 'Bearer'],
      ['/api/attempts?number=%2B390212345678', {}, 'Bearer'],
      ['/api/feed', {}, 'Bearer'],
      ['/api/feed?since=0', { authorization: 'Bearer wrong' }, invalid],
    ];
    for (const [path, headers, challenge] of refused) {
      const res = await fetch(h.url(path), { headers });
      expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
      expect(res.headers.get('www-authenticate'), `${path} ${JSON.stringify(headers)}`).toBe(challenge);
    }
    // Not on what it lets through, nor on a page's redirect to the login.
    expect((await h.api('GET', '/api/rankings/companies')).status).toBe(200);
    const page = await fetch(h.url('/rankings'), { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('www-authenticate')).toBeNull();
  });

  it('logs in with the password, gives the API to the session, and wants X-CSRF-Token for writes', async () => {
    const res = await login(PASSWORD);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const api = await fetch(h.url('/api/rankings/numbers?since=2026-11-01'), { headers: { cookie } });
    expect(api.status).toBe(200);
    expect(await api.json()).toMatchObject({ since: '2026-11-01', until: '2026-11-05', numbers: [] });
    const write = await fetch(h.url('/api/numbers/%2B390212345678/mark'), {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'nuisance' }),
    });
    expect(write.status).toBe(403);
    const page = await fetch(h.url('/'), { headers: { cookie } });
    const text = await page.text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(text)?.[1] ?? '';
    const ok = await fetch(h.url('/api/numbers/%2B390212345678/mark'), {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify({ label: 'nuisance', company: 'Example Energia' }),
    });
    expect(ok.status).toBe(200);
    const csv = await fetch(h.url('/register.csv'), { headers: { cookie } });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect((await csv.text()).split('\r\n')[0]).toMatch(/^time_local,time_utc,number,/);

    const logout = await fetch(h.url('/logout'), {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${encodeURIComponent(csrf)}`,
      redirect: 'manual',
    });
    expect(logout.status).toBe(303);
    expect((await fetch(h.url('/'), { headers: { cookie }, redirect: 'manual' })).status).toBe(303);
  });

  it('rate-limits failed logins and never logs the password', async () => {
    for (let i = 0; i < 10; i++) expect((await login('wrong')).status).toBe(401);
    expect((await login(PASSWORD)).status).toBe(429);
    const logged = JSON.stringify(h.logs);
    expect(logged).not.toContain(PASSWORD);
    expect(logged).toContain('panel login refused: too many failures');
  });
});
