/**
 * Policies per called number and per time, end to end: the real app against the drachtio double, a real SQLite
 * register and the real panel. The same caller gets different outcomes on two of our numbers and after hours, and
 * a policy edited on the panel's settings page applies to the next call, without a restart.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { actionPolicy } from '../../src/config/derive.js';
import { loadConfig } from '../../src/config/loader.js';
import { configSchema } from '../../src/config/schema.js';
import { pickAction } from '../../src/policy/rules.js';
import { formatAction } from '../../src/screening/policy.js';
import { buildInvite } from '../support/drachtio-double.js';
import { panelSession } from '../support/panel-session.js';
import { latestAttempt, startHarness, type Harness } from '../support/crocetta-harness.js';

const SUPPORT = '+390212345670';
const SALES = '+390212345671';
const OTHER = '+390212345679';
/** Suspect by a prefix rule of the office. */
const CALLER = '+390451234567';

const PASSWORD = 'policy-test-password';

let h: Harness;

async function postSettings(
  session: { cookie: string; csrf: string },
  form: Array<[string, string]>,
): Promise<Response> {
  return fetch(h.url('/settings'), {
    method: 'POST',
    headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams([['_csrf', session.csrf], ...form]).toString(),
    redirect: 'manual',
  });
}

function invite(did: string) {
  return h.double.injectRequest(
    buildInvite({
      from: `<sip:${CALLER}@203.0.113.10>`,
      to: did,
      requestUri: `sip:${did.replace('+39', '')}@127.0.0.1`,
    }),
  );
}

describe('policies per called number and per time', () => {
  beforeEach(async () => {
    h = await startHarness(
      { ADMIN_PASSWORD: PASSWORD },
      {
        configure: (c) => {
          c.screening.prefixes = [{ prefix: '+39045', verdict: 'suspect', label: 'test range' }];
          c.policies = configSchema.shape.policies.parse([
            { name: 'support line', dids: ['02 1234 5670'], verdicts: ['suspect', 'nuisance'], action: 'tag' },
            { name: 'sales line', dids: ['02 1234 5671'], verdicts: ['suspect'], action: 'reject' },
            { name: 'after hours', hours: 'closed', verdicts: ['suspect'], action: 'reject:486' },
          ]);
        },
      },
    );
    h.double.onProxy(() => [{ status: 180 }, { status: 200 }]);
  });
  afterEach(async () => {
    await h.stop();
  });

  it('tags a suspect on the support line and refuses the same caller on the sales line', async () => {
    // Thursday 5 Nov 2026, 09:30 in Rome: open.
    const support = invite(SUPPORT);
    expect((await support.waitForFinal()).status).toBe(200);
    expect(support.proxy?.headers['x-crocetta-verdict']?.[0]).toMatch(/^suspect;/);
    expect(await latestAttempt(h, CALLER)).toMatchObject({ calledNumber: SUPPORT, verdict: 'suspect', action: 'tag' });
    expect((await latestAttempt(h, CALLER))?.reasons.map((r) => r.text)).toContain('policy rule 1 "support line": tag');

    const sales = invite(SALES);
    expect((await sales.waitForFinal()).status).toBe(607);
    expect(sales.proxy).toBeUndefined();
    const refused = await latestAttempt(h, CALLER);
    expect(refused).toMatchObject({
      calledNumber: SALES,
      verdict: 'suspect',
      action: 'reject:607',
      outcome: 'rejected',
    });
    expect(refused?.reasons.map((r) => r.text)).toContain('policy rule 2 "sales line": reject:607');
    const decision = h.logs.filter((l) => l.msg === 'decision').at(-1);
    expect(decision).toMatchObject({ called: SALES, verdict: 'suspect', action: 'reject' });
  });

  it('uses the after-hours rule on our other numbers once the office has closed, and the global action before', async () => {
    const day = invite(OTHER);
    expect((await day.waitForFinal()).status).toBe(200);
    expect(await latestAttempt(h, CALLER)).toMatchObject({ calledNumber: OTHER, action: 'tag' });

    h.clock.advance(11 * 3_600_000 + 40 * 60_000); // 21:10
    const night = invite(OTHER);
    expect((await night.waitForFinal()).status).toBe(486);
    const attempt = await latestAttempt(h, CALLER);
    expect(attempt).toMatchObject({ calledNumber: OTHER, action: 'reject:486' });
    expect(attempt?.reasons.map((r) => r.text)).toContain('policy rule 3 "after hours" (closed): reject:486');
    // The support line still never refuses at night.
    const support = invite(SUPPORT);
    expect((await support.waitForFinal()).status).toBe(200);
  });
});

describe('policies edited on the panel', () => {
  beforeEach(async () => {
    h = await startHarness(
      { ADMIN_PASSWORD: PASSWORD },
      {
        configure: (c) => {
          c.screening.prefixes = [{ prefix: '+39045', verdict: 'suspect', label: 'test range' }];
          c.policies = configSchema.shape.policies.parse([
            { name: 'sales line', dids: ['02 1234 5671'], verdicts: ['suspect'], action: 'reject' },
          ]);
        },
      },
    );
    h.double.onProxy(() => [{ status: 180 }, { status: 200 }]);
  });
  afterEach(async () => {
    await h.stop();
  });

  it('applies an edited rule to the next call, without a restart, and keeps it across one', async () => {
    expect((await invite(SALES).waitForFinal()).status).toBe(607);

    const session = await panelSession((path) => h.url(path), PASSWORD);
    const saved = await postSettings(session, [
      ['section', 'rule'],
      ['index', '0'],
      ['op', 'save'],
      ['name', 'sales line, softer'],
      ['dids', '02 1234 5671'],
      ['hours', ''],
      ['verdicts', 'suspect'],
      ['verdicts', 'nuisance'],
      ['action', 'tag'],
    ]);
    expect(saved.status).toBe(303);
    const next = invite(SALES);
    expect((await next.waitForFinal()).status).toBe(200);
    expect(next.proxy?.headers['x-crocetta-verdict']?.[0]).toMatch(/^(suspect|nuisance);/);
    expect((await latestAttempt(h, CALLER))?.reasons.map((r) => r.text)).toContain(
      'policy rule 1 "sales line, softer": tag',
    );

    // The number page says what each line would do with this caller now.
    const page = await (
      await fetch(h.url(`/numbers/${encodeURIComponent(CALLER)}`), {
        headers: { cookie: session.cookie, 'accept-language': 'en' },
      })
    ).text();
    const card = page.slice(page.indexOf('id="lines-now"'));
    expect(card).toMatch(/At [^<]*09:30 \(open\)/);
    const row =
      /<tr><td><span class="mono">02 1234 5671<\/span> \(sales line, softer\)<\/td>([\s\S]*?)<\/tr>/.exec(card)?.[1] ??
      '';
    expect(row).toMatch(/<td><span title="tag">let through, tagged suspect<\/span><\/td>/);
    expect(row).toMatch(/rule 1 &quot;sales line, softer&quot;/);

    // The JSON API says the same, for scripts.
    const api = await h.api('GET', `/api/numbers/${encodeURIComponent(CALLER)}`);
    expect((api.json as { lines: unknown[] }).lines).toEqual([
      {
        did: '02 1234 5671',
        name: 'sales line, softer',
        verdict: expect.stringMatching(/^(suspect|nuisance)$/) as unknown,
        action: 'tag',
        rule: 1,
        note: null,
      },
      {
        did: null,
        name: '',
        verdict: expect.stringMatching(/^(suspect|nuisance)$/) as unknown,
        action: expect.any(String) as unknown,
        rule: null,
        note: null,
      },
    ]);

    // A rule the schema refuses is not applied: the page says why, the calls keep the saved rule.
    const bad = await postSettings(session, [
      ['section', 'rule-add'],
      ['dids', 'support'],
      ['action', 'reject'],
    ]);
    expect(bad.status).toBe(200);
    // The page is Italian (no language chosen): the refusal names the rule's field as the page labels it.
    expect(await bad.text()).toContain('Regola 2, I nostri numeri: scrivi uno dei nostri numeri');
    expect((await invite(SALES).waitForFinal()).status).toBe(200);

    await h.restartApp();
    expect((await invite(SALES).waitForFinal()).status).toBe(200);
  });
});

describe("docs/configuration.md's policies example", () => {
  it('loads as written and does what the page says', () => {
    const page = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    const section = page.slice(page.indexOf('## Policies: what each line does'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const dir = mkdtempSync(join(tmpdir(), 'crocetta-readme-'));
    try {
      writeFileSync(join(dir, 'policies.yaml'), yaml);
      const policy = actionPolicy(loadConfig({ env: { CROCETTA_CONFIG: join(dir, 'policies.yaml') } }));
      const suspect = { verdict: 'suspect' as const, score: 0.6, reasons: [] };
      const identity = {
        number: null,
        displayName: null,
        source: 'from' as const,
        withheld: false,
        withheldReason: null,
        attestation: null,
        verstat: null,
      };
      const at = (did: string, iso: string) => {
        const c = pickAction(suspect, identity, policy, { did, time: Date.parse(iso) });
        return `${formatAction(c.action)} ${c.rule?.number ?? '-'}`;
      };
      // "a suspect calling the support line at 21:10 is tagged by rule 1, the same caller on the sales line is
      // refused with 607 by rule 2, and on any other number it hears the message by rule 4 (at 10:00 on a
      // working day: tagged, the global actions.suspect)"
      expect(at('+390212345670', '2026-12-01T21:10:00+01:00')).toBe('tag 1');
      expect(at('+390212345671', '2026-12-01T21:10:00+01:00')).toBe('reject:607 2');
      expect(at('+390212345679', '2026-12-01T21:10:00+01:00')).toBe('announce-early 4');
      expect(at('+390212345679', '2026-12-01T10:00:00+01:00')).toBe('tag -');
      // Saturday morning is open, Milan's 7 December and Easter Monday are closed.
      expect(at('+390212345679', '2026-11-28T10:00:00+01:00')).toBe('tag -');
      expect(at('+390212345679', '2026-12-07T10:00:00+01:00')).toBe('announce-early 4');
      expect(at('+390212345679', '2027-03-29T10:00:00+02:00')).toBe('announce-early 4');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
