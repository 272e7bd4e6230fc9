/**
 * `npm run demo`'s core on a short trace: the real app on its defaults, the drachtio double, a replay of an office's
 * calls. What a person evaluating crocetta looks at must be there: every call in the register at its trace time,
 * the talk times, the office's marks acting on later calls, the rankings with the companies and the advice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type Demo } from '../../demo/demo.js';
import { COMPANIES } from '../../demo/office.js';
import type { Tally } from '../../demo/replay.js';
import { localDay } from '../../src/store/reports/local-days.js';
import type { Attempt } from '../../src/store/register/types.js';

const NOW = Date.parse('2026-11-12T18:00:00+01:00'); // a Thursday: the trace runs from Monday 2 Nov to now

let dir: string;
let demo: Demo;
let tally: Tally;
const logs: Array<Record<string, unknown>> = [];
const days: number[] = [];

async function api(path: string): Promise<unknown> {
  const res = await fetch(`${demo.url}${path}`, { headers: { authorization: `Bearer ${demo.token}` } });
  expect(res.status).toBe(200);
  return res.json();
}

async function allAttempts(): Promise<Attempt[]> {
  const rows: Attempt[] = [];
  let before: number | null = null;
  do {
    const page = (await api(`/api/attempts?limit=1000${before === null ? '' : `&before=${before}`}`)) as {
      attempts: Attempt[];
      next: number | null;
    };
    rows.push(...page.attempts);
    before = page.next;
  } while (before !== null);
  return rows;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crocetta-demo-'));
  const log = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  demo = await startDemo({ dir, panelHost: '127.0.0.1', panelPort: 0, log, weeks: 1, callsPerDay: 20, now: NOW });
  tally = await demo.replay({ seconds: 0, onDay: (d) => days.push(d.dayOf) });
}, 120_000);

afterAll(async () => {
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run demo (short replay)', () => {
  it('answers every call of the trace and registers each at its own time, across the trace days', async () => {
    expect(demo.trace.days).toBe(11);
    expect(tally.calls).toBe(demo.trace.rows.length);
    expect(tally.calls).toBeGreaterThan(150);
    expect(tally.unanswered).toBe(0);
    const attempts = await allAttempts();
    expect(attempts).toHaveLength(tally.calls);
    const times = (rows: Array<{ time: number | string }>) => rows.map((r) => new Date(r.time).toISOString()).sort();
    expect(times(attempts)).toEqual(times(demo.trace.rows));
    const registerDays = new Set(attempts.map((a) => localDay(Date.parse(String(a.time)), demo.timeZone)));
    expect(registerDays.size).toBeGreaterThanOrEqual(8);
    expect(days.length).toBe(new Set(demo.trace.rows.map((r) => localDay(r.time, demo.timeZone))).size);
  });

  it('measures each answered call for as long as the trace says the office talked', async () => {
    const attempts = await allAttempts();
    const byCallTime = new Map(demo.trace.rows.map((r) => [`${new Date(r.time).toISOString()} ${r.did}`, r]));
    const answered = attempts.filter((a) => a.outcome === 'answered' || (a.talkMs ?? null) !== null);
    expect(answered.length).toBe(tally.forwarded);
    for (const a of answered) {
      const row = byCallTime.get(`${new Date(a.time).toISOString()} ${a.calledNumber}`);
      // A call still going on at the end of the replay (now) is hung up then: measured up to now.
      const talkMs = row === undefined ? -1 : Math.min(row.talk * 1000, NOW - row.time);
      expect(a.talkMs, `${a.callerE164 ?? a.callerRaw} at ${String(a.time)}`).toBe(talkMs);
    }
  });

  it('stops call centres from what the office marked, and lets customers through', async () => {
    expect(tally.marks.nuisance).toBeGreaterThan(5);
    expect(tally.nuisance.stopped).toBeGreaterThan(0);
    expect(tally.legit.stopped).toBeLessThanOrEqual(Math.ceil(tally.legit.calls * 0.02));
    const attempts = await allAttempts();
    const byMark = attempts.filter(
      (a) => a.action === 'reject:607' && a.reasons.some((r) => r.code === 'marked-nuisance'),
    );
    expect(byMark.length).toBeGreaterThan(0);
    const decisions = logs.filter((l) => l.msg === 'decision');
    expect(decisions).toHaveLength(tally.calls);
  });

  it('fills the rankings: companies with the advice per category, and numbers with their ticks', async () => {
    const period = 'since=2026-11-02&until=2026-11-12';
    const companies = (await api(`/api/rankings/companies?${period}`)) as {
      companies: Array<{ company: string; category: string; attempts: number }>;
    };
    expect(companies.companies.length).toBeGreaterThanOrEqual(3);
    for (const c of companies.companies) expect(COMPANIES.map((k) => k.company)).toContain(c.company);
    const energy = companies.companies.filter((c) => c.category === 'energy');
    const telecom = companies.companies.filter((c) => c.category === 'telecom');
    expect(Math.max(energy.length, telecom.length)).toBeGreaterThanOrEqual(2); // a category where the advice compares two
    const numbers = (await api(`/api/rankings/numbers?${period}`)) as { numbers: Array<{ attempts: number }> };
    expect(numbers.numbers.length).toBeGreaterThan(5);
    expect(numbers.numbers[0]?.attempts).toBeGreaterThanOrEqual(3);
  });

  it('logs in to the panel with the generated password', async () => {
    const form = await fetch(`${demo.url}/login`);
    const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const res = await fetch(`${demo.url}/login`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, password: demo.password }).toString(),
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    expect(demo.clock.replaying).toBe(false);
  });
});
