/** GET /api/attempts pages past the 1,000-row limit with the `next` cursor, in the register's order, with filters. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Attempt } from '../../src/store/register/types.js';
import { newAttempt } from '../../src/store/test-fixtures.js';
import { buildInvite } from '../support/drachtio-double.js';
import { attemptWhen, startHarness, type Harness } from '../support/crocetta-harness.js';

interface Page {
  attempts: Attempt[];
  next: number | null;
}

const A = '+390298760001';
const T0 = Date.parse('2026-11-02T09:00:00+01:00');

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  // 1,000 attempts from A (exactly one full page) and 1,345 from others; groups of 7 share their time to the
  // millisecond, so the order (time, then id) and the cursor must not lose or repeat rows at a tie.
  const writes: Array<Promise<number>> = [];
  for (let i = 0; i < 2345; i++) {
    const key = i < 1000 ? A : `+3902987${String(10000 + i).padStart(5, '0')}`;
    writes.push(
      h.app.register.record(newAttempt(key, T0 + Math.floor(i / 7) * 60_000, { callerE164: key, callId: `page-${i}` })),
    );
  }
  await Promise.all(writes);
});
afterAll(async () => {
  await h.stop();
});

async function pages(query: string): Promise<Page[]> {
  const out: Page[] = [];
  let before: number | null = null;
  do {
    const res = await h.api('GET', `/api/attempts?${query}${before === null ? '' : `&before=${before}`}`);
    expect(res.status).toBe(200);
    const page = res.json as Page;
    out.push(page);
    before = page.next;
  } while (before !== null && out.length < 10);
  return out;
}

describe('GET /api/attempts paging', () => {
  it('walks every attempt once, newest first, 1,000 at a time', async () => {
    const walked = await pages('limit=1000');
    expect(walked.map((p) => p.attempts.length)).toEqual([1000, 1000, 345]);
    expect(walked.map((p) => p.next === null)).toEqual([false, false, true]);
    const rows = walked.flatMap((p) => p.attempts);
    expect(new Set(rows.map((r) => r.id)).size).toBe(2345);
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1] as Attempt, rows[i] as Attempt];
      expect(Date.parse(String(a.time)) > Date.parse(String(b.time)) || (a.time === b.time && a.id > b.id)).toBe(true);
    }
    expect(walked[0]?.next).toBe(walked[0]?.attempts[999]?.id);
  });

  it('says there is no next page when the last page is exactly full, and keeps the filters across pages', async () => {
    const one = await pages(`number=${encodeURIComponent(A)}&limit=1000`);
    expect(one).toHaveLength(1);
    expect(one[0]?.attempts).toHaveLength(1000);
    expect(one[0]?.next).toBeNull();

    const since = new Date(T0 + 200 * 60_000).toISOString(); // rows 1400..2344
    const filtered = await pages(`since=${encodeURIComponent(since)}&limit=400`);
    expect(filtered.map((p) => p.attempts.length)).toEqual([400, 400, 145]);
    expect(filtered.flatMap((p) => p.attempts).every((r) => Date.parse(String(r.time)) >= Date.parse(since))).toBe(
      true,
    );
  });

  it('refuses a cursor that is not one', async () => {
    expect((await h.api('GET', '/api/attempts?before=abc')).status).toBe(400);
    expect((await h.api('GET', '/api/attempts?before=1e9')).status).toBe(400);
  });
});

describe('GET /api/attempts times', () => {
  it('gives every instant of an attempt in ISO 8601: time, outcomeAt and refusedAt alike', async () => {
    const caller = '+390298769999';
    h.clock.advance(60_000);
    const at = new Date(h.clock.now()).toISOString();
    // Forwarded, then declined at the PBX: the outcome comes later (outcomeAt) and is a refusal (refusedAt).
    h.double.onProxy(() => [{ status: 180 }, { status: 603 }]);
    const call = h.double.injectRequest(buildInvite({ from: caller, to: '+390612345678' }));
    expect((await call.waitForFinal()).status).toBe(603);
    // The caller has its 603 before the proxy's result reaches the register: wait for the outcome update.
    const row = await attemptWhen(h, caller, (a) => a.outcome === 'declined');
    expect(row).toMatchObject({ time: at, outcome: 'declined', finalStatus: 603, outcomeAt: at, refusedAt: at });
    // An attempt with no outcome update, nor a refusal: null, not absent.
    const [plain] = (await pages(`number=${encodeURIComponent(A)}&limit=1`))[0]?.attempts ?? [];
    expect(plain).toMatchObject({ outcomeAt: null, refusedAt: null });
  });
});
