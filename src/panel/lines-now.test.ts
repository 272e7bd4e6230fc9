import { describe, expect, it } from 'vitest';
import { actionPolicy } from '../config/derive.js';
import { loadConfig } from '../config/loader.js';
import { configSchema } from '../config/schema.js';
import { createClassifier } from '../screening/classify.js';
import { DEFAULT_LEARNING_RULES } from '../screening/learning.js';
import { formatAction } from '../screening/policy.js';
import { at, evidence, rawCaller, rules } from '../screening/test-fixtures.js';
import type { LiveSettings } from '../settings/live-settings.js';
import { linesNow } from './lines-now.js';

describe("a number page's lines for a sender that only texts (otp50)", () => {
  it("a bank's codes that their pace alone makes suspect: the line refusing suspects says tag, as the next text gets", () => {
    const config = loadConfig({ env: {} });
    config.policies = configSchema.shape.policies.parse([
      { name: 'sales line', dids: ['02 5555 0100'], verdicts: ['suspect'], action: 'reject' },
    ]);
    const live = {
      current: { policies: config.policies },
      policy: actionPolicy(config),
      classify: createClassifier(rules({ learning: DEFAULT_LEARNING_RULES })),
    } as unknown as LiveSettings;
    // Tuesday 10 Nov 2026, 03:30 in Rome: five codes within five seconds.
    const now = at('2026-11-10T02:30:04Z');
    const seen = [0, 1, 2, 3].map((s) => now - (4 - s) * 1000);
    const ev = evidence({ attempts: seen, calls: seen.map((t) => ({ at: t, did: '+390255550100' })) });
    const bank = rawCaller('IntesaSP', ['not-a-number', 'alphanumeric']);
    const out = linesNow(live, bank, ev, now, 'IT', undefined, true);
    const sales = out?.lines.find((l) => l.name === 'sales line');
    expect(sales?.verdict).toBe('suspect');
    expect(formatAction(sales!.choice.action)).toBe('tag');
  });
});
