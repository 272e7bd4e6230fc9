import { spawn } from 'node:child_process';
import { describe, expect, it, onTestFinished } from 'vitest';
import { LOG_GATHER_MS } from './log.js';

/** Runs test/support/log-child.ts with stdout on a pipe; resolves with what it wrote and its exit code. */
function runChild(rounds: number): Promise<{ code: number | null; lines: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/log-child.ts', String(rounds)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (out += chunk));
  return new Promise((resolve) => {
    child.on('close', (code) => resolve({ code, lines: out.split('\n').filter((l) => l !== '') }));
  });
}

describe('the service logger (asynchronous stdout)', () => {
  it('loses no line on a clean stop: every decision line, whole and in order, before the process exits', async () => {
    const { code, lines } = await runChild(50);
    expect(code).toBe(0);
    expect(lines).toHaveLength(10_000);
    const seq = lines.map((l) => (JSON.parse(l) as { i: number; msg: string }).i);
    expect(seq).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ app: 'crocetta', msg: 'decision', level: 30 });
  }, 30_000);

  it('writes what it gathered when the process exits without flushLog', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/log-writes-child.ts', '5', 'exit'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    expect(await new Promise<number | null>((resolve) => child.on('close', resolve))).toBe(0);
    const lines = out.split('\n').filter((l) => l !== '');
    expect(lines.map((l) => (JSON.parse(l) as { i: number }).i)).toEqual([0, 1, 2, 3, 4]);
  }, 30_000);

  it('gathers lines logged apart into one write to stdout per LOG_GATHER_MS (no thread-pool trip per line)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/log-writes-child.ts', '50'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    child.stderr.on('data', (chunk: string) => (err += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const lines = out.split('\n').filter((l) => l !== '');
    expect(lines.map((l) => (JSON.parse(l) as { i: number }).i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    // 50 lines 2 ms apart (≥ 100 ms): one write per LOG_GATHER_MS at most, and the stop's; line by line it was 50.
    const [, writes, ms] = (/writes (\d+) ms ([\d.]+)/.exec(err) ?? []).map(Number) as [number, number, number];
    expect(writes).toBeGreaterThan(0);
    expect(writes).toBeLessThanOrEqual(Math.floor(ms / LOG_GATHER_MS) + 2);
    expect(writes).toBeLessThan(50);
  }, 30_000);

  it('exits on a clean stop while stdout is stalled (its reader never reads), giving up what stdout did not take', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/log-child.ts', '100', 'stalled'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    child.stdout.pause(); // nothing reads the pipe until the child has exited
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    child.stdout.destroy();
  }, 30_000);
});
