/**
 * Answering first (`store.durableBeforeAnswer: false`), a caller nothing is known of is forwarded before it is
 * classified (src/sip/screen.ts screenToAnswer, the classifier's surelyUnknown): the classifier runs once the proxy
 * has been handed to drachtio-srf, and the register and the decision line say what they say when the caller is
 * classified first, for a call proxied to the PBX and for one refused 404 because its called number cannot be read
 * (the row's reasons are the plan's: the decision's and the unroutable one).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Attempt } from '../../src/store/register/types.js';
import { watchAnswers } from '../support/answer-watch.js';
import { buildInvite } from '../support/drachtio-double.js';
import { attemptsOf, eventually, startHarness, type Harness } from '../support/crocetta-harness.js';

const DID = '+390612345678';
/** Two callers never heard before: one proxied to the PBX, one calling a Request-URI that cannot be routed. */
const PROXIED = '+393471234567';
const UNROUTABLE = '+393471234568';

/** For each classification, whether the call had been answered (a final response or the proxy) by then. */
const watch = vi.hoisted(() => ({ answered: false, answeredAtClassify: [] as boolean[] }));

vi.mock('../../src/screening/classify.js', async (importOriginal) =>
  (await import('../support/answer-watch.js')).watchingClassify(await importOriginal(), watch),
);

let h: Harness | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await h?.stop();
  h = undefined;
});

async function start(durableBeforeAnswer: boolean): Promise<Harness> {
  h = await startHarness({}, { configure: (c) => Object.assign(c.store, { durableBeforeAnswer }) });
  watch.answeredAtClassify.length = 0;
  watchAnswers(watch);
  return h;
}

/** The proxied call, then the unroutable one: their register rows and decision lines. */
async function twoCalls(harness: Harness): Promise<{ rows: unknown[]; lines: unknown[] }> {
  watch.answered = false;
  const proxied = harness.double.injectRequest(
    buildInvite({ from: PROXIED, to: DID, requestUri: `sip:${DID}@127.0.0.1`, callId: 'unknown-1@198.51.100.7' }),
  );
  expect((await proxied.waitForFinal()).status).toBe(200);
  expect(proxied.proxy?.destinations).toEqual([`sip:${DID}@127.0.0.1:5080`]);
  await eventually(() => harness.logs.find((l) => l.msg === 'decision' && l.callId === 'unknown-1@198.51.100.7'));

  watch.answered = false;
  const junk = '%22x'.repeat(20);
  const unroutable = harness.double.injectRequest(
    buildInvite({
      from: UNROUTABLE,
      to: 'sip:reception@203.0.113.99',
      requestUri: `sip:${junk}@127.0.0.1`,
      callId: 'unknown-2@198.51.100.7',
    }),
  );
  expect((await unroutable.waitForFinal()).status).toBe(404);
  await eventually(() => harness.logs.find((l) => l.msg === 'decision' && l.callId === 'unknown-2@198.51.100.7'));

  await harness.app.register.flush();
  const rows = [...(await attemptsOf(harness, PROXIED)), ...(await attemptsOf(harness, UNROUTABLE))].map(
    (a: Attempt) => ({
      callId: a.callId,
      action: a.action,
      verdict: a.verdict,
      score: a.score,
      reasons: a.reasons,
      outcome: a.outcome,
      finalStatus: a.finalStatus,
    }),
  );
  const lines = harness.logs
    .filter((l) => l.msg === 'decision')
    .map((l) => ({ verdict: l.verdict, score: l.score, reasons: l.reasons, action: l.action, sent: l.sent }));
  return { rows, lines };
}

describe('answering first, a caller nothing is known of', () => {
  it('is forwarded before it is classified, and the register and decision lines say what they say when classified first', async () => {
    const first = await twoCalls(await start(false));
    expect(watch.answeredAtClassify).toEqual([true, true]);
    await h?.stop();
    h = undefined;
    vi.restoreAllMocks();

    const durable = await twoCalls(await start(true));
    expect(watch.answeredAtClassify).toEqual([false, false]);

    expect(first).toEqual(durable);
    expect(first.lines).toHaveLength(2);
    const rows = first.rows as Array<{ action: string; verdict: string; reasons: Array<{ code: string }> }>;
    expect(rows.map((r) => [r.action, r.verdict])).toEqual([
      ['allow', 'unknown'],
      ['unroutable', 'unknown'],
    ]);
    expect(rows[1]?.reasons.map((r) => r.code)).toContain('unroutable-called-number');
  });
});
