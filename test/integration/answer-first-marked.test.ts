/**
 * Answering first (`store.durableBeforeAnswer: false`), a caller the business marked nuisance is refused before its
 * reasons are built (src/sip/screen.ts screenToAnswer): the classifier runs once the 607 has been handed to
 * drachtio-srf, and the register and the decision line say what they say when the reasons are built first.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Attempt } from '../../src/store/register/types.js';
import { watchAnswers } from '../support/answer-watch.js';
import { buildInvite } from '../support/drachtio-double.js';
import { eventually, startHarness, type Harness } from '../support/crocetta-harness.js';

const DID = '+390612345678';
const NUISANCE = '+390298765432';

/** For each classification, whether the call had been answered (a final response or a proxy) by then. */
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
  const marked = await h.api('POST', `/api/numbers/${encodeURIComponent(NUISANCE)}/mark`, {
    label: 'nuisance',
    company: 'Example Energia',
    category: 'energy',
  });
  expect(marked.status).toBe(200);
  watch.answeredAtClassify.length = 0; // the mark's own route classifies the number, for its answer
  watchAnswers(watch);
  return h;
}

/** Three calls of the marked caller a minute apart: the mark's reason, then the repeat rule's after a refusal. */
async function threeCalls(harness: Harness): Promise<{ reasons: unknown[]; lines: unknown[] }> {
  for (let i = 0; i < 3; i++) {
    watch.answered = false;
    const call = harness.double.injectRequest(
      buildInvite({ from: NUISANCE, to: DID, requestUri: `sip:${DID}@127.0.0.1`, callId: `marked-${i}@198.51.100.7` }),
    );
    expect((await call.waitForFinal()).status).toBe(607);
    await eventually(() => harness.logs.find((l) => l.msg === 'decision' && l.callId === `marked-${i}@198.51.100.7`));
    harness.clock.advance(60_000);
  }
  await harness.app.register.flush();
  const { json } = await harness.api('GET', `/api/attempts?number=${encodeURIComponent(NUISANCE)}`);
  const attempts = (json as { attempts: Attempt[] }).attempts.sort((a, b) => a.callId.localeCompare(b.callId));
  const lines = harness.logs
    .filter((l) => l.msg === 'decision')
    .map((l) => ({ verdict: l.verdict, score: l.score, reasons: l.reasons, action: l.action, sent: l.sent }));
  return { reasons: attempts.map((a) => ({ action: a.action, verdict: a.verdict, reasons: a.reasons })), lines };
}

describe('answering first, a caller marked nuisance', () => {
  it('is refused before it is classified, and the register and decision lines say what they say when classified first', async () => {
    const first = await threeCalls(await start(false));
    expect(watch.answeredAtClassify).toEqual([true, true, true]);
    await h?.stop();
    h = undefined;
    vi.restoreAllMocks();

    const durable = await threeCalls(await start(true));
    expect(watch.answeredAtClassify).toEqual([false, false, false]);

    expect(first).toEqual(durable);
    expect(first.lines).toHaveLength(3);
    const reasons = first.reasons as Array<{ reasons: Array<{ code: string; text: string }> }>;
    expect(reasons.map((a) => a.reasons.map((r) => r.code))).toEqual([
      ['marked-nuisance'],
      ['marked-nuisance', 'attempt-after-refusal'],
      ['marked-nuisance', 'attempt-after-refusal'],
    ]);
    expect(reasons[0]?.reasons[0]?.text).toContain('(Example Energia, energy)');
  });
});
