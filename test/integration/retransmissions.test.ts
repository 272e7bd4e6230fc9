/**
 * Retransmissions of a request crocetta already handled. A UAC sends its INVITE (or MESSAGE) again, byte for byte,
 * when no response reached it; drachtio-server absorbs the copies while the request waits for crocetta or while its
 * proxy lives, but hands crocetta a copy that arrives after the proxy ended (an INVITE after the PBX's 2xx, a
 * MESSAGE after Timer K) as a brand-new request. crocetta must recognise it: no second attempt, no second request
 * to the PBX, nothing counted against the caller, and the answer RFC 3261/6026 give a server transaction.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Attempt } from '../../src/store/register/types.js';
import { buildInvite, buildMessage, type InjectedRequest } from '../support/drachtio-double.js';
import {
  attemptsOf,
  eventually,
  startHarness,
  type Harness,
  type HarnessOptions,
} from '../support/crocetta-harness.js';

const CALLER = '+393471234567';
const DID = '+390612345678';

let h: Harness;

afterEach(async () => {
  await h.stop();
});

async function start(options: HarnessOptions = {}): Promise<void> {
  h = await startHarness({}, options);
}

function rows(): Promise<Attempt[]> {
  return attemptsOf(h, CALLER);
}

const settle = (ms = 300): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The app has handled the copy it was given: it answered, proxied it, or logged it as a retransmission. */
async function handled(copy: InjectedRequest): Promise<void> {
  const callId = copy.request.headers['call-id']?.[0];
  await eventually(() =>
    copy.final || copy.proxy || h.logs.some((l) => l.msg === 'retransmission' && l.callId === callId)
      ? true
      : undefined,
  );
  await settle(100);
}

describe('retransmissions after the answer', () => {
  it('an INVITE retransmitted after the PBX answered 200 is absorbed: one attempt, one INVITE to the PBX, nothing sent', async () => {
    await start({ cdrs: true });
    h.double.onProxy(() => [{ status: 180 }, { status: 200 }]);
    const call = h.double.injectRequest(buildInvite({ from: CALLER, to: DID, requestUri: `sip:${DID}@127.0.0.1` }));
    await call.waitForProxy();
    await eventually(async () => (await rows()).find((r) => r.outcome === 'answered'));

    // The 200 was lost on the way to the carrier; 50 ms later its INVITE comes again (same branch, CSeq, tags).
    await settle(50);
    const copy = h.double.retransmit(call);
    expect(copy, 'drachtio-server hands the copy to the app once the proxy has ended').not.toBeNull();
    if (!copy) return;
    await handled(copy);

    expect(copy.proxy, 'no second INVITE to the PBX').toBeUndefined();
    // RFC 6026 (the Accepted state): the copy is absorbed; the PBX's own 2xx retransmissions reach the caller.
    expect(copy.responses).toEqual([]);
    const attempts = await rows();
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ outcome: 'answered', finalStatus: 200 });

    // The next real call from the same number is judged on one answered call, not on a phantom second one.
    const number = await h.api('GET', `/api/numbers/${encodeURIComponent(CALLER)}`);
    expect(number.json).toMatchObject({ attempts: 1 });
  });

  it('an INVITE the PBX refused, retransmitted after drachtio forgot the proxy, gets the same refusal again', async () => {
    await start({ double: { timers: { D: 50 } } });
    h.double.onProxy(() => [{ status: 180 }, { status: 486 }]);
    const call = h.double.injectRequest(buildInvite({ from: CALLER, to: DID, requestUri: `sip:${DID}@127.0.0.1` }));
    await call.waitForProxy();
    await settle(80); // past Timer D: drachtio's proxy core is gone
    const copy = h.double.retransmit(call);
    expect(copy).not.toBeNull();
    if (!copy) return;
    const final = await copy.waitForFinal();
    expect(final.status, 'RFC 3261 17.2.1: the final response again').toBe(486);
    expect(copy.proxy).toBeUndefined();
    expect(await rows()).toHaveLength(1);
  });

  it('a MESSAGE retransmitted after the PBX accepted it gets the same 202 again and reaches the PBX once', async () => {
    await start({ double: { timers: { K: 50 } } });
    h.double.onProxy(() => [{ status: 202 }]);
    const message = h.double.injectRequest(
      buildMessage({ from: CALLER, to: DID, requestUri: `sip:${DID}@127.0.0.1`, body: 'Ci richiami' }),
    );
    await message.waitForProxy();
    await settle(80); // past Timer K
    const copy = h.double.retransmit(message);
    expect(copy).not.toBeNull();
    if (!copy) return;
    const final = await copy.waitForFinal();
    expect(final.status, 'RFC 3261 17.2.2: the final response again').toBe(202);
    expect(copy.proxy).toBeUndefined();
    expect(await rows()).toHaveLength(1);
  });

  it('a new transaction of the same call (same Call-ID, next CSeq, new branch) is a new attempt, not a copy', async () => {
    await start();
    h.double.onProxy(() => [{ status: 503 }]);
    const first = buildInvite({
      from: CALLER,
      to: DID,
      requestUri: `sip:${DID}@127.0.0.1`,
      callId: 'retry-1@203.0.113.10',
      fromTag: 'abc',
      cseq: 1,
    });
    await h.double.injectRequest(first).waitForProxy();
    h.double.onProxy(() => [{ status: 200 }]);
    const retry = buildInvite({
      from: CALLER,
      to: DID,
      requestUri: `sip:${DID}@127.0.0.1`,
      callId: 'retry-1@203.0.113.10',
      fromTag: 'abc',
      cseq: 2,
    });
    const second = h.double.injectRequest(retry);
    expect((await second.waitForProxy()).targets).toHaveLength(1);
    expect(await rows()).toHaveLength(2);
  });
});
