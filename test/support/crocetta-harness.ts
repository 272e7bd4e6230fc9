/**
 * Starts the real crocetta app (config loaded as in production, real SQLite file, real HTTP port) against the
 * drachtio wire-protocol double. Integration tests drive it with raw SIP and the JSON API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startCrocetta, type Crocetta } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger, type Logger } from '../../src/log.js';
import type { Config } from '../../src/config/schema.js';
import type { Attempt } from '../../src/store/register/types.js';
import type { LookupAll } from '../../src/sip/line-names.js';
import {
  buildInvite,
  DrachtioDouble,
  type AppRequestHandler,
  type DrachtioDoubleOptions,
  type InjectedRequest,
  type SourceAddress,
} from './drachtio-double.js';
import { ManualClock } from './manual-clock.js';

export { ManualClock };

export const SECRET = 'test-secret';
export const TOKEN = 'test-token-0123456789';
export const PBX = 'sip:127.0.0.1:5080';
/** Where the PBX's own requests come from (its calls out through crocetta): PBX's address. */
export const PBX_SOURCE = { address: '127.0.0.1', port: 5080 };

export interface Harness {
  double: DrachtioDouble;
  app: Crocetta;
  clock: ManualClock;
  dir: string;
  /** Every log line the app wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  /** The logger the app was started with (the current one after restartApp). */
  readonly logger: Logger;
  api(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; json: unknown }>;
  url(path: string): string;
  /** Stops the double and starts a new one on the same port (drachtio-server restart). */
  restartDouble(): Promise<void>;
  /** Stops crocetta and starts it again on the same register file, configuration and clock. */
  restartApp(): Promise<void>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  /** The double sends call detail records (drachtio.conf.xml `<cdrs>true</cdrs>`). */
  cdrs?: boolean;
  /** More options for the double (its SIP addresses, timer F, its proxy timers). */
  double?: Omit<DrachtioDoubleOptions, 'secret' | 'port' | 'cdrs'>;
  /** Scripts the far end of requests the app sends, from before the app connects (REGISTER at start). */
  onAppRequest?: AppRequestHandler;
  /** Changes settings that have no environment variable, after loading. */
  configure?: (config: Config) => void;
  /** Resolves the trunk lines' registrar and proxy names instead of the system's resolver (src/sip/line-names.ts). */
  lookupAll?: LookupAll;
}

/** A stream for pino's lines and the parsed lines it received, in order. */
export function jsonLogSink(): { logs: Array<Record<string, unknown>>; sink: Writable } {
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      cb();
    },
  });
  return { logs, sink };
}

/** The lines logged at error level or above (pino's 50, error, and 60, fatal): most tests want none. */
export function errorLines(logs: ReadonlyArray<Record<string, unknown>>): Array<Record<string, unknown>> {
  return logs.filter((l) => Number(l.level) >= 50);
}

export async function startHarness(env: Record<string, string> = {}, options: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'crocetta-it-'));
  const cdrs = options.cdrs ?? false;
  const doubleOptions = { secret: SECRET, cdrs, ...options.double };
  let double = await DrachtioDouble.start(doubleOptions);
  double.onAppRequest(options.onAppRequest);
  const config = loadConfig({
    env: {
      CROCETTA_DB: join(dir, 'register.sqlite'),
      DRACHTIO_HOST: '127.0.0.1',
      DRACHTIO_PORT: String(double.port),
      DRACHTIO_SECRET: SECRET,
      PBX_URI: PBX,
      PANEL_HOST: '127.0.0.1',
      PANEL_PORT: '0',
      CROCETTA_API_TOKEN: TOKEN,
      LOG_LEVEL: 'debug',
      ...env,
    },
  });
  config.drachtio.reconnectMaxDelayMs = 200;
  options.configure?.(config);
  const { logs, sink } = jsonLogSink();
  const clock = new ManualClock();
  let logger = createLogger('debug', sink);
  const start = () => {
    logger = createLogger('debug', sink);
    return startCrocetta(config, {
      logger,
      clock,
      defaultMetrics: false,
      ...(options.lookupAll && { lookupAll: options.lookupAll }),
    });
  };
  // MESSAGE is routed only when it is screened (sip-app.ts).
  const routes = config.messages.screen ? ['invite', 'message'] : ['invite'];
  let app = await start();
  await double.waitForRoutes(routes, 5000);

  const url = (path: string) => `http://127.0.0.1:${app.httpPort}${path}`;
  return {
    get double() {
      return double;
    },
    get app() {
      return app;
    },
    get logger() {
      return logger;
    },
    clock,
    dir,
    logs,
    url,
    async api(method, path, body, token = TOKEN) {
      const headers: Record<string, string> = {};
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(url(path), {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let json: unknown = text;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON (e.g. /metrics)
      }
      return { status: res.status, json };
    },
    async restartDouble() {
      const port = double.port;
      await double.stop();
      double = await DrachtioDouble.start({ ...doubleOptions, port });
      double.onAppRequest(options.onAppRequest);
    },
    async restartApp() {
      await app.stop();
      await double.waitForNoConnections(5000);
      app = await start();
      await double.waitForRoutes(routes, 5000);
    },
    async stop() {
      await app.stop();
      await double.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The register's attempts from `number` (latest first, at most 20), as the API lists them once pending writes are committed. */
export async function attemptsOf(h: Harness, number: string): Promise<Attempt[]> {
  await h.app.register.flush();
  const res = await h.api('GET', `/api/attempts?number=${encodeURIComponent(number)}&limit=20`);
  if (res.status !== 200) throw new Error(`GET /api/attempts answered ${res.status}: ${JSON.stringify(res.json)}`);
  return (res.json as { attempts: Attempt[] }).attempts;
}

/** The latest attempt from `number`, as the API lists it once pending writes are committed. */
export async function latestAttempt(h: Harness, number: string): Promise<Attempt | undefined> {
  return (await attemptsOf(h, number))[0];
}

/** Waits (at most `timeoutMs`) until the latest attempt from `number` satisfies `pred` (an outcome written later). */
export function attemptWhen(
  h: Harness,
  number: string,
  pred: (a: Attempt) => boolean,
  timeoutMs = 8000,
): Promise<Attempt> {
  return eventually(async () => {
    const a = await latestAttempt(h, number);
    return a && pred(a) ? a : undefined;
  }, timeoutMs);
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 3000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The PBX calls out through crocetta: its INVITE to `dialled` (0298765409 by default) from `from` (extension 201,
 * "Reception", by default) with `extraHeaders`, arriving from `source` (PBX_SOURCE by default; a PBX that registers
 * to crocetta calls from its own address).
 */
export function pbxCallsOut(
  h: Harness,
  {
    from = '"Reception" <sip:201@127.0.0.1>',
    dialled = '0298765409',
    extraHeaders = {},
    source = PBX_SOURCE,
  }: PbxCallOptions = {},
): InjectedRequest {
  return h.double.injectRequest(
    buildInvite({ from, to: dialled, requestUri: `sip:${dialled}@127.0.0.1`, source, extraHeaders }),
    { source },
  );
}

export interface PbxCallOptions {
  from?: string;
  dialled?: string;
  extraHeaders?: Record<string, string>;
  source?: SourceAddress;
}
