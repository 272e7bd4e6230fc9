import { describe, expect, it } from 'vitest';
import { gateCheck } from './check-memory.js';
import { dayFormatter } from './dates.js';

const DAY = 86_400_000;
const dates = dayFormatter('Europe/Rome');
const passed = Date.parse('2026-11-03T10:00:00Z');

describe('gateCheck', () => {
  it('checks a caller that never passed', () => {
    expect(gateCheck(null, null, passed, 30, dates)).toEqual({ kind: 'check' });
  });

  it('lets a passer through for rememberDays, then checks again', () => {
    const within = gateCheck(passed, null, passed + 29 * DAY, 30, dates);
    expect(within).toMatchObject({
      kind: 'remembered',
      reason: { code: 'check-remembered', text: 'passed the check on 3 Nov 2026: let through without one for 30 days' },
    });
    expect(gateCheck(passed, null, passed + 30 * DAY, 30, dates)).toEqual({ kind: 'check' });
  });

  it('rememberDays 0 checks every time', () => {
    expect(gateCheck(passed, null, passed + 1000, 0, dates)).toEqual({ kind: 'check' });
  });

  it('a passer marked nuisance afterwards gets no second chance, even after the remembered days', () => {
    const mark = { label: 'nuisance' as const, at: passed + DAY, company: null, category: null };
    for (const now of [passed + 2 * DAY, passed + 400 * DAY]) {
      expect(gateCheck(passed, mark, now, 30, dates)).toMatchObject({
        kind: 'no-second-chance',
        reason: {
          code: 'check-no-second-chance',
          text: 'passed the check on 3 Nov 2026, then marked nuisance by you on 4 Nov 2026: no second chance',
        },
      });
    }
  });

  it('a nuisance mark older than the pass, or a trusted mark, does not take the pass away', () => {
    const before = { label: 'nuisance' as const, at: passed - DAY, company: null, category: null };
    expect(gateCheck(passed, before, passed + DAY, 30, dates).kind).toBe('remembered');
    const trusted = { label: 'trusted' as const, at: passed + DAY, company: null, category: null };
    expect(gateCheck(passed, trusted, passed + 2 * DAY, 30, dates).kind).toBe('remembered');
  });
});
