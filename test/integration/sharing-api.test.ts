/** GET /api/export and POST /api/import against the running app: the index follows an import at once. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, TOKEN, type Harness } from '../support/crocetta-harness.js';
import { fixtureDataFile } from '../support/fixture-data.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

async function post(path: string, body: string | Buffer, token: string | null = TOKEN) {
  const res = await fetch(h.url(path), { method: 'POST', body, headers: token === null ? {} : { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('sharing API', () => {
  it('imports a list and the running service classifies the numbers at once; exports them back', async () => {
    const imported = await post('/api/import?format=list&as=nuisance&category=energy', '# from a friend\n+39 02 8717 6900\n');
    expect(imported.status).toBe(200);
    expect(imported.json).toMatchObject({ written: { mark: 1 } });
    const number = await h.api('GET', '/api/numbers/%2B390287176900');
    expect(number.json).toMatchObject({ verdict: 'nuisance' });
    const res = await fetch(h.url('/api/export?format=json&only=mark'), { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/ndjson/);
    const lines = (await res.text()).trim().split('\n');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ format: 'crocetta-register', version: 1 });
    expect(JSON.parse(lines[1] ?? '{}')).toMatchObject({ type: 'mark', number: '+390287176900', label: 'nuisance', category: 'energy' });
  });

  it('imports the FRITZ!Box block list streamed as the body', async () => {
    const r = await post('/api/import?format=fritzbox', readFileSync(fixtureDataFile('fritzbox-spam-phonebook.xml')));
    expect(r.status).toBe(200);
    expect((r.json.written as { mark: number }).mark).toBeGreaterThan(100);
  });

  it('refuses a bad file with 422 and its line, and wants the bearer token', async () => {
    const r = await post('/api/import?format=list', '+390212345678\n=cmd|calc\n');
    expect(r.status).toBe(422);
    expect(r.json.error).toMatch(/line 2/);
    expect((await post('/api/import?format=list', '+390212345678\n', null)).status).toBe(401);
    expect((await post('/api/import?format=xls', 'x')).status).toBe(400);
  });
});
