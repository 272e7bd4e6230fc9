/**
 * A wrong DRACHTIO_SECRET: drachtio-srf retries several times a second, and crocetta says so once, naming the
 * setting to check, instead of an error line (with a stack) per retry.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startCrocetta, type Crocetta } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { DrachtioDouble } from '../support/drachtio-double.js';
import { eventually, jsonLogSink, ManualClock, TOKEN } from '../support/crocetta-harness.js';

let dir: string | undefined;
let double: DrachtioDouble | undefined;
let app: Crocetta | undefined;

afterEach(async () => {
  await app?.stop();
  await double?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

it('logs a refused secret once, naming DRACHTIO_SECRET, however often drachtio-srf retries', async () => {
  dir = mkdtempSync(join(tmpdir(), 'crocetta-refused-'));
  const server = await DrachtioDouble.start({ secret: 'the-right-one' });
  double = server;
  const config = loadConfig({
    env: {
      CROCETTA_DB: join(dir, 'register.sqlite'),
      DRACHTIO_HOST: '127.0.0.1',
      DRACHTIO_PORT: String(server.port),
      DRACHTIO_SECRET: 'a-wrong-one',
      PBX_URI: 'sip:127.0.0.1:5080',
      PANEL_HOST: '127.0.0.1',
      PANEL_PORT: '0',
      CROCETTA_API_TOKEN: TOKEN,
      LOG_LEVEL: 'debug',
    },
  });
  config.drachtio.reconnectMaxDelayMs = 100;
  const { logs, sink } = jsonLogSink();
  app = await startCrocetta(config, {
    logger: createLogger('debug', sink),
    clock: new ManualClock(),
    defaultMetrics: false,
  });

  await eventually(() => (server.authAttempts.length >= 4 ? true : undefined), 10_000);
  expect(server.authAttempts.every((a) => !a.ok && a.secret === 'a-wrong-one')).toBe(true);
  const refusals = logs.filter((l) => String(l.msg).startsWith('drachtio-server refused the connection'));
  const errors = refusals.filter((l) => l.level === 'error' || l.level === 50);
  expect(errors).toHaveLength(1);
  expect(String(errors[0]?.msg)).toContain('DRACHTIO_SECRET');
  expect(errors[0]).not.toHaveProperty('err.stack');
  // The retries are still there for whoever reads debug lines.
  expect(refusals.length).toBeGreaterThanOrEqual(3);
  // What the 15-s warning reads: the refusal, so that it points at the secret rather than at the address.
  expect({ connected: app.sip.connected, refused: app.sip.refused }).toEqual({ connected: false, refused: true });
});
