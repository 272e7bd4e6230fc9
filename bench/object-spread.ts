/**
 * bench/object-spread.ts: what making the decision line's object costs, by object spread and by Object.assign, on
 * this Node (src/sip/no-object-spread.test.ts keeps spreads off the call's path because of it).
 *
 *   npx tsx bench/object-spread.ts [--n 200000] [--rounds 3]
 *
 * Each round makes n objects each way from a fresh call's bindings (4 fields) and a fresh decision's fields (8), as
 * handle-request.ts does, and prints µs an object. It prints figures, never asserts.
 */
import { numberArg } from './args.js';

const n = numberArg('n', 200_000);
const rounds = numberArg('rounds', 3);

const bindings = (i: number): Record<string, unknown> => ({
  callId: `c-${i}@203.0.113.10`,
  kind: 'call',
  caller: '+390298765432',
  called: '+390612345678',
});
const fields = (i: number): Record<string, unknown> => ({
  verdict: 'nuisance',
  score: 0.9,
  reasons: ['marked as nuisance by the office (2 Dec)'],
  action: 'reject',
  sent: 'reject 607',
  withheld: false,
  failOpen: false,
  ms: (i % 10) / 10,
});

const ways: Record<string, (b: Record<string, unknown>, f: Record<string, unknown>) => Record<string, unknown>> = {
  'object spread { ...b, ...f }': (b, f) => ({ ...b, ...f }),
  'Object.assign({}, b, f)': (b, f) => Object.assign({}, b, f),
};

console.log(`bench/object-spread: node ${process.version}, ${n} objects a way a round`);
let keep = 0;
for (let r = 1; r <= rounds; r++) {
  for (const [name, make] of Object.entries(ways)) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) keep += Object.keys(make(bindings(i), fields(i))).length;
    const us = Number(process.hrtime.bigint() - t0) / 1000 / n;
    console.log(`  round ${r}  ${name.padEnd(30)} ${us.toFixed(3)} µs an object`);
  }
}
if (keep !== rounds * 2 * n * 12) console.log(`  (unexpected key count ${keep})`);
