/**
 * Answering first (`store.durableBeforeAnswer: false`), a fault thrown synchronously by the step that carries out the
 * plan (carry-out.ts; asynchronous today, so only a future change could make it throw so) must not leave the attempt
 * unrecorded: the handler forwards the call (fail open) and the attempt is in the register all the same.
 *
 * `vi.mock` (a last resort, STYLE.md): nothing else can make carryOut throw before it returns a promise.
 */
import { afterEach, expect, it, vi } from 'vitest';
import type { Attempt } from '../../src/store/register/types.js';
import { buildInvite } from '../support/drachtio-double.js';
import { eventually, startHarness, type Harness } from '../support/crocetta-harness.js';

const throwing = vi.hoisted(() => ({ on: false }));
vi.mock('../../src/sip/carry-out.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/sip/carry-out.js')>();
  return {
    ...original,
    carryOut: (...args: Parameters<typeof original.carryOut>) => {
      if (throwing.on) throw new Error('carryOut failed before returning');
      return original.carryOut(...args);
    },
  };
});

const DID = '+390612345678';
const NUISANCE = '+390298765432';

let h: Harness | undefined;
afterEach(async () => {
  throwing.on = false;
  await h?.stop();
  h = undefined;
});

it('answering first, a synchronous throw of carryOut forwards the call and still records its attempt', async () => {
  h = await startHarness({}, { configure: (c) => (c.store.durableBeforeAnswer = false) });
  const harness = h;
  expect(
    (await harness.api('POST', `/api/numbers/${encodeURIComponent(NUISANCE)}/mark`, { label: 'nuisance' })).status,
  ).toBe(200);
  harness.double.onProxy(() => [{ status: 200 }]);
  throwing.on = true;
  const call = harness.double.injectRequest(
    buildInvite({ from: NUISANCE, to: DID, requestUri: `sip:${DID}@127.0.0.1`, callId: 'sync-throw@198.51.100.7' }),
  );
  expect((await call.waitForFinal()).status).toBe(200); // forwarded to the PBX (fail open), not refused
  const attempts = await eventually(async () => {
    await harness.app.register.flush();
    const res = await harness.api('GET', `/api/attempts?number=${encodeURIComponent(NUISANCE)}`);
    const rows = (res.json as { attempts: Attempt[] }).attempts;
    return rows.length > 0 ? rows : undefined;
  });
  expect(attempts.map((a) => a.callId)).toEqual(['sync-throw@198.51.100.7']);
  expect(harness.logs.some((l) => l.msg === 'request handler failed; forwarding the request')).toBe(true);
});
