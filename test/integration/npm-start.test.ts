/**
 * `npm start` as an operator runs it, and stops it by signalling npm's own process (a supervisor or a script that
 * knows only the pid it started; a terminal's Ctrl-C signals the whole group and hides the fault). npm hands
 * SIGTERM on to the script's process: the start script must end in the service itself (`exec node …`), not in a
 * shell that waits for it, or the shell dies and crocetta goes on running, holding its ports and its register.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'crocetta-npm-start-'));
let group: number | undefined;

/** Whether any process of the group started by the test is still alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

afterAll(() => {
  if (group !== undefined && groupAlive(group)) process.kill(-group, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

it('stops crocetta, register flushed, when npm alone gets SIGTERM', async () => {
  const npm = spawn('npm', ['start'], {
    cwd: ROOT,
    detached: true, // a group of its own: the test can tell whether anything of it outlives npm
    env: {
      ...process.env,
      CROCETTA_DB: join(dir, 'register.sqlite'),
      PANEL_HOST: '127.0.0.1',
      PANEL_PORT: '0',
      DRACHTIO_HOST: '127.0.0.1',
      DRACHTIO_PORT: '9', // never answers: the service keeps retrying, which is all it needs to do here
      LOG_LEVEL: 'info',
    },
  });
  const pid = npm.pid as number;
  group = pid;
  let text = '';
  const seen: Array<() => void> = [];
  const collect = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const check of seen) check();
  };
  npm.stdout.on('data', collect);
  npm.stderr.on('data', collect);
  const exited = new Promise<number | NodeJS.Signals>((done) =>
    npm.once('exit', (code, signal) => done(code ?? signal ?? 1)),
  );
  const waitFor = (pattern: RegExp, ms: number) =>
    new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no ${String(pattern)} within ${ms} ms:\n${text}`)), ms);
      const check = () => {
        if (!pattern.test(text)) return;
        clearTimeout(timer);
        done();
      };
      seen.push(check);
      check();
    });

  // The start script builds the TypeScript first (~10 s of CPU from a clean clone).
  await waitFor(/panel listening/, 240_000);
  process.kill(pid, 'SIGTERM');
  await waitFor(/"msg":"stopped"/, 30_000);
  await exited;
  // Nothing of the group is left: no crocetta holding the panel's port and the register after npm is gone.
  const deadline = Date.now() + 10_000;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(groupAlive(pid), text).toBe(false);
  expect(text).toContain('"signal":"SIGTERM"');
}, 300_000);
