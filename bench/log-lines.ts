/**
 * bench/log-lines.ts: what one log line costs the service's main thread at a steady call rate, through the logger
 * the service uses (src/log.ts: pino on asynchronous stdout), with a decision line's fields.
 *
 *   npx tsx bench/log-lines.ts [--rate 100] [--seconds 5] [--rounds 2]
 *
 * A child process logs to a file in a temporary directory (as the service's stdout to a file or a pipe) one decision
 * line per tick of a paced loop (setTimeout to each due time, as calls arrive), and in alternating rounds runs the
 * same loop without logging: the difference, divided by the lines, is the line's cost. Main-thread CPU is read from
 * /proc/thread-self/schedstat, the process's (every thread: libuv's pool writing the lines) from process.cpuUsage.
 * To compare two trees, run it in each worktree under the CPU lock, alternating. It prints figures, never asserts.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberArg } from './args.js';

const FIELDS = {
  callId: '7f3a1c2e-5b9d-4e0a-9c1f-2d8e6b4a0f11@203.0.113.10',
  kind: 'call',
  caller: '+390298765432',
  called: '+390612345678',
  verdict: 'nuisance',
  score: 0.9,
  reasons: ['marked as nuisance by the office (2 Dec)', 'called 3 times today'],
  action: 'reject',
  sent: 'reject 607',
  withheld: false,
  failOpen: false,
  ms: 0.3,
};

interface Round {
  logged: boolean;
  mainUs: number;
  processUs: number;
  ticks: number;
}

async function child(): Promise<void> {
  const { createLogger, flushLog } = await import('../src/log.js');
  const logger = createLogger('info');
  const rate = numberArg('rate', 100);
  const ticks = Math.round(rate * numberArg('seconds', 5));
  const rounds = numberArg('rounds', 2);
  const mainThread = (): number => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1000;
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  for (let i = 0; i < 500; i++) logger.info(FIELDS, 'decision'); // warm-up
  await flushLog(logger);
  await sleep(200);
  const results: Round[] = [];
  for (let r = 0; r < rounds * 2; r++) {
    const logged = r % 2 === 1;
    const m0 = mainThread();
    const c0 = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < ticks; i++) {
      const wait = start + (i * 1000) / rate - performance.now();
      if (wait > 0) await sleep(wait);
      if (logged) logger.info(FIELDS, 'decision');
    }
    await flushLog(logger);
    await sleep(100);
    const c = process.cpuUsage(c0);
    results.push({ logged, mainUs: mainThread() - m0, processUs: c.user + c.system, ticks });
  }
  process.send?.(results);
  await flushLog(logger);
  process.exit(0);
}

async function parent(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'crocetta-log-lines-'));
  const file = join(dir, 'stdout.log');
  const load0 = loadavg();
  const proc = fork(fileURLToPath(import.meta.url), [...process.argv.slice(2), '--child'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', openSync(file, 'w'), 'inherit', 'ipc'],
  });
  const results = await new Promise<Round[]>((resolve, reject) => {
    proc.once('message', (m) => resolve(m as Round[]));
    proc.once('exit', (code) => reject(new Error(`child exited (${code}) before reporting`)));
  });
  const bytes = statSync(file).size;
  rmSync(dir, { recursive: true, force: true });
  const fmt = (n: number): string => n.toFixed(1);
  console.log(
    `bench/log-lines: ${numberArg('rate', 100)} lines/s paced, ${numberArg('seconds', 5)} s a round; load ${load0.map((l) => l.toFixed(2)).join(' ')}`,
  );
  for (let i = 0; i + 1 < results.length; i += 2) {
    const [bare, logged] = [results[i] as Round, results[i + 1] as Round];
    console.log(
      `  pair ${i / 2 + 1}: main thread ${fmt((logged.mainUs - bare.mainUs) / logged.ticks)} µs a line ` +
        `(loop alone ${fmt(bare.mainUs / bare.ticks)} µs a tick), process ${fmt((logged.processUs - bare.processUs) / logged.ticks)} µs a line`,
    );
  }
  console.log(
    `  ${bytes} bytes written; load at the end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

await (process.argv.includes('--child') ? child() : parent());
