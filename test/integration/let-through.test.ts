/**
 * "Let the next call through" (README, the reasons table): the office asks, for a number it refuses (marked nuisance,
 * say), that its next call be heard once. Set through the JSON API (the number page's button posts the same), saved
 * in the register (table let_through), used by one call, which is proxied with the reason `let through once: …`;
 * the call after it is refused again. Through the drachtio double, the real drachtio-srf and a real SQLite register.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Attempt } from '../../src/store/register/types.js';
import { buildInvite } from '../support/drachtio-double.js';
import { eventually, startHarness, type Harness } from '../support/crocetta-harness.js';

const DID = '+390612345678';
const NUISANCE = '+390298765432';
const PATH = `/api/numbers/${encodeURIComponent(NUISANCE)}`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function start(durableBeforeAnswer = true): Promise<Harness> {
  h = await startHarness({}, { configure: (c) => Object.assign(c.store, { durableBeforeAnswer }) });
  const marked = await h.api('POST', `${PATH}/mark`, { label: 'nuisance', company: 'Example Energia' });
  expect(marked.status).toBe(200);
  return h;
}

let calls = 0;
/** A call of the marked number: its final answer's status and who sent it, and the register's reasons for it. */
async function call(harness: Harness): Promise<{ status: number; origin: string; reasons: string[] }> {
  const callId = `let-through-${++calls}@198.51.100.7`;
  const final = await harness.double
    .injectRequest(buildInvite({ from: NUISANCE, to: DID, requestUri: `sip:${DID}@127.0.0.1`, callId }))
    .waitForFinal();
  await eventually(() => harness.logs.find((l) => l.msg === 'decision' && l.callId === callId));
  await harness.app.register.flush();
  const { json } = await harness.api('GET', `/api/attempts?number=${encodeURIComponent(NUISANCE)}`);
  const attempt = (json as { attempts: Attempt[] }).attempts.find((a) => a.callId === callId);
  harness.clock.advance(60_000);
  return { status: final.status, origin: final.origin, reasons: (attempt?.reasons ?? []).map((r) => r.text) };
}

const pending = async (harness: Harness) =>
  ((await harness.api('GET', PATH)).json as { letThrough: { since: string } | null }).letThrough;

describe('"let the next call through" a number marked nuisance', () => {
  it.each([
    ['the register durable before the answer', true],
    ['answering first', false],
  ])(
    '%s: refused 607, then the next call proxied once (reason "let through once"), then refused again',
    async (_, durable) => {
      const harness = await start(durable);
      expect((await call(harness)).status).toBe(607);

      const set = await harness.api('POST', `${PATH}/let-through`, {});
      expect(set.status).toBe(200);
      const since = new Date(harness.clock.now()).toISOString();
      expect(set.json).toMatchObject({ letThrough: { since }, verdict: 'trusted', mark: { label: 'nuisance' } });

      const through = await call(harness);
      expect(through).toMatchObject({ status: 200, origin: 'far-end' });
      expect(through.reasons).toEqual([
        expect.stringMatching(/^let through once: you asked on \d+ \w+ \d{4} to let the next call through$/),
      ]);
      expect(await pending(harness)).toBeNull();

      const after = await call(harness);
      expect(after.status).toBe(607);
      expect(after.reasons[0]).toMatch(/^marked nuisance by you/);
    },
  );

  it('is kept across a restart, and so is its use by a call', async () => {
    const harness = await start();
    await harness.api('POST', `${PATH}/let-through`, {});
    await harness.restartApp();
    expect(await pending(harness)).not.toBeNull();
    expect((await call(harness)).status).toBe(200);

    await harness.restartApp();
    expect(await pending(harness)).toBeNull();
    expect((await call(harness)).status).toBe(607);
  });

  it('withdrawn, the next call is refused as before, across a restart too', async () => {
    const harness = await start();
    await harness.api('POST', `${PATH}/let-through`, {});
    const withdrawn = await harness.api('POST', `${PATH}/let-through`, { withdraw: true });
    expect(withdrawn.json).toMatchObject({ letThrough: null, verdict: 'nuisance' });
    await harness.restartApp();
    expect(await pending(harness)).toBeNull();
    expect((await call(harness)).status).toBe(607);
  });

  it('a number in a block the office marked: refused, let through once, refused again', async () => {
    h = await startHarness();
    const harness = h;
    // Two numbers of its 10-block marked nuisance by the office (blocks.office): the third is refused unmarked.
    for (const n of ['+390298765430', '+390298765431'])
      expect(
        (await harness.api('POST', `/api/numbers/${encodeURIComponent(n)}/mark`, { label: 'nuisance' })).status,
      ).toBe(200);
    const neighbour = '+390298765439';
    const ring = async () =>
      (
        await harness.double
          .injectRequest(buildInvite({ from: neighbour, to: DID, requestUri: `sip:${DID}@127.0.0.1` }))
          .waitForFinal()
      ).status;
    expect(await ring()).toBe(607);
    harness.clock.advance(60_000);
    const set = await harness.api('POST', `/api/numbers/${encodeURIComponent(neighbour)}/let-through`, {});
    expect(set.json).toMatchObject({ verdict: 'trusted', mark: null });
    expect(await ring()).toBe(200);
    harness.clock.advance(60_000);
    expect(await ring()).toBe(607);
  });

  it('a mark made after it leaves it pending', async () => {
    const harness = await start();
    await harness.api('POST', `${PATH}/let-through`, {});
    await harness.api('POST', `${PATH}/mark`, { label: 'nuisance', company: 'Altra Energia', category: 'energy' });
    expect(await pending(harness)).not.toBeNull();
    expect((await call(harness)).status).toBe(200);
  });

  it('is not offered for a withheld caller (its token) nor a caller ID that is not a number', async () => {
    const harness = await start();
    const withheld = buildInvite({
      from: '"Anonymous" <sip:anonymous@anonymous.invalid>',
      pai: 'tel:+393339998877',
      privacy: 'id',
      to: DID,
      requestUri: `sip:${DID}@127.0.0.1`,
    });
    await harness.double.injectRequest(withheld).waitForFinal();
    await harness.app.register.flush();
    const { json } = await harness.api('GET', '/api/attempts?limit=10');
    const token = (json as { attempts: Attempt[] }).attempts.find((a) => a.withheld)?.callerKey ?? '';
    expect(token).toMatch(/^hidden:/);
    const hidden = await harness.api('POST', `/api/numbers/${encodeURIComponent(token)}/let-through`, {});
    expect(hidden.status).toBe(400);
    expect(harness.app.register.letThroughSince('+393339998877')).toBeNull();
    expect((await harness.api('GET', `/api/numbers/${encodeURIComponent(token)}`)).json).toMatchObject({
      letThrough: null,
    });

    const raw = await harness.api('POST', `/api/numbers/${encodeURIComponent('raw:anonymous')}/let-through`, {});
    expect(raw.status).toBe(400);
    expect(JSON.stringify(raw.json)).toContain('Only a caller with a phone number can be let through once');
    expect((await harness.api('POST', `${PATH}/let-through`, { withdraw: 'yes' })).status).toBe(400);
  });
});
