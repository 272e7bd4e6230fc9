/**
 * `store.durableBeforeAnswer`: with true (the default) a refusal goes out only once its attempt is durable: written
 * to the attempts journal (at once), or, when the journal is off (store.synchronous FULL, or its disk refuses the
 * write), committed; with false it goes out at once and the attempt is recorded right after. The commit is held back
 * by a gate around the register's record() (a slow disk), with `store.commitWaitMs` long enough not to cut the wait
 * short.
 */
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Attempt } from '../../src/store/register/types.js';
import { buildInvite } from '../support/drachtio-double.js';
import { eventually, startHarness, type Harness } from '../support/crocetta-harness.js';

const DID = '+390612345678';
const NUISANCE = '+390298765432';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function start(durableBeforeAnswer: boolean, synchronous: 'NORMAL' | 'FULL' = 'NORMAL'): Promise<Harness> {
  h = await startHarness(
    {},
    { configure: (c) => Object.assign(c.store, { durableBeforeAnswer, synchronous, commitWaitMs: 10_000 }) },
  );
  expect((await h.api('POST', `/api/numbers/${encodeURIComponent(NUISANCE)}/mark`, { label: 'nuisance' })).status).toBe(
    200,
  );
  return h;
}

/** record() resolves only after `release()`, as on a disk that takes its time to commit. */
function slowCommits(harness: Harness): { release: () => void } {
  const register = harness.app.register;
  const record = register.record.bind(register);
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  register.record = (attempt, options) => {
    const committed = record(attempt, options);
    return gate.then(() => committed);
  };
  return { release };
}

function nuisanceCall(harness: Harness, callId?: string) {
  return harness.double.injectRequest(
    buildInvite({
      from: NUISANCE,
      to: DID,
      requestUri: `sip:${DID}@127.0.0.1`,
      ...(callId !== undefined && { callId }),
    }),
  );
}

async function attemptsOfNuisance(harness: Harness): Promise<Attempt[]> {
  await harness.app.register.flush();
  return (
    (await harness.api('GET', `/api/attempts?number=${encodeURIComponent(NUISANCE)}`)).json as { attempts: Attempt[] }
  ).attempts;
}

describe('store.durableBeforeAnswer', () => {
  it('true (default): the refusal waits for its attempt to be journaled, not for its commit', async () => {
    const harness = await start(true);
    const { release } = slowCommits(harness);
    const call = nuisanceCall(harness, 'journaled-refusal@198.51.100.7');
    expect((await call.waitForFinal()).status).toBe(607); // the commit is still held back
    const journal = readFileSync(join(harness.dir, 'register.sqlite.journal.1'), 'utf8');
    expect(journal).toContain('journaled-refusal@198.51.100.7');
    expect(journal).toContain(NUISANCE);
    release();
    expect(await attemptsOfNuisance(harness)).toHaveLength(1);
  });

  it('true: a read through the API right after the refusal lists its attempt, though its commit was deferred', async () => {
    const harness = await start(true);
    // A journaled attempt's commit may wait up to the register's interval under load; here, a minute.
    const writer = (harness.app.register as unknown as { batches: { options: { deferMs?: number } } }).batches;
    writer.options.deferMs = 60_000;
    expect((await nuisanceCall(harness, 'read-your-call@198.51.100.7').waitForFinal()).status).toBe(607);
    const { json } = await harness.api('GET', `/api/attempts?number=${encodeURIComponent(NUISANCE)}`); // no flush
    expect((json as { attempts: Attempt[] }).attempts).toMatchObject([
      { callId: 'read-your-call@198.51.100.7', action: 'reject:607', finalStatus: 607 },
    ]);
  });

  it('true, the journal on a full disk: the refusal waits for its attempt to be committed, and the failure is counted', async (ctx) => {
    if (!existsSync('/dev/full')) return ctx.skip(true, 'no /dev/full here to make the journal write fail with ENOSPC');
    const harness = await start(true);
    symlinkSync('/dev/full', join(harness.dir, 'register.sqlite.journal.1')); // the first segment: every write ENOSPC
    const { release } = slowCommits(harness);
    const call = nuisanceCall(harness);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(call.final).toBeUndefined(); // waiting for the commit, as without a journal
    release();
    expect((await call.waitForFinal()).status).toBe(607);
    expect(await attemptsOfNuisance(harness)).toHaveLength(1);
    const metrics = String((await harness.api('GET', '/metrics', undefined, null)).json);
    expect(metrics).toMatch(/^crocetta_register_journal_failures_total 1$/m);
    expect(harness.logs.filter((l) => String(l.msg).startsWith('attempts journal cannot write'))).toHaveLength(1);
  });

  it('true with store.synchronous FULL: no journal, the refusal waits for its attempt to be committed', async () => {
    const harness = await start(true, 'FULL');
    const { release } = slowCommits(harness);
    const call = nuisanceCall(harness);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(call.final).toBeUndefined(); // still waiting for the commit
    release();
    expect((await call.waitForFinal()).status).toBe(607);
    expect(await attemptsOfNuisance(harness)).toHaveLength(1);
    expect(existsSync(join(harness.dir, 'register.sqlite.journal.1'))).toBe(false);
  });

  it('false: the refusal goes out before its attempt is committed, and the attempt is written right after', async () => {
    const harness = await start(false);
    const { release } = slowCommits(harness);
    const call = nuisanceCall(harness);
    expect((await call.waitForFinal()).status).toBe(607); // the commit is still held back
    release();
    // Handed to the register once the loop has slept after the answer (src/sip/after-answer.ts), then committed.
    const attempt = await eventually(async () => (await attemptsOfNuisance(harness))[0]);
    expect(attempt).toMatchObject({ action: 'reject:607', outcome: 'rejected', finalStatus: 607 });
  });

  it('false: the answer is written to drachtio-server before the attempt is built and handed to the register', async () => {
    const harness = await start(false);
    const { answeredAtRecord, restore } = watchOrder(harness);
    try {
      expect((await nuisanceCall(harness).waitForFinal()).status).toBe(607);
      await eventually(() => (answeredAtRecord.length > 0 ? true : undefined));
    } finally {
      restore();
    }
    expect(answeredAtRecord).toEqual([true]);
    expect(await attemptsOfNuisance(harness)).toHaveLength(1);
  });

  it('true: the attempt reaches the register before anything is written to drachtio-server', async () => {
    const harness = await start(true);
    const { answeredAtRecord, restore } = watchOrder(harness);
    try {
      expect((await nuisanceCall(harness).waitForFinal()).status).toBe(607);
    } finally {
      restore();
    }
    expect(answeredAtRecord).toEqual([false]);
  });
});

/**
 * For each record() call, whether the 607 had been written on a socket (the app's to the double) by then: the
 * order of the two within the handler, whatever the timing.
 */
function watchOrder(harness: Harness): { answeredAtRecord: boolean[]; restore: () => void } {
  let answered = false;
  const proto = Socket.prototype as unknown as { write: (...args: unknown[]) => boolean };
  const write = proto.write;
  proto.write = function (this: Socket, ...args: unknown[]): boolean {
    if (String(args[0]).includes('SIP/2.0 607')) answered = true;
    return write.apply(this, args);
  };
  const answeredAtRecord: boolean[] = [];
  const register = harness.app.register;
  const record = register.record.bind(register);
  register.record = (attempt, options) => {
    answeredAtRecord.push(answered);
    return record(attempt, options);
  };
  return { answeredAtRecord, restore: () => (proto.write = write) };
}
