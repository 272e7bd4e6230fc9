/**
 * `/metrics` behind an optional scrape token, through real HTTP: public while CROCETTA_METRICS_TOKEN is unset (the
 * scrapers of today keep working); once set, a scrape wants it (or the API token, or a logged-in panel session) as
 * bearer token, else 401 with `WWW-Authenticate: Bearer`, as Prometheus's `authorization: { credentials }` expects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, TOKEN as API_TOKEN, type Harness } from '../support/crocetta-harness.js';

const METRICS_TOKEN = 'scrape-0nly-s3cret';
const PASSWORD = 'Metrics-s3cret';

async function scrape(h: Harness, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(h.url('/metrics'), { headers });
}

describe('/metrics without CROCETTA_METRICS_TOKEN', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('is public, as before: no token, and any token, get the metrics', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }] as Array<Record<string, string>>) {
      const res = await scrape(h, headers);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('crocetta_drachtio_connected');
    }
  });
});

describe('/metrics with CROCETTA_METRICS_TOKEN', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ CROCETTA_METRICS_TOKEN: METRICS_TOKEN, ADMIN_PASSWORD: PASSWORD });
  });
  afterAll(async () => {
    await h.stop();
  });

  it('answers 401 with WWW-Authenticate: Bearer without a token, with a wrong one or another scheme', async () => {
    const invalid = 'Bearer error="invalid_token"'; // RFC 6750 §3.1: a token was sent, and it is not one we accept
    const refused: Array<[Record<string, string>, string]> = [
      [{}, 'Bearer'],
      [{ authorization: 'Bearer wrong' }, invalid],
      [{ authorization: `Bearer ${METRICS_TOKEN}x` }, invalid],
      [{ authorization: `Basic ${Buffer.from(`prometheus:${METRICS_TOKEN}`).toString('base64')}` }, 'Bearer'],
    ];
    for (const [headers, challenge] of refused) {
      const res = await scrape(h, headers);
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers.get('www-authenticate'), JSON.stringify(headers)).toBe(challenge);
      expect(await res.text()).not.toContain('crocetta_');
    }
    // Every spelling Express routes to /metrics, and HEAD, pass through the same check.
    for (const path of ['/metrics/', '/METRICS']) expect((await fetch(h.url(path))).status, path).toBe(401);
    expect((await fetch(h.url('/metrics'), { method: 'HEAD' })).status).toBe(401);
  });

  it('gives the metrics to the metrics token and to the API token', async () => {
    for (const token of [METRICS_TOKEN, API_TOKEN]) {
      const res = await scrape(h, { authorization: `Bearer ${token}` });
      expect(res.status, token).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await res.text()).toContain('crocetta_drachtio_connected');
    }
  });

  it('gives them to a logged-in panel session, not to an anonymous one', async () => {
    const form = await fetch(h.url('/login'));
    const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    expect((await scrape(h, { cookie })).status).toBe(401);
    const login = await fetch(h.url('/login'), {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, password: PASSWORD }).toString(),
      redirect: 'manual',
    });
    expect(login.status).toBe(303);
    const session = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const res = await scrape(h, { cookie: session });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('crocetta_drachtio_connected');
  });

  it('leaves health and readiness public', async () => {
    expect((await fetch(h.url('/healthz'))).status).toBe(200);
    expect([200, 503]).toContain((await fetch(h.url('/readyz'))).status);
  });
});
