/**
 * Answering first with the verdict memo (`store.verdictMemo`, on by default; src/sip/verdict-memo.ts): a repeat
 * caller marked nuisance is refused from the memo, and every change of its mark (the API's mark and unmark, a
 * shared list imported) reaches its next call; a retransmission of a refused INVITE is one call. The same traffic
 * with the memo off gives the same answers and the same register rows.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { watchAnswers, type AnswerWatch } from '../support/answer-watch.js';
import { buildInvite } from '../support/drachtio-double.js';
import { attemptsOf, eventually, startHarness, TOKEN, type Harness } from '../support/crocetta-harness.js';

const DID = '+390612345678';
const CALLER = '+390298765432';

let h: Harness | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await h?.stop();
  h = undefined;
});

async function mark(harness: Harness, label: 'nuisance' | 'none', category = 'energy'): Promise<void> {
  const res = await harness.api('POST', `/api/numbers/${encodeURIComponent(CALLER)}/mark`, {
    label,
    company: 'Example Energia',
    category,
  });
  expect(res.status).toBe(200);
  harness.clock.advance(1000);
}

/**
 * The caller's traffic and the business's changes: what each call got, whether its evidence was read before its
 * answer, and the register's rows.
 */
async function traffic(verdictMemo: boolean): Promise<{ answers: string[]; readBefore: boolean[]; rows: unknown[] }> {
  const harness = await startHarness(
    {},
    { configure: (c) => Object.assign(c.store, { durableBeforeAnswer: false, verdictMemo }) },
  );
  h = harness;
  const watch: AnswerWatch = { answered: false, answeredAtClassify: [] };
  watchAnswers(watch);
  let read = false;
  const register = harness.app.register;
  const evidenceFor = register.evidenceFor.bind(register);
  vi.spyOn(register, 'evidenceFor').mockImplementation((key) => {
    if (!watch.answered) read = true;
    return evidenceFor(key);
  });
  const answers: string[] = [];
  const readBefore: boolean[] = [];
  let n = 0;
  const call = async (): Promise<void> => {
    watch.answered = false;
    read = false;
    const callId = `memo-${n++}@198.51.100.7`;
    const invite = harness.double.injectRequest(
      buildInvite({ from: CALLER, to: DID, requestUri: `sip:${DID}@127.0.0.1`, callId }),
    );
    const final = await invite.waitForFinal();
    answers.push(invite.proxy ? `proxied ${final.status}` : String(final.status));
    readBefore.push(read);
    await eventually(() => harness.logs.find((l) => l.msg === 'decision' && l.callId === callId));
    if (final.status === 607) {
      expect(harness.double.retransmit(invite), 'a copy of a refused INVITE: absorbed, the 607 sent again').toBeNull();
    }
    harness.clock.advance(60_000);
  };
  await mark(harness, 'nuisance');
  for (let i = 0; i < 4; i++) await call();
  await mark(harness, 'none');
  await call();
  await mark(harness, 'nuisance', 'surveys');
  for (let i = 0; i < 3; i++) await call();
  // A shared list: the number as trusted, imported.
  const imported = await fetch(harness.url('/api/import?format=list&as=trusted'), {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/octet-stream' },
    body: `${CALLER}\n`,
  });
  expect(imported.status).toBe(200);
  await call();
  await mark(harness, 'nuisance');
  for (let i = 0; i < 3; i++) await call();
  await harness.app.register.flush();
  const rows = (await attemptsOf(harness, CALLER))
    .sort((a, b) => a.callId.localeCompare(b.callId, 'en', { numeric: true }))
    .map((a) => ({
      callId: a.callId,
      action: a.action,
      verdict: a.verdict,
      reasons: a.reasons.map((r) => r.text),
      outcome: a.outcome,
    }));
  vi.restoreAllMocks();
  await harness.stop();
  h = undefined;
  return { answers, readBefore, rows };
}

describe('answering first, the verdict memo', () => {
  it('refuses the repeat caller marked nuisance until its mark changes; the same answers and rows as without it', async () => {
    const memo = await traffic(true);
    expect(memo.answers).toEqual([
      '607',
      '607',
      '607',
      '607',
      'proxied 200',
      '607',
      '607',
      '607',
      'proxied 200',
      '607',
      '607',
      '607',
    ]);
    expect(memo.rows).toHaveLength(12);
    // From the caller's third call (its identity cached from the second, its refusal kept then), and again from the
    // second after each change of its mark, the refusal is sent before its evidence is read.
    const T = true;
    const F = false;
    expect(memo.readBefore).toEqual([T, T, F, F, T, T, F, F, T, T, F, F]);
    const plain = await traffic(false);
    expect(plain.readBefore).toEqual(memo.readBefore.map(() => true));
    expect(plain.answers).toEqual(memo.answers);
    expect(plain.rows).toEqual(memo.rows);
  });
});
