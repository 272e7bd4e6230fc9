/**
 * crocetta without any SIP gear: the real app on its default configuration and a fresh register, connected to
 * the project's drachtio wire-protocol double instead of a drachtio-server, and an office's recent weeks of calls
 * (bench/office-trace.ts) ready to replay through it. `demo/main.ts` runs it for a person; the integration test
 * runs the same thing on a short trace.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateOfficeTrace, readFtcNumbers, type TraceRow } from '../bench/office-trace.js';
import { startCrocetta, type Crocetta } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/log.js';
import { dayStart, localDay, weekStart } from '../src/store/reports/local-days.js';
import { DrachtioDouble } from '../test/support/drachtio-double.js';
import { answeringPbx } from './office.js';
import { ReplayClock } from './replay-clock.js';
import { replayTrace, type MarkRequest, type ReplayOptions, type Tally } from './replay.js';

export const FTC_FILE = fileURLToPath(
  new URL('../test/fixtures/data/ftc-dnc-complaints-2021-07-08.csv', import.meta.url),
);

export interface DemoOptions {
  /** A folder of the demo's own: its register and log are replaced at each start. */
  dir: string;
  panelHost: string;
  /** 0: any free port. */
  panelPort: number;
  /** Where crocetta's JSON log lines go. */
  log: NodeJS.WritableStream;
  /** @defaultValue 1 */
  seed?: number;
  /** Full weeks replayed before the current one, which is replayed up to now. @defaultValue 2 */
  weeks?: number;
  /** Calls a day, weekends included (the office gets most on working days). @defaultValue 32 */
  callsPerDay?: number;
  /** The demo's "now": the trace ends here. @defaultValue Date.now() */
  now?: number;
}

export interface Demo {
  app: Crocetta;
  double: DrachtioDouble;
  clock: ReplayClock;
  /** The panel's address. */
  url: string;
  /** The generated admin password (the panel's login) and API token. */
  password: string;
  token: string;
  /** The office's time zone (the configuration's). */
  timeZone: string;
  /** The calls to replay, in time order, and the days they span. */
  trace: { rows: TraceRow[]; from: number; until: number; days: number; centres: number };
  replay(options: Pick<ReplayOptions, 'seconds' | 'onDay'>): Promise<Tally>;
  stop(): Promise<void>;
}

const secret = (bytes: number) => randomBytes(bytes).toString('base64url');

export async function startDemo(o: DemoOptions): Promise<Demo> {
  mkdirSync(o.dir, { recursive: true });
  const db = join(o.dir, 'register.sqlite');
  for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });

  const password = secret(9);
  const token = secret(18);
  const drachtioSecret = secret(12);
  const double = await DrachtioDouble.start({ secret: drachtioSecret, cdrs: true });
  double.onProxy(answeringPbx);

  // The embedded defaults (config/default.yaml), not the caller's environment: the demo behaves the same for everyone.
  const config = loadConfig({
    env: {
      CROCETTA_DB: db,
      DRACHTIO_HOST: '127.0.0.1',
      DRACHTIO_PORT: String(double.port),
      DRACHTIO_SECRET: drachtioSecret,
      PBX_URI: 'sip:192.0.2.20:5060', // the office PBX (TEST-NET-1): the double answers for it
      PANEL_HOST: o.panelHost,
      PANEL_PORT: String(o.panelPort),
      CROCETTA_API_TOKEN: token,
      ADMIN_PASSWORD: password,
      LOG_LEVEL: 'info',
    },
  });
  const timeZone = config.timeZone;

  // Two full weeks before this one, and this week up to now; day 0 of the trace model is a Monday.
  const now = o.now ?? Date.now();
  const today = localDay(now, timeZone);
  const monday = weekStart(today) - 7 * (o.weeks ?? 2);
  const days = today - monday + 1;
  const from = dayStart(monday, timeZone);
  const { rows, centres } = generateOfficeTrace({
    seed: o.seed ?? 1,
    calls: days * (o.callsPerDay ?? 32),
    days,
    dayZero: from,
    ftcNumbers: readFtcNumbers(FTC_FILE),
    // A call drawn on a weekend goes to any working day of the next week, not all to Monday (3× the other days).
    weekendCalls: 'spread',
  });
  const trace = { rows: rows.filter((r) => r.time <= now), from, until: now, days, centres };

  const clock = new ReplayClock(from);
  let app: Crocetta;
  try {
    app = await startCrocetta(config, { logger: createLogger('info', o.log), clock });
  } catch (err) {
    await double.stop();
    throw err;
  }
  await double.waitForRoutes(['invite'], 10_000);
  const url = `http://${o.panelHost === '0.0.0.0' ? '127.0.0.1' : o.panelHost}:${app.httpPort}`;

  const mark = async (number: string, body: MarkRequest): Promise<void> => {
    const res = await fetch(`${url}/api/numbers/${encodeURIComponent(number)}/mark`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`marking ${number} failed: ${res.status} ${await res.text()}`);
  };

  return {
    app,
    double,
    clock,
    url,
    password,
    token,
    timeZone,
    trace,
    async replay(options) {
      try {
        return await replayTrace(
          { double, clock, mark },
          { ...options, rows: trace.rows, until: trace.until, timeZone },
        );
      } finally {
        clock.live();
        await app.register.flush();
      }
    },
    async stop() {
      await app.stop();
      await double.stop();
    },
  };
}
