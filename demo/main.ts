/**
 * `npm run demo`: crocetta on its defaults with a fresh register, against the drachtio double, replaying an office's
 * last weeks of calls in about 45 seconds; prints the panel's address and login, then keeps serving until Ctrl-C.
 *
 *   npm run demo [-- --seconds 45 --weeks 2 --seed 1]      PANEL_PORT / PANEL_HOST choose where the panel listens
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startDemo, type Demo } from './demo.js';
import type { DayTally, Tally } from './replay.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIR = resolve(ROOT, 'data/demo');

function usage(message: string): never {
  process.stderr.write(`demo: ${message}\nusage: npm run demo [-- --seconds N] [--weeks N] [--seed N]\n`);
  process.exit(64);
}

function whole(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) usage(`--${name}: expected a whole number from ${min} to ${max}`);
  return n;
}

const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};
const pct = (a: number, b: number): string => (b === 0 ? '–' : `${Math.round((100 * a) / b)}%`);
const dayName = (ms: number, timeZone: string): string =>
  new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short' }).format(ms);

function dayLine(d: DayTally, timeZone: string): string {
  const marks =
    d.marks.nuisance + d.marks.trusted > 0
      ? `; the office marked ${d.marks.nuisance} nuisance, ${d.marks.trusted} trusted`
      : '';
  return `  ${dayName(d.dayOf, timeZone).padEnd(11)} ${String(d.calls).padStart(3)} calls: ${String(d.stopped).padStart(2)} stopped, ${String(d.tagged).padStart(2)} tagged, ${d.forwarded - d.tagged} straight to the office${marks}`;
}

function summary(t: Tally, seconds: number, days: number): string[] {
  return [
    `Replayed ${t.calls} calls over ${days} days in ${seconds.toFixed(0)} s.`,
    `  call centres' calls stopped: ${t.nuisance.stopped} of ${t.nuisance.calls} (${pct(t.nuisance.stopped, t.nuisance.calls)}), learned from the office's ${t.marks.nuisance} marks and the callers' behaviour`,
    `  customers' and suppliers' calls stopped: ${t.legit.stopped} of ${t.legit.calls}; tagged as suspect: ${t.tagged} calls`,
    ...(t.unanswered > 0 ? [`  ${t.unanswered} calls got no answer in time (see the log)`] : []),
  ];
}

async function main(): Promise<void> {
  const { values } = (() => {
    try {
      return parseArgs({
        options: { seconds: { type: 'string' }, weeks: { type: 'string' }, seed: { type: 'string' } },
        strict: true,
      });
    } catch (err) {
      return usage((err as Error).message);
    }
  })();
  const seconds = whole(values.seconds, 'seconds', 45, 0, 3600);
  const weeks = whole(values.weeks, 'weeks', 2, 0, 8);
  const seed = whole(values.seed, 'seed', 1, 0, 2 ** 31);
  const panelPort = whole(process.env.PANEL_PORT, 'PANEL_PORT', 3000, 0, 65535);
  const panelHost = process.env.PANEL_HOST ?? '127.0.0.1';
  const logFile = resolve(DIR, 'crocetta.log');

  let demo: Demo;
  try {
    mkdirSync(DIR, { recursive: true });
    const log = createWriteStream(logFile, { flags: 'w' });
    demo = await startDemo({ dir: DIR, panelHost, panelPort, log, seed, weeks });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE') usage(`port ${panelPort} is in use: try PANEL_PORT=3001 npm run demo`);
    throw err;
  }
  const { trace, timeZone } = demo;
  out(
    `crocetta demo: an office in Milan, ${trace.days} days of calls (${trace.rows.length} calls, ${trace.centres} call centres among the callers),`,
  );
  out(`replayed through the real SIP pipeline against the drachtio test double in about ${seconds} s.`);
  out();
  out(`  panel     ${demo.url}`);
  out(`  login     admin password: ${demo.password}`);
  out(`  JSON API  curl -H 'Authorization: Bearer ${demo.token}' ${demo.url}/api/attempts`);
  out(
    `  files     ${relative(process.cwd(), DIR)}/register.sqlite (the register), ${relative(process.cwd(), logFile)} (crocetta's log)`,
  );
  out();
  out('Open the panel now and watch the register fill (reload the page). Each day as it is replayed:');

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    out('\nstopping…');
    demo.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const started = Date.now();
  const tally = await demo.replay({ seconds, onDay: (d) => out(dayLine(d, timeZone)) });
  out();
  for (const line of summary(tally, (Date.now() - started) / 1000, trace.days)) out(line);
  out();
  out(`The panel keeps running with this register: ${demo.url} (admin password: ${demo.password}). Ctrl-C to stop.`);
}

main().catch((err: unknown) => {
  process.stderr.write(`demo: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
