/**
 * One day of US FTC Do Not Call complaints (14,034 rows of real, dirty input): every Company_Phone_Number is
 * either normalized to E.164 or flagged, never thrown on.
 */
import { describe, expect, it } from 'vitest';
import { readCsvColumn } from '../../test/fixtures/callerid-csv.js';
import { fixtureDataFile } from '../../test/support/fixture-data.js';
import { normalizeNumber } from './index.js';

const FILE = fixtureDataFile('ftc-dnc-complaints-2021-07-08.csv');

describe('FTC Do Not Call complaints, 2021-07-08', () => {
  it('parses every number to E.164 or flags it', async ({ annotate }) => {
    const numbers = readCsvColumn(FILE, 'Company_Phone_Number');
    const counts = new Map<string, number>();
    let e164 = 0;
    let valid = 0;
    let blank = 0;
    const started = performance.now();
    for (const raw of numbers) {
      if (raw.trim() === '') blank++;
      const n = normalizeNumber(raw, 'US');
      if (n.e164 !== null) {
        e164++;
        if (n.valid) valid++;
        expect(n.e164).toMatch(/^\+[1-9]\d{1,14}$/);
      } else {
        expect(n.flags.length).toBeGreaterThan(0);
      }
      for (const f of n.flags) counts.set(f, (counts.get(f) ?? 0) + 1);
    }
    const ms = performance.now() - started;
    const nonBlank = numbers.length - blank;
    const summary =
      `rows=${numbers.length} blank=${blank} e164=${e164} valid=${valid} ` +
      `flags=${JSON.stringify(Object.fromEntries(counts))} time=${ms.toFixed(0)}ms`;
    await annotate(summary);

    expect(numbers.length).toBe(14_034);
    expect(blank).toBeGreaterThan(600);
    expect(e164 / nonBlank).toBeGreaterThan(0.97);
    expect(valid / nonBlank).toBeGreaterThan(0.9);
    // Blank cells are flagged, not invented.
    expect(counts.get('unparsable') ?? 0).toBeGreaterThanOrEqual(blank);
  });
});
