/**
 * crocetta's mark on the refusals it sends itself (REFUSAL_MARK, src/sip/verdict-to-sip.ts): with sip.markRefusals on
 * (MARK_REFUSALS=true), every final refusal of a call or a MESSAGE carries `X-Crocetta-Refusal: <status>`, whatever
 * chose it (a verdict's action, a category's, the
 * default 607, no PBX registered), so that Kamailio in front (docs/pbx/kamailio-front.cfg) tells crocetta's own 503 or
 * 408 from drachtio-server's 503 with no crocetta connected, which has none (checked on drachtio-server 0.9.10). What
 * crocetta only relays stays unmarked: the PBX's answer through drachtio-server's proxy, drachtio-server's own 408.
 * Off (the default), no refusal of any kind carries it (it would name crocetta to the carrier) but those of a request
 * that asks for it: its first Route with `;crocetta-front`, as the Kamailio front puts on every request it sends
 * crocetta, or X-Crocetta-Front, as session 30's front did.
 * Through the drachtio double, the real drachtio-srf and a real SQLite register.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FRONT_ASKS_MARK, FRONT_ROUTE_PARAM, REFUSAL_MARK } from '../../src/sip/verdict-to-sip.js';
import {
  buildInvite,
  buildMessage,
  DEFAULT_SOURCE,
  headerOf,
  type RecordedResponse,
} from '../support/drachtio-double.js';
import { eventually, startHarness, type Harness, type HarnessOptions } from '../support/crocetta-harness.js';
import { FakeRegistrar } from '../support/fake-registrar.js';
import { PBX_NAT_SOURCE, PBX_PASSWORD, PBX_USER, registerWithDigest } from '../support/pbx-registration.js';

const DID = '+390612345678';
const NUISANCE = '+390298765432';
const UNKNOWN = '+393471234567';

let h: Harness | undefined;

afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** The setting under test: MARK_REFUSALS=true, or nothing (the default, off). */
const ON = { MARK_REFUSALS: 'true' };

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

describe("crocetta's mark on its own refusals, sip.markRefusals on", () => {
  it.each([
    ['reject:503', 503, 'Service Unavailable'],
    ['reject:408', 408, 'Request Timeout'],
    ['reject:607', 607, 'Unwanted'],
  ])(
    'ACTION_NUISANCE=%s: the INVITE and the MESSAGE of a nuisance caller are refused with the mark',
    async (action, status, reason) => {
      const harness = await start({ ...ON, ACTION_NUISANCE: action });
      await markNuisance(harness, NUISANCE);
      const expected = { status, reason, origin: 'app', mark: String(status) };
      expect(seen(await call(harness, NUISANCE).waitForFinal())).toEqual(expected);
      expect(seen(await message(harness, NUISANCE).waitForFinal())).toEqual(expected);
    },
  );

  it("marks a category's refusal, and the default 607 of an announcement crocetta cannot play", async () => {
    const harness = await start(
      { ...ON, ACTION_NUISANCE: 'announce-early' },
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
    const harness = await start({ ...ON, ACTION_NUISANCE: 'reject:503' }, { double: { timers: { B: 300 } } });
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
    const harness = await start({
      ...ON,
      PBX_URI: '',
      PBX_REGISTER_USERNAME: PBX_USER,
      PBX_REGISTER_PASSWORD: PBX_PASSWORD,
    });
    expect(seen(await call(harness, UNKNOWN).waitForFinal())).toMatchObject({ status: 480, mark: '480' });
  });

  it('marks the 404 of a call whose called number it cannot route', async () => {
    const harness = await start(ON);
    expect(seen(await unroutable(harness).waitForFinal())).toMatchObject({ status: 404, mark: '404' });
  });
});

describe('the mark asked for by the front, sip.markRefusals off (the default)', () => {
  /** As session 30's Kamailio front sent it (its branch_route[TO_CROCETTA]); still read. */
  const FRONT = { [FRONT_ASKS_MARK]: 'mark' };

  it('marks every refusal of a request that carries X-Crocetta-Front, and only of that request', async () => {
    const harness = await start({ ACTION_NUISANCE: 'reject:503' });
    await markNuisance(harness, NUISANCE);
    const asked = (build: typeof buildInvite | typeof buildMessage, from: string, over = {}) =>
      harness.double.injectRequest(
        build({
          from,
          to: DID,
          requestUri: `sip:${DID}@127.0.0.1`,
          body: 'Offerta luce e gas',
          extraHeaders: FRONT,
          ...over,
        }),
      );
    expect(seen(await asked(buildInvite, NUISANCE).waitForFinal())).toMatchObject({ status: 503, mark: '503' });
    expect(seen(await asked(buildMessage, NUISANCE).waitForFinal())).toMatchObject({ status: 503, mark: '503' });
    // The 404 of a call it cannot route, asked for as well.
    const lost = await harness.double
      .injectRequest(
        buildInvite({
          from: UNKNOWN,
          to: 'sip:reception@203.0.113.99',
          requestUri: `sip:${'%22x'.repeat(20)}@127.0.0.1`,
          extraHeaders: FRONT,
        }),
      )
      .waitForFinal();
    expect(seen(lost)).toMatchObject({ status: 404, mark: '404' });
    // The same caller straight from the carrier, in the same service: unmarked.
    expect(seen(await call(harness, NUISANCE).waitForFinal())).toMatchObject({ status: 503, mark: undefined });
  });

  it("marks the refusal of a request whose first Route carries ;crocetta-front (the recipe's ask), not of one whose later Route does", async () => {
    const harness = await start({ ACTION_NUISANCE: 'reject:503' });
    await markNuisance(harness, NUISANCE);
    const routed = (route: string) =>
      harness.double.injectRequest(
        buildInvite({ from: NUISANCE, to: DID, requestUri: `sip:${DID}@127.0.0.1`, extraHeaders: { Route: route } }),
      );
    // As docs/pbx/kamailio-front.cfg's branch_route[TO_CROCETTA] puts it first: drachtio-server removes that one.
    expect(seen(await routed(`<sip:127.0.0.1:5060;lr;${FRONT_ROUTE_PARAM}>`).waitForFinal())).toMatchObject({
      status: 503,
      mark: '503',
    });
    // Not the pair's Route (a later one would reach the PBX): no ask.
    expect(
      seen(await routed(`<sip:192.0.2.7;lr>, <sip:127.0.0.1:5060;lr;${FRONT_ROUTE_PARAM}>`).waitForFinal()),
    ).toMatchObject({ status: 503, mark: undefined });
  });

  it('marks the 480 of an allowed call the front sent while no PBX is registered', async () => {
    const harness = await start({ PBX_URI: '', PBX_REGISTER_USERNAME: PBX_USER, PBX_REGISTER_PASSWORD: PBX_PASSWORD });
    const request = buildInvite({ from: UNKNOWN, to: DID, requestUri: `sip:${DID}@127.0.0.1`, extraHeaders: FRONT });
    expect(seen(await harness.double.injectRequest(request).waitForFinal())).toMatchObject({
      status: 480,
      mark: '480',
    });
  });
});

/** A call to a Request-URI user and a To that name no number: nothing crocetta can forward (404). */
function unroutable(harness: Harness) {
  return harness.double.injectRequest(
    buildInvite({ from: UNKNOWN, to: 'sip:reception@203.0.113.99', requestUri: `sip:${'%22x'.repeat(20)}@127.0.0.1` }),
  );
}

describe('no mark with sip.markRefusals off (the default): nothing names crocetta to the carrier', () => {
  it("refuses without the mark: reject:503, 408 and 607 (INVITE and MESSAGE), a category's, an announcement's 607, the 404", async () => {
    const harness = await start(
      { ACTION_NUISANCE: 'reject:503', ACTION_WITHHELD: 'reject:408' },
      {
        configure: (config) => {
          config.actions.byCategory = { energy: 'reject:607', survey: 'announce-early' };
        },
      },
    );
    await markNuisance(harness, NUISANCE);
    await markNuisance(harness, '+390298765433', 'energy');
    await markNuisance(harness, '+390298765434', 'survey');
    const finals = [
      await call(harness, NUISANCE).waitForFinal(),
      await message(harness, NUISANCE).waitForFinal(),
      await harness.double
        .injectRequest(
          buildInvite({
            from: '"Anonymous" <sip:anonymous@anonymous.invalid>',
            privacy: 'id',
            to: DID,
            requestUri: `sip:${DID}@127.0.0.1`,
          }),
        )
        .waitForFinal(),
      await call(harness, '+390298765433').waitForFinal(),
      await message(harness, '+390298765433').waitForFinal(),
      // A MESSAGE cannot hear an announcement: the default 607.
      await message(harness, '+390298765434').waitForFinal(),
      await unroutable(harness).waitForFinal(),
    ];
    expect(finals.map((r) => [r.status, seen(r).mark])).toEqual(
      [503, 503, 408, 607, 607, 607, 404].map((status) => [status, undefined]),
    );
    // Not a header of another spelling either.
    for (const r of finals) expect(Object.keys(r.headers).filter((k) => k.startsWith('x-crocetta'))).toEqual([]);
  });

  it('answers the 480 of an allowed call while no PBX is registered without the mark', async () => {
    const harness = await start({ PBX_URI: '', PBX_REGISTER_USERNAME: PBX_USER, PBX_REGISTER_PASSWORD: PBX_PASSWORD });
    expect(seen(await call(harness, UNKNOWN).waitForFinal())).toMatchObject({ status: 480, mark: undefined });
  });

  it("answers the registered PBX's outbound INVITE (no outbound trunk) 403 without the mark", async () => {
    const harness = await start({ PBX_URI: '', PBX_REGISTER_USERNAME: PBX_USER, PBX_REGISTER_PASSWORD: PBX_PASSWORD });
    await harness.double.waitForRoutes(['register'], 5000);
    await registerWithDigest(harness.double, { callId: 'no-trunk-unmarked@x' });
    const out = harness.double.injectRequest(
      buildInvite({ from: '<sip:201@192.168.178.1>', to: '0298765409', requestUri: 'sip:0298765409@127.0.0.1' }),
      { source: PBX_NAT_SOURCE },
    );
    expect(seen(await out.waitForFinal())).toMatchObject({ status: 403, mark: undefined });
  });

  it('answers a request to the registered contact from outside the carrier 403 without the mark', async () => {
    const carrier = new FakeRegistrar({ username: '0612345678', password: 'pw' });
    const harness = await start(
      {
        TRUNK_REGISTRAR: 'sip:127.0.0.1:5090',
        TRUNK_USERNAME: '0612345678',
        TRUNK_PASSWORD: 'pw',
        TRUNK_INBOUND_FROM: DEFAULT_SOURCE.address,
      },
      { onAppRequest: carrier.handle },
    );
    await eventually(() => (harness.app.trunk?.status.state === 'registered' ? true : undefined), 5000);
    const stranger = { address: '198.51.100.66', port: 5060 };
    const request = buildInvite({
      from: UNKNOWN,
      to: '<sip:0612345678@voip.carrier.example>',
      requestUri: 'sip:0612345678@127.0.0.1:5060',
      source: stranger,
    });
    expect(seen(await harness.double.injectRequest(request, { source: stranger }).waitForFinal())).toMatchObject({
      status: 403,
      mark: undefined,
    });
  });
});
