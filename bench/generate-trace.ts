/**
 * bench/generate-trace.ts: a realistic call trace for `npm run bench:accuracy`, reproducible from a seed.
 *
 *   node --import tsx bench/generate-trace.ts [--model v1|market] --seed 1 --calls 50000 --out /tmp/trace-1.csv
 *
 * Two models, and a seed means a different trace in each:
 * - `v1` (the default for now): bench/office-trace.ts as it was when the README's accuracy figures were taken, its
 *   calls two hours early included (BENCH_DAY_ZERO), so those figures replay exactly; `npm run demo` replays it too.
 *   `--right-hours` starts its day 0 at Rome's true midnight instead (08:05–18:50 until the end of summer time, then
 *   an hour earlier: v1 counts days as 24 h), to see what the early hours did to its figures.
 * - `market`: bench/market-trace.ts, the Italian market of issue 14 (foreign outsourced centres with a fresh number
 *   per call, SIM boxes, DID sweeps, callers abroad, every caller-ID shape carriers send), at the right hours.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateMarketTrace } from './market-trace.js';
import { generateOfficeTrace, readFtcNumbers, traceCsv } from './office-trace.js';
import { textArgOr } from './args.js';

const HERE = dirname(fileURLToPath(import.meta.url));

const MODEL = textArgOr('model', 'v1');
if (MODEL !== 'v1' && MODEL !== 'market') {
  console.error(`--model: expected v1 or market, got ${JSON.stringify(MODEL)}`);
  process.exit(2);
}
const SEED = Number(textArgOr('seed', '1'));
const CALLS = Number(textArgOr('calls', '50000'));
const DAYS = Number(textArgOr('days', '120'));
const OUT = textArgOr('out', join(HERE, `trace-${MODEL === 'v1' ? '' : `${MODEL}-`}${SEED}.csv`));
const FTC = textArgOr('ftc', join(HERE, '..', 'test', 'fixtures', 'data', 'ftc-dnc-complaints-2021-07-08.csv'));

const options = { seed: SEED, calls: CALLS, days: DAYS, ftcNumbers: readFtcNumbers(FTC) };
const rightHours = process.argv.includes('--right-hours');
const { rows, centres } =
  MODEL === 'market'
    ? generateMarketTrace(options)
    : generateOfficeTrace(rightHours ? { ...options, dayZero: Date.parse('2026-09-07T00:00:00+02:00') } : options);
writeFileSync(OUT, traceCsv(rows));
const nuisance = rows.filter((r) => r.truth === 'nuisance').length;
console.log(
  `trace: ${rows.length} calls (${nuisance} nuisance from ${centres} centres, ${rows.length - nuisance} legitimate) model=${MODEL}${rightHours && MODEL === 'v1' ? ' (right hours)' : ''} seed=${SEED} → ${OUT}`,
);
