/**
 * bench/prefixes-*.yaml: the overlays the README names (How callers are classified) and whose accuracy table is in
 * docs/measurements.md ("From the README's How callers are classified section") load against the config schema
 * (strict: a misspelt key is an error) and say what the README says they do.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { actionPolicy, screeningRules } from '../../src/config/derive.js';

const BENCH = join(import.meta.dirname, '..', '..', 'bench');
const load = (name: string) => loadConfig({ env: { CROCETTA_CONFIG: join(BENCH, name) } });

describe('the prefix-tree overlays of the market replay', () => {
  it('all load', () => {
    const names = readdirSync(BENCH).filter((n) => /^prefixes-.*\.yaml$/.test(n));
    expect(names.sort()).toEqual(['prefixes-check-suspects.yaml', 'prefixes-check.yaml', 'prefixes-on.yaml']);
    for (const n of names) expect(screeningRules(load(n)).trapDids).toEqual(['+390255550105']);
  });

  it('add the range-repeat check and the single-neighbour hint, then the check for suspects', () => {
    const on = load('prefixes-on.yaml');
    const check = load('prefixes-check.yaml');
    const suspects = load('prefixes-check-suspects.yaml');
    expect(on.screening.learning.prefixes).toMatchObject({ enabled: true, hintWeight: 0 });
    expect(check.screening.learning.prefixes).toMatchObject({ enabled: true, hintWeight: 0.5 });
    expect(suspects.screening.learning.prefixes).toMatchObject({ enabled: true, hintWeight: 0.5 });
    expect(actionPolicy(on).suspect.kind).toBe('tag');
    expect(actionPolicy(check).suspect.kind).toBe('tag');
    expect(actionPolicy(suspects).suspect.kind).toBe('check');
    expect(check.actions.rangeRepeat).toBe('check');
    expect(suspects.actions.rangeRepeat).toBe('check');
  });
});
