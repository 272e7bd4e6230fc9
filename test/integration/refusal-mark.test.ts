/**
 * crocetta's mark on the refusals it sends itself (REFUSAL_MARK, src/sip/verdict-to-sip.ts): every final refusal of
 * a call or a MESSAGE carries `X-Crocetta-Refusal: <status>`, whatever chose it (a verdict's action, a category's, the
 * default 607, no PBX registered), so that Kamailio in front (docs/pbx/kamailio-front.cfg) tells crocetta's own 503 or
 * 408 from drachtio-server's 503 with no crocetta connected, which has none (checked on drachtio-server 0.9.10). What
 * crocetta only relays stays unmarked: the PBX's answer through drachtio-server's proxy, drachtio-server's own 408.
 * Through the drachtio double, the real drachtio-srf and a real SQLite register.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { REFUSAL_MARK } from '../../src/sip/verdict-to-sip.js';
import { buildInvite, buildMessage, headerOf, type RecordedResponse } from '../support/drachtio-double.js';
import { startHarness, type Harness, type HarnessOptions } from '../support/crocetta-harness.js';
import { PBX_PASSWORD, PBX_USER } from '../support/pbx-registration.js';

const DID = '+390612345678';
const NUISANCE = '+390298765432';
const UNKNOWN = '+393471234567';

let h: Harness | undefined;

afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function start(env: Record<string, string> = {}, options: HarnessOptions = {}): Promise<Harness> {
  h = await startHarness(env, options);
  return h;
}

async function markNuisance(harness: Harness, number: string, category?: string): Promise<void> {
  const res = await harness.api('POST', `/api/numbers/${encodeURIComponent(number)}/mark`, {
    label: 'nuisance',
    ...(category !== undefined && { category }),
  });
  expect(res.status).toBe(200);
}

function call(harness: Harness, from: string) {
  return harness.double.injectRequest(buildInvite({ from, to: DID, requestUri: `sip:${DID}@127.0.0.1` }));
}

function message(harness: Harness, from: string) {
  return harness.double.injectRequest(
    buildMessage({ from, to: DID, requestUri: `sip:${DID}@127.0.0.1`, body: 'Offerta luce e gas' }),
  );
}

/** The final answer's status, reason phrase, who sent it and its mark (undefined: none). */
const seen = (r: RecordedResponse) => ({
  status: r.status,
  reason: r.reason,
  origin: r.origin,
  mark: headerOf(r, REFUSAL_MARK),
});

describe("crocetta's mark on its own refusals", () => {
  it.each([
    ['reject:503', 503, 'Service Unavailable'],
    ['reject:408', 408, 'Request Timeout'],
    ['reject:607', 607, 'Unwanted'],
  ])(
    'ACTION_NUISANCE=%s: the INVITE and the MESSAGE of a nuisance caller are refused with the mark',
    async (action, status, reason) => {
      const harness = await start({ ACTION_NUISANCE: action });
      await markNuisance(harness, NUISANCE);
      const expected = { status, reason, origin: 'app', mark: String(status) };
      expect(seen(await call(harness, NUISANCE).waitForFinal())).toEqual(expected);
      expect(seen(await message(harness, NUISANCE).waitForFinal())).toEqual(expected);
    },
  );

  it("marks a category's refusal, and the default 607 of an announcement crocetta cannot play", async () => {
    const harness = await start(
      { ACTION_NUISANCE: 'announce-early' },
      {
        configure: (config) => {
          config.actions.byCategory = { energy: 'reject:503' };
        },
      },
    );
    await markNuisance(harness, NUISANCE, 'energy');
    await markNuisance(harness, '+390298765433');
    expect(seen(await call(harness, NUISANCE).waitForFinal())).toMatchObject({ status: 503, mark: '503' });
    // A MESSAGE cannot hear an announcement: the default refusal, marked.
    expect(seen(await message(harness, '+390298765433').waitForFinal())).toMatchObject({ status: 607, mark: '607' });
  });

  it("marks its own 503, and not the PBX's 503 nor drachtio-server's 408 that it only relays", async () => {
    const harness = await start({ ACTION_NUISANCE: 'reject:503' }, { double: { timers: { B: 300 } } });
    await markNuisance(harness, NUISANCE);
    expect(seen(await call(harness, NUISANCE).waitForFinal())).toMatchObject({ status: 503, mark: '503' });

    harness.double.onProxy(() => [{ status: 503 }]);
    const relayed = await call(harness, UNKNOWN).waitForFinal();
    expect(seen(relayed)).toMatchObject({ status: 503, mark: undefined });

    harness.double.onProxy(() => []);
    const timedOut = await call(harness, '+393471234568').waitForFinal(3000);
    expect(seen(timedOut)).toMatchObject({ status: 408, origin: 'server', mark: undefined });
  });

  it('marks the 480 of an allowed call while no PBX is registered to crocetta', async () => {
    const harness = await start({ PBX_URI: '', PBX_REGISTER_USERNAME: PBX_USER, PBX_REGISTER_PASSWORD: PBX_PASSWORD });
    expect(seen(await call(harness, UNKNOWN).waitForFinal())).toMatchObject({ status: 480, mark: '480' });
  });
});
