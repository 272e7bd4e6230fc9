/**
 * Answering first, the verdict memo's front (src/sip/front-memo.ts): a repeat caller marked nuisance whose refusal
 * the memo keeps is refused from the request's values before its transaction is checked and its caller ID read, the
 * rest after the answer. Every change the memo sees (the mark removed, a rule changed on the settings page) reaches
 * the next call; other caller-ID headers beside the same From are other values; a copy of a transaction gets the
 * answer its original got and makes no second row, whether the front answered the original or not. The decision's
 * time a front-answered call reports is the front's, to its answer, not the work done after it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { AfterAnswer } from '../../src/sip/after-answer.js';
import { RecentTransactions } from '../../src/sip/transactions.js';
import { watchAnswers, type AnswerWatch } from '../support/answer-watch.js';
import { buildInvite, type InjectedRequest } from '../support/drachtio-double.js';
import { attemptsOf, eventually, startHarness, type Harness } from '../support/crocetta-harness.js';
import { panelSession } from '../support/panel-session.js';

const DID = '+390612345678';
/**
 * Each test's caller, a number of its own: the caller-ID caches are the module's, kept from one test to the next (a
 * caller's identity is kept from its second call on).
 */
const CALLER = '+390298765432';
const CALLER_2 = '+390298765442';
const CALLER_3 = '+390298765452';
/** Another number: unmarked. */
const OTHER = '+390298765433';
const PASSWORD = 'front-test-password';

let h: Harness | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await h?.stop();
  h = undefined;
});

async function start(): Promise<Harness> {
  const harness = await startHarness(
    { ADMIN_PASSWORD: PASSWORD },
    {
      configure: (c) => {
        Object.assign(c.store, { durableBeforeAnswer: false });
        // A rule the settings page edits below; as configured it applies to no caller of these tests.
        c.policies = configSchema.shape.policies.parse([
          { name: 'spare', dids: ['+390699999999'], verdicts: ['suspect'], action: 'tag' },
        ]);
      },
    },
  );
  h = harness;
  harness.double.onProxy(() => [{ status: 180 }, { status: 200 }]);
  return harness;
}

async function mark(harness: Harness, label: 'nuisance' | 'none', number = CALLER): Promise<void> {
  const res = await harness.api('POST', `/api/numbers/${encodeURIComponent(number)}/mark`, {
    label,
    company: 'Example Energia',
    category: 'energy',
  });
  expect(res.status).toBe(200);
  harness.clock.advance(1000);
}

/**
 * Whether each request's transaction was checked before its answer (false: the front answered first): the entry's
 * check (`enter`, which sees a known Call-ID's key itself) or the front's way after its answer (`see`).
 */
function watchTransactions(watch: AnswerWatch): boolean[] {
  const checkedBefore: boolean[] = [];
  const proto = RecentTransactions.prototype as unknown as {
    see: (this: void, key: string | null) => unknown;
    enter: (this: void, headers: unknown) => unknown;
  };
  const { see, enter } = proto;
  let entering = false;
  vi.spyOn(proto, 'see').mockImplementation(function (this: void, key) {
    if (!entering) checkedBefore.push(!watch.answered);
    return see.call(this, key);
  });
  vi.spyOn(proto, 'enter').mockImplementation(function (this: void, headers) {
    checkedBefore.push(!watch.answered);
    entering = true;
    try {
      return enter.call(this, headers);
    } finally {
      entering = false;
    }
  });
  return checkedBefore;
}

type InviteOptions = Partial<Parameters<typeof buildInvite>[0]>;

let n = 0;
function inviteOf(opts: InviteOptions = {}): string {
  return buildInvite(
    Object.assign(
      { from: CALLER, to: DID, requestUri: `sip:${DID}@127.0.0.1`, callId: `front-${n++}@198.51.100.7` },
      opts,
    ),
  );
}

/** What a request got: its final status, or `proxied` and the PBX's status. */
async function answerOf(harness: Harness, invite: InjectedRequest): Promise<string> {
  const final = await invite.waitForFinal();
  const callId = invite.request.headers['call-id']?.[0];
  await eventually(() =>
    harness.logs.find((l) => (l.msg === 'decision' || l.msg === 'retransmission') && l.callId === callId),
  );
  return invite.proxy ? `proxied ${final.status}` : String(final.status);
}

describe('answering first, the verdict memo front', () => {
  it('refuses a repeat marked caller before its transaction check; an unmark or a rule changed on the settings page reaches the next call', async () => {
    const harness = await start();
    const watch: AnswerWatch = { answered: false, answeredAtClassify: [] };
    watchAnswers(watch);
    const checkedBefore = watchTransactions(watch);
    const answers: string[] = [];
    const call = async (opts: InviteOptions = {}): Promise<void> => {
      watch.answered = false;
      answers.push(await answerOf(harness, harness.double.injectRequest(inviteOf(opts))));
      harness.clock.advance(60_000);
    };
    await mark(harness, 'nuisance');
    for (let i = 0; i < 4; i++) await call();
    await mark(harness, 'none');
    await call();
    await mark(harness, 'nuisance');
    for (let i = 0; i < 3; i++) await call();
    const session = await panelSession((path) => harness.url(path), PASSWORD);
    const saved = await fetch(harness.url('/settings'), {
      method: 'POST',
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([
        ['_csrf', session.csrf],
        ['section', 'rule'],
        ['index', '0'],
        ['op', 'save'],
        ['name', 'nuisance tagged'],
        ['dids', ''],
        ['hours', ''],
        ['verdicts', 'nuisance'],
        ['action', 'tag'],
      ]).toString(),
      redirect: 'manual',
    });
    expect(saved.status).toBe(303);
    await call();
    await call();

    expect(answers).toEqual([
      '607',
      '607',
      '607',
      '607',
      'proxied 200',
      '607',
      '607',
      '607',
      'proxied 200',
      'proxied 200',
    ]);
    // The caller's identity is kept from its second call, its refusal filed at the front after that call's answer:
    // from the third call (and the second after a change) the 607 leaves before the transaction is checked.
    const T = true;
    const F = false;
    expect(checkedBefore).toEqual([T, T, F, F, T, T, F, F, T, T]);
    const rows = await attemptsOf(harness, CALLER);
    expect(rows).toHaveLength(10);
    expect(rows.filter((r) => r.action === 'reject:607')).toHaveLength(7);
  });

  it('the same From with another P-Asserted-Identity, Remote-Party-ID or Privacy is not the front entry of the From alone', async () => {
    const harness = await start();
    const watch: AnswerWatch = { answered: false, answeredAtClassify: [] };
    watchAnswers(watch);
    const checkedBefore = watchTransactions(watch);
    await mark(harness, 'nuisance', CALLER_2);
    const call = async (opts: InviteOptions = {}): Promise<string> => {
      watch.answered = false;
      return answerOf(harness, harness.double.injectRequest(inviteOf(Object.assign({ from: CALLER_2 }, opts))));
    };
    for (let i = 0; i < 3; i++) expect(await call()).toBe('607');
    // The caller ID is the asserted (unmarked) number: forwarded, though From is the marked caller's.
    for (let i = 0; i < 3; i++) expect(await call({ pai: OTHER })).toBe('proxied 200');
    for (let i = 0; i < 3; i++) expect(await call({ rpid: OTHER })).toBe('proxied 200');
    // Withheld with the marked number (Privacy: id): refused too, but as a caller of its own values: screened the
    // whole way until its own refusal is kept.
    for (let i = 0; i < 3; i++) expect(await call({ privacy: 'id' })).toBe('607');
    expect(await call()).toBe('607');
    // A front that asks for crocetta's mark on refusals: the same values, the refusal with the mark it asked for.
    watch.answered = false;
    const asking = harness.double.injectRequest(
      inviteOf({ from: CALLER_2, extraHeaders: [['X-Crocetta-Front', 'mark']] }),
    );
    expect(await answerOf(harness, asking)).toBe('607');
    expect(asking.final?.headers['x-crocetta-refusal']?.[0]).toBe('607');
    const T = true;
    const F = false;
    expect(checkedBefore).toEqual([T, T, F, T, T, T, T, T, T, T, T, F, F, F]);
  });

  it("a front-answered call's decision time (the line's ms, crocetta_decision_seconds) is the front's, to its 607, not the work after the answer", async () => {
    const harness = await start();
    const CALLER_4 = '+390298765462';
    await mark(harness, 'nuisance', CALLER_4);
    // The work after the answer "takes" a second per clock reading: performance.now() jumps 1 s at every reading
    // made while a task of the after-answer timer runs (the front's whole way after its 607, its decision line).
    const realNow = performance.now.bind(performance);
    let extraMs = 0;
    let afterAnswerRunning = false;
    vi.spyOn(performance, 'now').mockImplementation(() => {
      if (afterAnswerRunning) extraMs += 1000;
      return realNow() + extraMs;
    });
    const proto = AfterAnswer.prototype as unknown as { run: (this: AfterAnswer, task: () => void) => void };
    const run = proto.run;
    vi.spyOn(proto, 'run').mockImplementation(function (this: AfterAnswer, task) {
      run.call(this, () => {
        afterAnswerRunning = true;
        try {
          task();
        } finally {
          afterAnswerRunning = false;
        }
      });
    });
    const watch: AnswerWatch = { answered: false, answeredAtClassify: [] };
    watchAnswers(watch);
    const checkedBefore = watchTransactions(watch);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      watch.answered = false;
      const invite = harness.double.injectRequest(inviteOf({ from: CALLER_4 }));
      expect(await answerOf(harness, invite)).toBe('607');
      ids.push(invite.request.headers['call-id']?.[0] ?? '');
    }
    // The third call's 607 left at the front (before its transaction was checked).
    expect(checkedBefore).toEqual([true, true, false]);
    const msOf = (callId: string): number => {
      const line = harness.logs.find((l) => l.msg === 'decision' && l.callId === callId);
      return Number(line?.ms);
    };
    // Screened the whole way before their answers: their time counts no after-answer task.
    expect(msOf(ids[0] ?? '')).toBeLessThan(1000);
    expect(msOf(ids[1] ?? '')).toBeLessThan(1000);
    // At the front: its own time to the 607, the replanning after it (a second a clock reading here) not counted.
    expect(msOf(ids[2] ?? '')).toBeLessThan(1000);
    const metrics = await harness.api('GET', '/metrics');
    expect(metrics.status).toBe(200);
    const sum = /^crocetta_decision_seconds_sum(?:\{[^}]*\})? (\S+)$/m.exec(String(metrics.json));
    expect(Number(sum?.[1])).toBeLessThan(1);
  });

  it('a copy of a transaction: the answer its original got, one row, whether the front answered the original or not', async () => {
    const harness = await start();
    const rowsOf = async (number: string) => (await attemptsOf(harness, number)).length;
    // The original forwarded (the caller unmarked) and answered 200; the caller marked, its refusal filed at the
    // front; the original's copy, handed over after the PBX's 200, is absorbed (it gets no 607).
    const first = harness.double.injectRequest(inviteOf({ from: CALLER_3 }));
    expect(await answerOf(harness, first)).toBe('proxied 200');
    await mark(harness, 'nuisance', CALLER_3);
    for (let i = 0; i < 3; i++)
      expect(await answerOf(harness, harness.double.injectRequest(inviteOf({ from: CALLER_3 })))).toBe('607');
    const copy = harness.double.retransmit(first);
    expect(copy).not.toBeNull();
    if (copy === null) return;
    await eventually(() =>
      harness.logs.find((l) => l.msg === 'retransmission' && l.callId === first.request.headers['call-id']?.[0]),
    );
    expect(copy.responses).toEqual([]);
    expect(copy.proxy).toBeUndefined();
    expect(await rowsOf(CALLER_3)).toBe(4);

    // A front-answered INVITE handed over again: at once (before its transaction is remembered) and later.
    const raw = inviteOf({ from: CALLER_3 });
    const original = harness.double.injectRequest(raw);
    const early = harness.double.injectRequest(raw);
    expect(await answerOf(harness, original)).toBe('607');
    expect((await early.waitForFinal()).status).toBe(607);
    const late = harness.double.injectRequest(raw);
    expect((await late.waitForFinal()).status).toBe(607);
    await eventually(() =>
      harness.logs.filter((l) => l.msg === 'retransmission' && l.callId === original.request.headers['call-id']?.[0])
        .length === 2
        ? true
        : undefined,
    );
    expect(await rowsOf(CALLER_3)).toBe(5);
  });
});
