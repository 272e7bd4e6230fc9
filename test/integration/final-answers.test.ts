/**
 * Every call gets a final answer and every forwarded attempt ends. drachtio-server ends a proxied INVITE the PBX
 * never answers with a 408 of its own (Timer B, 32 s; Timer C, 185 s after a provisional) and tells the app only
 * `done`; it never reports a proxied INVITE the caller cancelled. crocetta ends such attempts as `timeout` (or
 * `cancelled`, when drachtio's CDR says so), after `pbx.finalTimeout` at the latest, and lets go of what they held:
 * drachtio-srf's pending proxy callback, the forwarded-call maps.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Attempt } from '../../src/store/register/types.js';
import { pendingRequestCount } from '../../src/sip/srf-internals.js';
import { buildInvite, type InjectedRequest } from '../support/drachtio-double.js';
import {
  attemptsOf,
  eventually,
  pbxCallsOut,
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

function call(requestUri = `sip:${DID}@127.0.0.1`): InjectedRequest {
  return h.double.injectRequest(buildInvite({ from: CALLER, to: DID, requestUri }));
}

/** Requests drachtio-srf still waits on drachtio-server for (proxy callbacks among them). */
function pending(): number {
  const n = pendingRequestCount(h.app.sip.srf);
  if (n === null) throw new Error('drachtio-srf internals not found');
  return n;
}

describe('final answers and the end of forwarded attempts', () => {
  it('a PBX that never answers: drachtio answers 408 after its Timer B and the attempt ends as timeout', async () => {
    await start({ double: { timers: { B: 300 } } });
    h.double.onProxy(() => []);
    const c = call();
    const final = await c.waitForFinal(3000);
    expect(final).toMatchObject({ status: 408, byServer: true });
    const row = await eventually(async () => (await rows()).find((r) => r.outcome !== 'forwarded'));
    expect(row).toMatchObject({ outcome: 'timeout', finalStatus: 408 });
    expect(pending()).toBe(0);
  });

  it('a forwarded call drachtio never reports on ends as timeout after pbx.finalTimeout, and its proxy callback is let go', async () => {
    // No CDRs: the caller's CANCEL while the PBX rings is never reported to crocetta at all.
    await start({
      configure: (config) => {
        config.pbx.finalTimeout = '1s';
      },
    });
    h.double.onProxy(() => [{ status: 180 }]);
    const c = call();
    await eventually(() => c.responses.find((r) => r.status === 180));
    expect(c.cancel().status).toBe(487);
    expect(pending(), 'the proxy callback is held while the call may still be reported').toBe(1);
    const row = await eventually(async () => (await rows()).find((r) => r.outcome === 'timeout'), 4000);
    expect(row).toMatchObject({ outcome: 'timeout', finalStatus: null });
    expect(pending()).toBe(0);
    expect(
      h.logs.some((l) => l.msg === 'no final answer from the PBX in time; attempt ended' && l.outcome === 'timeout'),
    ).toBe(true);
  });

  it('a caller who cancels while the PBX rings (drachtio CDR) frees the proxy callback at once', async () => {
    await start({ cdrs: true });
    h.double.onProxy(() => [{ status: 180 }]);
    const c = call();
    await eventually(() => c.responses.find((r) => r.status === 180));
    c.cancel();
    await eventually(async () => (await rows()).find((r) => r.outcome === 'cancelled'));
    expect(pending()).toBe(0);
  });

  it('an outbound call the PBX cancels while the carrier rings lets go of its proxy callback after pbx.finalTimeout', async () => {
    h = await startHarness(
      { TRUNK_URI: 'sip:127.0.0.1:5090' },
      {
        configure: (config) => {
          config.pbx.finalTimeout = '1s';
        },
      },
    );
    h.double.onProxy(() => [{ status: 180 }]);
    const out = pbxCallsOut(h, { from: '<sip:201@127.0.0.1>' });
    await eventually(() => out.responses.find((r) => r.status === 180));
    out.cancel();
    expect(pending()).toBe(1);
    await eventually(() => (pending() === 0 ? true : undefined), 4000);
  });

  it('an attempt a previous run left forwarded (stopped while the PBX rang) is ended as timeout at the next start', async () => {
    await start({ double: { timers: { C: 2000 } } });
    h.double.onProxy(() => [{ status: 180 }]);
    const c = call();
    await eventually(() => c.responses.find((r) => r.status === 180));
    expect((await rows())[0]?.outcome).toBe('forwarded');
    await h.restartApp();
    expect((await rows())[0]).toMatchObject({ outcome: 'timeout', finalStatus: null });
    expect(
      h.logs.some(
        (l) => l.msg === 'forwarded attempts left open by the previous run ended as timeout' && l.attempts === 1,
      ),
    ).toBe(true);
  });
});
