import { spawn } from 'node:child_process';
import { describe, expect, it, onTestFinished } from 'vitest';

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
