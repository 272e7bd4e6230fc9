/**
 * bench/generate-trace.ts: a realistic call trace for `npm run bench:accuracy`, reproducible from a seed.
 *
 *   node --import tsx bench/generate-trace.ts --seed 1 --calls 50000 --out /tmp/trace-1.csv
 *
 * The model (who calls, how often, what the office does) is bench/office-trace.ts, which `npm run demo` replays too.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateOfficeTrace, readFtcNumbers, traceCsv } from './office-trace.js';

const HERE = dirname(fileURLToPath(import.meta.url));

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const SEED = Number(arg('seed', '1'));
const CALLS = Number(arg('calls', '50000'));
const OUT = arg('out', join(HERE, `trace-${SEED}.csv`));
const FTC = arg('ftc', join(HERE, '..', 'test', 'fixtures', 'data', 'ftc-dnc-complaints-2021-07-08.csv'));

const { rows, centres } = generateOfficeTrace({ seed: SEED, calls: CALLS, ftcNumbers: readFtcNumbers(FTC) });
writeFileSync(OUT, traceCsv(rows));
const nuisance = rows.filter((r) => r.truth === 'nuisance').length;
console.log(`trace: ${rows.length} calls (${nuisance} nuisance from ${centres} centres, ${rows.length - nuisance} legitimate) seed=${SEED} → ${OUT}`);
