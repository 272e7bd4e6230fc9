/**
 * crocetta started in process for the end-to-end tests under test/e2e, against a real drachtio-server those tests
 * start themselves: the environment overrides an operator would set (register in the test's folder, drachtio's
 * admin port and secret, the PBX, the panel on a free port with an API token), a fast reconnect, logs either
 * discarded or parsed into an array the test reads, and the folder removed afterwards unless E2E_KEEP is set.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startCrocetta, type Crocetta } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import type { Attempt } from '../../src/store/register/types.js';
import { eventually } from './crocetta-harness.js';

export interface E2eCrocettaOptions {
  /** The test's temporary folder: the register is written there. */
  dir: string;
  /** drachtio-server's admin (control) port and its secret. */
  adminPort: number;
  secret: string;
  /** The panel's API token. */
  token: string;
  /** PBX_URI, when the test has a PBX by address. */
  pbxUri?: string;
  /** The address of drachtio-server's admin port and of the panel (127.0.0.1 unless said). */
  host?: string;
  /** More environment overrides (trunk, media, policies by environment…), applied after the ones above. */
  env?: Record<string, string>;
  /** Changes to the loaded config that no environment variable reaches. */
  configure?: (config: Config) => void;
  /** When given, every log line is parsed into it (at `level`); otherwise the logs are discarded. */
  logs?: Array<Record<string, unknown>>;
  level?: 'info' | 'debug';
  /** Wait until crocetta is connected to drachtio-server (default true). */
  waitConnected?: boolean;
}

export async function startE2eCrocetta(o: E2eCrocettaOptions): Promise<Crocetta> {
  const host = o.host ?? '127.0.0.1';
  const config = loadConfig({
    env: {
      CROCETTA_DB: join(o.dir, 'register.sqlite'),
      DRACHTIO_HOST: host,
      DRACHTIO_PORT: String(o.adminPort),
      DRACHTIO_SECRET: o.secret,
      ...(o.pbxUri === undefined ? {} : { PBX_URI: o.pbxUri }),
      PANEL_HOST: host,
      PANEL_PORT: '0',
      CROCETTA_API_TOKEN: o.token,
      ...o.env,
    },
  });
  config.drachtio.reconnectMaxDelayMs = 300;
  o.configure?.(config);
  const logs = o.logs;
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (logs)
        for (const line of chunk.toString('utf8').split('\n'))
          if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const app = await startCrocetta(config, { logger: createLogger(o.level ?? 'info', sink), defaultMetrics: false });
  if (o.waitConnected !== false) await eventually(() => (app.sip.connected ? true : undefined), 10_000);
  return app;
}

/** Removes an end-to-end test's folder, or keeps it and says where when E2E_KEEP is set (to read the logs). */
export function removeE2eDir(dir: string): void {
  if (!dir) return;
  if (process.env.E2E_KEEP === undefined) rmSync(dir, { recursive: true, force: true });
  else process.stderr.write(`e2e: files kept in ${dir}\n`);
}

/**
 * A real-software test's end (its afterAll): crocetta stopped (a failed stop ignored: the rest must stop all the same),
 * then the SIP software the test started, in the order given (Kamailio before drachtio-server, which carries its
 * traffic), crocetta's parsed log lines written to crocetta.log when the test kept them, and the folder removed
 * (removeE2eDir: E2E_KEEP keeps it, with those logs, drachtio's and sipp's).
 */
export async function stopE2e(run: {
  dir: string;
  app: Crocetta | undefined;
  software: ReadonlyArray<{ stop(): Promise<void> } | undefined>;
  logs?: ReadonlyArray<Record<string, unknown>>;
}): Promise<void> {
  await run.app?.stop().catch(() => undefined);
  for (const s of run.software) await s?.stop();
  if (run.dir && run.logs)
    writeFileSync(join(run.dir, 'crocetta.log'), run.logs.map((l) => JSON.stringify(l)).join('\n'));
  removeE2eDir(run.dir);
}

/** The register's rows for `number` through the panel's API, after the register's pending rows are written. */
export async function attemptsOf(app: Crocetta | undefined, token: string, number: string): Promise<Attempt[]> {
  if (!app) throw new Error('crocetta did not start');
  await app.register.flush();
  const res = await fetch(`http://127.0.0.1:${app.httpPort}/api/attempts?number=${encodeURIComponent(number)}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return ((await res.json()) as { attempts: Attempt[] }).attempts;
}

/** Marks `number` as the office would from the panel (`label`: nuisance, trusted…), through the API; its status. */
export async function markNumber(app: Crocetta, token: string, number: string, label: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${app.httpPort}/api/numbers/${encodeURIComponent(number)}/mark`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ label }),
  });
  return res.status;
}
