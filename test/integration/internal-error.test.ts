/**
 * An internal error nothing caught, in the service started as an operator starts it (a child process of
 * `src/main.ts`): an exception thrown from an event's handler, or a promise rejected with nobody waiting. The service
 * stops at once with exit status 70 (EX_SOFTWARE, for its supervisor to restart it), after one fatal JSON line in the
 * log carrying the error and its stack, and one line on stderr. The failure is made by a preload
 * (test/support/fail-on-signal.cjs) on SIGUSR2, once the service has started: no hook in the service itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawnService, type ServiceProcess } from '../support/cli-process.js';

const PRELOAD = resolve(import.meta.dirname, '../support/fail-on-signal.cjs');

let dir: string;
const running: ServiceProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'crocetta-internal-error-'));
});

afterAll(async () => {
  for (const s of running) {
    s.child.kill('SIGKILL');
    await s.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

it.each([
  ['exception', 'an exception nobody caught (test)', 'uncaughtException'],
  ['rejection', 'a promise nobody waited for failed (test)', 'unhandledRejection'],
])(
  'an uncaught %s: one fatal log line with its stack, one stderr line, exit 70',
  async (kind, message, origin) => {
    const service = await spawnService({
      CROCETTA_DB: join(dir, `${kind}.sqlite`),
      PANEL_HOST: '127.0.0.1',
      PANEL_PORT: '0',
      DRACHTIO_HOST: '127.0.0.1',
      DRACHTIO_PORT: '9', // never answers: the service keeps retrying, as it does while drachtio-server is down
      LOG_LEVEL: 'info',
      CROCETTA_TEST_FAILURE: kind,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require "${PRELOAD}"`.trim(),
    });
    running.push(service);
    await service.waitFor(/panel listening/, 120_000);
    service.child.kill('SIGUSR2');
    expect(await service.exited).toBe(70);

    const lines = service.output().split('\n');
    const fatal = lines
      .filter((l) => l.startsWith('{'))
      .map(
        (l) =>
          JSON.parse(l) as { level: number; msg: string; origin?: string; err?: { message: string; stack: string } },
      )
      .filter((l) => l.level === 60);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]?.msg).toBe(`crocetta stopped on an internal error: ${message}`);
    expect(fatal[0]?.origin).toBe(origin);
    expect(fatal[0]?.err?.message).toBe(message);
    expect(fatal[0]?.err?.stack).toContain('fail-on-signal.cjs');
    expect(lines).toContain(`crocetta: stopped on an internal error (${origin}): ${message} (the log has its stack)`);
  },
  150_000,
);
