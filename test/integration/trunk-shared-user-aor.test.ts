/**
 * Lines at two carriers with the same user name, and a carrier that sends its calls to the AOR's user (the plain user
 * name, `sip:ufficio@…`) rather than to the Contact user it registered (`ufficio-2`). The Request-URI user alone would
 * make every such call the first line's (its number; a 403 when the first line lists its carrier's addresses): the
 * line is told by what the carrier gives, in this order: the source address in a line's carrier addresses
 * (TRUNK_2_INBOUND_FROM), the source address being its registrar's or outbound proxy's, the To or Request-URI host
 * being its domain. Nothing of these: the first line, as before. A registrar or proxy given as a name is resolved
 * (src/sip/line-names.ts; here by an injected resolver, the names not being in any DNS).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LookupAll } from '../../src/sip/line-names.js';
import { attemptsOf, eventually, type Harness } from '../support/crocetta-harness.js';
import { buildInvite } from '../support/drachtio-double.js';
import { BRANCH, MAIN, SHARED_USER as USER, startSharedUserLines } from '../support/two-carriers.js';

const CALLER = '+393331234567';

let h: Harness;

async function start(env: Record<string, string>, lookupAll?: LookupAll): Promise<void> {
  ({ h } = await startSharedUserLines(
    {
      TRUNK_DOMAIN: 'carrier-a.example',
      TRUNK_2_DOMAIN: 'carrier-b.example',
      ...env,
    },
    lookupAll === undefined ? {} : { lookupAll },
  ));
}

/** A carrier's call to the AOR's user (the plain user name) from `address`, with To at `toHost`. */
async function aorCall(address: string, toHost = 'carrier.example', requestHost = '127.0.0.1:5060') {
  const source = { address, port: 5060 };
  const txn = h.double.injectRequest(
    buildInvite({
      from: CALLER,
      to: `<sip:${USER}@${toHost}>`,
      requestUri: `sip:${USER}@${requestHost}`,
      source,
    }),
    { source },
  );
  const final = await txn.waitForFinal();
  return { status: final.status, destinations: txn.proxy?.destinations ?? [] };
}

const TO_PBX = (number: string): string[] => [`sip:${number}@127.0.0.1:5080`];

afterEach(async () => {
  await h.stop();
});

describe("a call to the shared user name, each carrier's addresses listed", () => {
  it("is the line whose carrier's addresses it comes from: carrier B's call is the branch's, not refused", async () => {
    await start({ TRUNK_INBOUND_FROM: MAIN.sbc, TRUNK_2_INBOUND_FROM: BRANCH.sbc });
    // Before: 403, the first line's addresses being checked for the plain user name.
    expect(await aorCall(BRANCH.sbc)).toEqual({ status: 200, destinations: TO_PBX(BRANCH.number) });
    expect(await aorCall(MAIN.sbc)).toEqual({ status: 200, destinations: TO_PBX(MAIN.number) });
    expect((await attemptsOf(h, CALLER)).map((r) => r.calledNumber).sort()).toEqual([MAIN.number, BRANCH.number]);
    // From neither carrier: still refused, as the first line's.
    expect((await aorCall('192.0.2.99')).status).toBe(403);
    const m = (await h.api('GET', '/metrics')).json as string;
    expect(m).toContain(`crocetta_trunk_account_inbound_refused_total{account="${USER}"} 1`);
    expect(m).toContain(`crocetta_trunk_account_inbound_refused_total{account="${USER}-2"} 0`);
  });
});

describe('a call to the shared user name, no carrier addresses listed', () => {
  it("is the line whose registrar it comes from (carrier B's registrar sends its calls itself)", async () => {
    await start({});
    // Before: the first line's number.
    expect(await aorCall('127.0.0.2')).toEqual({ status: 200, destinations: TO_PBX(BRANCH.number) });
    // (Carrier A's registrar, 127.0.0.1, is the PBX's address in this harness: its calls are the PBX's calls out.)
  });

  it("is the line whose domain the To or the Request-URI names, from another address of the carrier's", async () => {
    await start({});
    expect(await aorCall('192.0.2.50', 'carrier-b.example')).toEqual({
      status: 200,
      destinations: TO_PBX(BRANCH.number),
    });
    expect(await aorCall('192.0.2.50', 'elsewhere.example', 'CARRIER-B.example')).toEqual({
      status: 200,
      destinations: TO_PBX(BRANCH.number),
    });
    expect(await aorCall('192.0.2.50', 'carrier-a.example')).toEqual({
      status: 200,
      destinations: TO_PBX(MAIN.number),
    });
    // Nothing tells: the first line, as before (README: what stays ambiguous).
    expect(await aorCall('192.0.2.50')).toEqual({ status: 200, destinations: TO_PBX(MAIN.number) });
  });
});

describe('a call to the shared user name, the proxy of carrier B given as a name', () => {
  it('is the line whose outbound proxy name resolves to the source address, once the name is resolved', async () => {
    const asked: string[] = [];
    await start({ TRUNK_2_URI: 'sip:sbc.carrier-b.test:5070' }, (name) => {
      asked.push(name);
      return Promise.resolve(name === 'sbc.carrier-b.test' ? ['127.0.0.3', '127.0.0.4'] : []);
    });
    expect(asked).toEqual(['sbc.carrier-b.test']);
    await eventually(() => h.logs.find((l) => l.name === 'sbc.carrier-b.test' && Array.isArray(l.addresses)));
    // Before: names were not resolved, nothing told, and these were the first line's.
    expect(await aorCall('127.0.0.3')).toEqual({ status: 200, destinations: TO_PBX(BRANCH.number) });
    expect(await aorCall('127.0.0.4')).toEqual({ status: 200, destinations: TO_PBX(BRANCH.number) });
    expect(await aorCall('192.0.2.50')).toEqual({ status: 200, destinations: TO_PBX(MAIN.number) });
  });
});
