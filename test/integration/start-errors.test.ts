/**
 * The service started as an operator starts it (a child process of `src/main.ts`), on a machine where the panel's
 * port is already taken: it stops at once with one message that names the port and the variable that chose it,
 * exits non-zero, and prints no stack trace (a known situation, not a bug).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../support/cli-process.js';

let dir: string;
let held: Server;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crocetta-start-'));
  held = createServer();
  await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
  port = (held.address() as { port: number }).port;
});

afterAll(() => {
  held.close();
  rmSync(dir, { recursive: true, force: true });
});

it('names PANEL_PORT and the port when another program holds it, exits 1, without a stack trace', async () => {
  const run = await runCli(
    [],
    {
      PANEL_HOST: '127.0.0.1',
      PANEL_PORT: String(port),
      CROCETTA_DB: join(dir, 'register.sqlite'),
      DRACHTIO_PORT: '9', // never reached: the start stops at the panel's port, before SIP connects
      LOG_LEVEL: 'warn',
    },
    { entry: 'src/main.ts', timeoutMs: 120_000 },
  );
  expect(run.code).toBe(1);
  expect(run.stderr).toContain(
    `crocetta: the panel cannot listen on 127.0.0.1:${port}: port ${port} is already in use by another program (EADDRINUSE).`,
  );
  expect(run.stderr).toContain(`The port comes from PANEL_PORT=${port}.`);
  expect(run.stderr).not.toMatch(/^\s+at /m); // no stack frames
  expect(run.stderr.trim().split('\n')).toHaveLength(2);
}, 150_000);
