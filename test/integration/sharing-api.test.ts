/** GET /api/export and POST /api/import against the running app: the index follows an import at once. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInvite } from '../support/drachtio-double.js';
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
  const res = await fetch(h.url(path), {
    method: 'POST',
    body,
    headers: token === null ? {} : { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('sharing API', () => {
  it('imports a list and the running service classifies the numbers at once; exports them back', async () => {
    const imported = await post(
      '/api/import?format=list&as=nuisance&category=energy',
      '# from a friend\n+39 02 8717 6900\n',
    );
    expect(imported.status).toBe(200);
    expect(imported.json).toMatchObject({ written: { mark: 1 } });
    const number = await h.api('GET', '/api/numbers/%2B390287176900');
    expect(number.json).toMatchObject({ verdict: 'nuisance' });
    const res = await fetch(h.url('/api/export?format=json&only=mark'), {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/ndjson/);
    const lines = (await res.text()).trim().split('\n');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ format: 'crocetta-register', version: 2 });
    expect(JSON.parse(lines[1] ?? '{}')).toMatchObject({
      type: 'mark',
      number: '+390287176900',
      label: 'nuisance',
      category: 'energy',
    });
  });

  it('keeps a category named in Italian as its key, as the panel forms do: mark and import (user41)', async () => {
    // Marked through the API as "energia", a company's number fell in a category of its own: the rankings' energy
    // filter counted half the company, listed "energia" twice, and actions.byCategory.energy never applied to it.
    const category = async (number: string) =>
      ((await h.api('GET', `/api/numbers/${encodeURIComponent(number)}`)).json as { mark: { category: string | null } })
        .mark.category;
    for (const [number, given, kept] of [
      ['+390645001001', 'energia', 'energy'],
      ['+393471112233', ' Telefonia ', 'telecom'],
      ['+390113001001', 'Fotovoltaico', 'Fotovoltaico'], // the office's own word: as written
    ] as const) {
      const marked = await h.api('POST', `/api/numbers/${encodeURIComponent(number)}/mark`, {
        label: 'nuisance',
        company: 'Demo',
        category: given,
      });
      expect(marked.status).toBe(200);
      expect(await category(number)).toBe(kept);
    }
    const imported = await post('/api/import?format=list&as=nuisance&category=luce%20e%20gas', '+390645001002\n');
    expect(imported.status).toBe(200);
    expect(await category('+390645001002')).toBe('energy');
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

describe('POST /api/import without ?format=', () => {
  async function exported(format: 'json' | 'csv'): Promise<{ body: string; type: string }> {
    const res = await fetch(h.url(`/api/export?format=${format}`), { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    return { body: await res.text(), type: res.headers.get('content-type') ?? '' };
  }
  async function postTo(target: Harness, body: string | Buffer, contentType?: string) {
    const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
    if (contentType !== undefined) headers['content-type'] = contentType;
    const res = await fetch(target.url('/api/import'), { method: 'POST', body, headers });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  it("moves crocetta's own export, JSON Lines or CSV, to another instance as it comes", async () => {
    await h.api('POST', '/api/numbers/%2B390298760001/mark', {
      label: 'nuisance',
      company: 'Example Energia',
      category: 'energy',
    });
    await h.api('POST', '/api/numbers/%2B390298760002/mark', { label: 'trusted' });
    const call = h.double.injectRequest(
      buildInvite({ from: '+390298760001', to: '+390612345678', requestUri: 'sip:+390612345678@127.0.0.1' }),
    );
    expect((await call.waitForFinal()).status).toBe(607);
    await h.app.register.flush();
    const json = await exported('json');
    const csv = await exported('csv');
    expect(json.type).toMatch(/^application\/x-ndjson/);
    expect(csv.type).toMatch(/^text\/csv/);

    for (const [file, contentType] of [
      [json, json.type], // as the export named it
      [csv, csv.type],
      [json, 'application/x-www-form-urlencoded'], // what `curl --data-binary @file` sends
      [csv, undefined],
    ] as const) {
      const other = await startHarness();
      try {
        const r = await postTo(other, file.body, contentType);
        expect(r.status, JSON.stringify(r.json)).toBe(200);
        expect(r.json).toMatchObject({
          written: { mark: expect.any(Number) as number, attempt: expect.any(Number) as number },
        });
        expect((await other.api('GET', '/api/numbers/%2B390298760001')).json).toMatchObject({
          verdict: 'nuisance',
          mark: { company: 'Example Energia' },
          attempts: 1,
        });
        expect((await other.api('GET', '/api/numbers/%2B390298760002')).json).toMatchObject({ verdict: 'trusted' });
      } finally {
        await other.stop();
      }
    }
  });

  it('recognises FRITZ!Box phonebooks and vCards too', async () => {
    const fritz = await postTo(
      h,
      readFileSync(fixtureDataFile('fritzbox-spam-phonebook.xml')),
      'application/octet-stream',
    );
    expect(fritz.status).toBe(200);
    const vcard = await postTo(h, readFileSync(fixtureDataFile('spam-contacts.vcf')));
    expect(vcard.status).toBe(200);
    expect((vcard.json.written as { mark: number }).mark).toBeGreaterThan(0);
  });

  it('answers 415 naming the formats when nothing tells the format, even for a large body, and 400 for none', async () => {
    const list = await postTo(h, '+390212345678\n+390287176900\n', 'text/plain');
    expect(list.status).toBe(415);
    expect(list.json.error).toMatch(/\?format=.*json, csv, ftc, fritzbox, vcard, list, asterisk-cdr/);
    const big = await postTo(h, Buffer.alloc(8 << 20, 0x41), 'application/octet-stream');
    expect(big.status).toBe(415);
    expect((await postTo(h, '')).status).toBe(400);
    // the import lock was released: a named format still works
    expect((await post('/api/import?format=list', '+390212345679\n')).status).toBe(200);
  });
});
