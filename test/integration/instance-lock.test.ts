/**
 * One service per register file, as an operator runs them (child processes of `src/main.ts`): a second service on
 * the same register stops at once with one line naming the file and the process that holds it, and exits 1; the
 * command line still reads the register meanwhile; after the first is killed with SIGKILL (no chance to clean up),
 * the next start goes through: the lock is the kernel's, dropped with the process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, spawnService, type ServiceProcess } from '../support/cli-process.js';

let dir: string;
let env: Record<string, string>;
const running: ServiceProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'crocetta-lock-'));
  env = {
    CROCETTA_DB: join(dir, 'register.sqlite'),
    PANEL_HOST: '127.0.0.1',
    PANEL_PORT: '0',
    DRACHTIO_HOST: '127.0.0.1',
    DRACHTIO_PORT: '9', // never answers: the service keeps retrying, which is all it needs to do here
    LOG_LEVEL: 'info',
  };
});

afterAll(async () => {
  for (const s of running) {
    s.child.kill('SIGKILL');
    await s.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

it('refuses a second service on the same register with one line and exit 1, lets the CLI read, and starts after a SIGKILL', async () => {
  const first = await spawnService(env);
  running.push(first);
  await first.waitFor(/panel listening/, 120_000);

  const second = await runCli([], env, { entry: 'src/main.ts', timeoutMs: 120_000 });
  expect(second.code).toBe(1);
  expect(second.stderr.trim()).toMatch(
    new RegExp(
      `^crocetta: another crocetta already uses the register ${env.CROCETTA_DB} \\(process ${first.child.pid} on [^,]+, started [0-9T:.-]+Z\\): stop it first, or give this one a register of its own \\(CROCETTA_DB / store.file\\); two services on one register would mix up its attempts journal$`,
    ),
  );

  // The command line reads (and writes through SQLite's own locks) while the service runs.
  const mark = await runCli(['mark', '+390298765432', 'nuisance'], env);
  expect(mark.code, mark.stderr).toBe(0);
  const exported = await runCli(['export', '--only', 'mark'], env);
  expect(exported.code, exported.stderr).toBe(0);
  expect(exported.stdout).toContain('+390298765432');

  first.child.kill('SIGKILL');
  expect(await first.exited).toBe('SIGKILL');

  const next = await spawnService(env);
  running.push(next);
  await next.waitFor(/panel listening/, 120_000);
  expect(next.output()).not.toContain('another crocetta');
  next.child.kill('SIGKILL');
  await next.exited;
}, 300_000);
