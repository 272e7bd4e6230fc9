/**
 * bench/soak: crocetta under a long, steady, mixed load through a real drachtio-server, driven by sipp; does its
 * memory or its open handles grow?
 *
 * Traffic (sipp callers → drachtio-server → crocetta → drachtio's proxy → a sipp PBX), per second at --rate 150:
 *   normal       95  answered by the PBX, 10 s of talk, the caller hangs up (BYE through the Record-Route)
 *   cancel       20  the PBX rings, the caller CANCELs after 1 s (drachtio tells crocetta only in a CDR)
 *   refused      15  the PBX rings, then refuses: 603 Decline
 *   announced    13  a number marked nuisance: crocetta plays the recorded message (183 + RTP), then 607
 *   pbx-timeout   6  the PBX never answers: drachtio-server answers 408 itself after 32 s (Timer B)
 *   ring-forever  1  the PBX rings until drachtio-server gives up: 408 after 185 s (Timer C), CANCEL to the PBX
 * Callers come from small pools of numbers (a few thousand per kind), so crocetta's in-memory index holds every
 * caller within the first minute; what still grows is one 8-byte time per attempt in the per-caller history
 * (at most 256 per caller). The default pools (11,200 callers, each ringing every ~75 s) fill those histories for
 * hours; --callers N makes the pools N callers in all, each kind's in proportion to its share of the rate, so every
 * caller rings every N / rate seconds and every history reaches its caps within 256 × N / rate seconds (plus the
 * draw's spread: sipp picks a caller at random per call): --callers 450 at 150 calls/s, a call from each caller
 * every 3 s, the caps on average at 768 s. --names-per-caller K lists each number K times, each with its own
 * display name in From: the identity cache (keyed by the From without its tag) then sees N × K callers' values
 * while the index sees N numbers, so a small pool still crosses the cache's bound (2 × 10,000 entries).
 * The behaviour and block rules and the repeat rule are off, so the mix stays the one
 * above (they would turn a few thousand callers who ring every minute into nuisance within minutes; the
 * classifier's own cost is bench:decide's subject).
 *
 * Measured in the process under test (a child of this one), every --sample-seconds after a forced GC: RSS, V8 heap
 * used, external memory, open handles and requests (process.getActiveResourcesInfo(), by type), the requests
 * drachtio-srf waits on drachtio-server for (each call being proxied holds one), forwards in progress. Reported:
 * the first sample after --warmup-seconds, the last one under load, one after the load stopped and the calls in
 * flight drained, and the trend under load (least-squares slope of RSS and heap over the samples, MB per hour, R²),
 * over all of it and over its last --tail-minutes (a third of the load unless given: after the caps, with --callers).
 *
 * Baseline in the same run (--baseline-minutes, 0 to skip): a bare drachtio-srf app that proxies every call to the
 * same PBX with Record-Route, through the same drachtio-server, under the same traffic.
 *
 *   npm run bench:soak -- [--minutes 30] [--rate 150] [--baseline-minutes 5] [--sample-seconds 10]
 *                         [--warmup-seconds 240] [--tail-minutes M] [--callers N] [--names-per-caller K] [--ports 30000]
 *
 * The warm-up (4 min) outlasts the slowest calls (ring-forever, 185 s), so the calls in flight are at their steady
 * number when the trend starts; the baseline's trend starts after the same warm-up when it lasts long enough, else
 * from its first sample.
 *
 * Needs drachtio-server (`drachtio` on PATH, or DRACHTIO_BIN) and sipp (`sipp` on PATH, or SIPP_BIN); says so and
 * exits 2 when either is missing. Ports: --ports N uses N..N+999 (drachtio admin N+22, SIP N+60, PBX N+80 (media
 * N+300), callers N+101.. (media N+150..), RTP N+400..N+999, the panel N+30).
 */
import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { textArgOr } from './args.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SCENARIOS = join(HERE, 'soak');
const SECRET = 'soak-secret';

// ---------------------------------------------------------------------------------------------------------------
// Options and tools

function num(name: string, fallback: number): number {
  const v = Number(textArgOr(name, String(fallback)));
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name}: expected a number, got ${textArgOr(name, '')}`);
  return v;
}

interface Options {
  minutes: number;
  rate: number;
  baselineMinutes: number;
  sampleSeconds: number;
  warmupSeconds: number;
  /** Minutes of load at the end fitted on their own (0: a third of the load). */
  tailMinutes: number;
  /** Callers in all, shared among the kinds by their share of the rate (0: the kinds' own pools). */
  callers: number;
  /** Display names per caller number (1: none, the From as before). */
  namesPerCaller: number;
  base: number;
}

/** An executable: from the environment variable, else the PATH; null when not found. */
function findTool(name: string, envVar: string): string | null {
  const fromEnv = process.env[envVar];
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The traffic

export interface CallerKind {
  name: string;
  /** Share of --rate. */
  share: number;
  scenario: 'caller.xml' | 'canceller.xml';
  /** The DID called; its last three digits tell the sipp PBX what to do (bench/soak/pbx.xml). */
  did: string;
  /** First number of its pool (+39 347 ...) and the pool's size. */
  pool: { first: number; size: number };
  /** Numbers of this pool are marked nuisance before the load (crocetta announces them). */
  nuisance?: boolean;
  /** More sipp arguments. */
  sipp?: string[];
}

export const KINDS: CallerKind[] = [
  {
    name: 'normal',
    share: 95 / 150,
    scenario: 'caller.xml',
    did: '0612345001',
    pool: { first: 3471000000, size: 5000 },
  },
  {
    name: 'cancel',
    share: 20 / 150,
    scenario: 'canceller.xml',
    did: '0612345002',
    pool: { first: 3472000000, size: 2000 },
  },
  {
    name: 'refused',
    share: 15 / 150,
    scenario: 'caller.xml',
    did: '0612345003',
    pool: { first: 3473000000, size: 2000 },
  },
  {
    name: 'announced',
    share: 13 / 150,
    scenario: 'caller.xml',
    did: '0612345001',
    pool: { first: 3476000000, size: 1000 },
    nuisance: true,
  },
  {
    name: 'pbx-timeout',
    share: 6 / 150,
    scenario: 'caller.xml',
    did: '0612345004',
    pool: { first: 3474000000, size: 1000 },
  },
  // drachtio-server's Timer C answers 408 twice (ProxyCore::timerC, then forwardBestResponse), then passes on the
  // PBX's 487: sipp must not abort the call on the copies.
  {
    name: 'ring-forever',
    share: 1 / 150,
    scenario: 'caller.xml',
    did: '0612345002',
    pool: { first: 3475000000, size: 200 },
    sipp: ['-default_behaviors', 'all,-abortunexp'],
  },
];

/** The kind's pool size: its own, or its share of `callers` (at least one) when that is given. */
export function poolSize(kind: CallerKind, callers: number): number {
  return callers > 0 ? Math.max(1, Math.round(callers * kind.share)) : kind.pool.size;
}

function poolNumbers(kind: CallerKind, callers: number): string[] {
  return Array.from({ length: poolSize(kind, callers) }, (_, i) => `+39${kind.pool.first + i}`);
}

/**
 * sipp's injection file for a kind: each number `names` times (field0 the number, field1 what goes before the From's
 * `<`: nothing, or a display name of its own when `names` > 1), picked at random per call.
 */
export function injectionFile(numbers: readonly string[], names: number): string {
  const lines: string[] = [];
  for (const n of numbers) {
    if (names <= 1) lines.push(`${n};;`);
    else for (let k = 0; k < names; k++) lines.push(`${n};"Soak ${k}" ;`);
  }
  return `RANDOM\n${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// Samples (taken in the process under test)

export interface Sample {
  /** Seconds since the load started. */
  t: number;
  rssMb: number;
  heapUsedMb: number;
  externalMb: number;
  /** process.getActiveResourcesInfo(), by type. */
  resources: Record<string, number>;
  /** Requests drachtio-srf waits on drachtio-server for; null when unknown. */
  srfPending: number | null;
  /** Forwards crocetta follows (its reaper); null for the bare app. */
  forwards: number | null;
}

type ToChild = { type: 'sample'; t: number } | { type: 'stop' };
type FromChild =
  { type: 'ready' } | { type: 'sample'; sample: Sample } | { type: 'stopped'; outcomes: Record<string, number> | null };

interface SubjectSettings {
  kind: 'crocetta' | 'bare';
  adminPort: number;
  pbxUri: string;
  panelPort: number;
  rtpPorts: string;
  dir: string;
  nuisance: string[];
}

function mb(bytes: number): number {
  return Math.round((bytes / 1048576) * 10) / 10;
}

function resourcesByType(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) out[type] = (out[type] ?? 0) + 1;
  return out;
}

async function runSubject(settings: SubjectSettings): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const { pendingRequestCount } = await import('../src/sip/srf-internals.js');
  let stop: () => Promise<Record<string, number> | null>;
  let srfOf: () => Parameters<typeof pendingRequestCount>[0];
  let forwardsGauge: {
    get(): Promise<{ values: Array<{ value: number }> }> | { values: Array<{ value: number }> };
  } | null = null;
  const forwards = async (): Promise<number | null> =>
    forwardsGauge === null ? null : ((await forwardsGauge.get()).values[0]?.value ?? null);

  if (settings.kind === 'crocetta') {
    const { startCrocetta } = await import('../src/app.js');
    const { loadConfig } = await import('../src/config/index.js');
    const { createLogger } = await import('../src/log.js');
    const config = loadConfig({
      env: {
        CROCETTA_DB: join(settings.dir, 'register.sqlite'),
        DRACHTIO_HOST: '127.0.0.1',
        DRACHTIO_PORT: String(settings.adminPort),
        DRACHTIO_SECRET: SECRET,
        PBX_URI: settings.pbxUri,
        PANEL_HOST: '127.0.0.1',
        PANEL_PORT: String(settings.panelPort),
        CROCETTA_API_TOKEN: 'soak-token-0123456789',
        ACTION_NUISANCE: 'announce-early',
        MEDIA_ADDRESS: '127.0.0.1',
        RTP_PORTS: settings.rtpPorts,
        LOG_LEVEL: 'info',
      },
    });
    // The mix must stay the one asked for (see the header): no learning, no repeat rule.
    const learning = config.screening.learning;
    for (const rule of [
      learning.behaviour.burst,
      learning.behaviour.sweep,
      learning.behaviour.shortCalls,
      learning.behaviour.offHours,
    ])
      rule.enabled = false;
    learning.blocks.enabled = false;
    learning.blocks.office.enabled = false;
    config.screening.repeat.enabled = false;
    config.announcements.language = 'it';
    const app = await startCrocetta(config, { logger: createLogger('info') });
    const at = Date.now();
    for (const key of settings.nuisance) {
      await app.register.mark(key, { label: 'nuisance', company: 'Soak Energia', category: 'energy', at, by: 'soak' });
    }
    await waitFor(() => app.sip.connected, 20_000, 'crocetta to connect to drachtio-server');
    srfOf = () => app.sip.srf;
    forwardsGauge = app.metrics.registry.getSingleMetric('crocetta_forwards_in_progress') ?? null;
    stop = async () => {
      await app.register.flush();
      const outcomes = await outcomeCounts(join(settings.dir, 'register.sqlite'));
      await app.stop();
      return outcomes;
    };
  } else {
    const { default: Srf } = await import('drachtio-srf');
    const srf = new Srf();
    let connected = false;
    srf.on('connect', () => (connected = true));
    srf.on('error', () => undefined);
    srf.invite((req, _res) => {
      const user = /^sips?:([^@;]+)@/.exec(req.uri)?.[1] ?? '';
      const proxy = (req as unknown as { proxy(o: object): Promise<unknown> }).proxy({
        destination: settings.pbxUri.replace(/^sip:/, `sip:${user}@`),
        remainInDialog: true,
      });
      proxy.catch(() => undefined);
    });
    void (srf.connect as (o: object) => unknown)({ host: '127.0.0.1', port: settings.adminPort, secret: SECRET });
    await waitFor(() => connected, 20_000, 'the bare app to connect to drachtio-server');
    srfOf = () => srf;
    stop = () => {
      srf.disconnect();
      return Promise.resolve(null);
    };
  }

  const send = (m: FromChild): void => {
    process.send?.(m);
  };
  process.on('message', (m: ToChild) => {
    if (m.type === 'sample') {
      gc?.();
      const mem = process.memoryUsage();
      const resources = resourcesByType();
      void forwards().then((inProgress) =>
        send({
          type: 'sample',
          sample: {
            t: m.t,
            rssMb: mb(mem.rss),
            heapUsedMb: mb(mem.heapUsed),
            externalMb: mb(mem.external),
            resources,
            srfPending: pendingRequestCount(srfOf()),
            forwards: inProgress,
          },
        }),
      );
    } else {
      void stop().then((outcomes) => {
        send({ type: 'stopped', outcomes });
        process.exit(0);
      });
    }
  });
  send({ type: 'ready' });
}

async function outcomeCounts(file: string): Promise<Record<string, number>> {
  const { default: sqlite3 } = await import('sqlite3');
  const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY);
  const rows = await new Promise<Array<{ outcome: string; n: number }>>((res, rej) =>
    db.all(
      'SELECT outcome, count(*) AS n FROM attempts GROUP BY outcome ORDER BY n DESC',
      (err, r: Array<{ outcome: string; n: number }>) => (err ? rej(err) : res(r)),
    ),
  );
  db.close();
  return Object.fromEntries(rows.map((r) => [r.outcome, r.n]));
}

async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`soak: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The run (parent)

function waitForPort(port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  return new Promise((resolveWait, reject) => {
    const attempt = (): void => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolveWait();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > until) reject(new Error(`soak: nothing listens on 127.0.0.1:${port}`));
        else setTimeout(attempt, 200);
      });
    };
    attempt();
  });
}

function drachtioConf(dir: string, o: Options): string {
  const file = join(dir, 'drachtio.conf.xml');
  writeFileSync(
    file,
    `<drachtio>
    <admin port="${o.base + 22}" secret="${SECRET}">127.0.0.1</admin>
    <cdrs>true</cdrs>
    <sip>
        <contacts>
            <contact>sip:127.0.0.1:${o.base + 60};transport=udp</contact>
        </contacts>
    </sip>
    <logging>
        <file><name>${join(dir, 'drachtio.log')}</name><archive>${join(dir, 'archive')}</archive><size>100</size><maxFiles>2</maxFiles></file>
        <sofia-loglevel>1</sofia-loglevel>
        <loglevel>warning</loglevel>
    </logging>
</drachtio>
`,
  );
  return file;
}

interface SippRun {
  name: string;
  proc: ChildProcess;
  statFile: string;
  exited: Promise<number | null>;
}

function startSipp(sipp: string, dir: string, name: string, args: string[]): SippRun {
  const statFile = join(dir, `sipp-${name}.csv`);
  const log = openSync(join(dir, `sipp-${name}.log`), 'w');
  const proc = spawn(
    sipp,
    [
      ...args,
      '-nostdin',
      '-trace_stat',
      '-stf',
      statFile,
      '-fd',
      '5',
      '-trace_err',
      '-error_file',
      join(dir, `sipp-${name}-errors.log`),
    ],
    {
      stdio: ['ignore', log, log],
      cwd: dir,
    },
  );
  closeSync(log);
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { name, proc, statFile, exited };
}

/** The last line of sipp's statistics file, as name → value. */
function sippStats(run: SippRun): Record<string, string> {
  if (!existsSync(run.statFile)) return {};
  const lines = readFileSync(run.statFile, 'utf8').trim().split('\n');
  const header = (lines[0] ?? '').split(';');
  const last = (lines.at(-1) ?? '').split(';');
  return Object.fromEntries(header.map((h, i) => [h, last[i] ?? '']));
}

interface Fit {
  slopePerHour: number;
  r2: number;
}

/** Least-squares line through (t seconds, value): slope per hour and R². */
export function linearFit(points: Array<[number, number]>): Fit {
  const n = points.length;
  if (n < 3) return { slopePerHour: 0, r2: 0 };
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slopePerHour: slope * 3600, r2: syy === 0 || sxx === 0 ? 0 : (sxy * sxy) / (sxx * syy) };
}

interface SubjectResult {
  kind: 'crocetta' | 'bare';
  minutes: number;
  samples: Sample[];
  afterDrain: Sample | null;
  outcomes: Record<string, number> | null;
  sipp: Array<{ name: string; rate: number; stats: Record<string, string> }>;
}

async function runLoad(
  kind: 'crocetta' | 'bare',
  minutes: number,
  o: Options,
  tools: { sipp: string },
  dir: string,
): Promise<SubjectResult> {
  const sub = join(dir, kind);
  rmSync(sub, { recursive: true, force: true });
  mkdirSync(sub, { recursive: true });
  const log = openSync(join(sub, 'app.log'), 'w');
  const settings: SubjectSettings = {
    kind,
    adminPort: o.base + 22,
    pbxUri: `sip:127.0.0.1:${o.base + 80}`,
    panelPort: o.base + 30,
    rtpPorts: `${o.base + 400}-${o.base + 999}`,
    dir: sub,
    nuisance: KINDS.filter((k) => k.nuisance).flatMap((k) => poolNumbers(k, o.callers)),
  };
  const child = fork(fileURLToPath(import.meta.url), ['--role', 'subject', '--settings', JSON.stringify(settings)], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    stdio: ['ignore', log, log, 'ipc'],
  });
  closeSync(log);
  const messages: FromChild[] = [];
  let notify: () => void = () => undefined;
  child.on('message', (m: FromChild) => {
    messages.push(m);
    notify();
  });
  const next = async <T extends FromChild['type']>(type: T, ms: number): Promise<Extract<FromChild, { type: T }>> => {
    const until = Date.now() + ms;
    for (;;) {
      const i = messages.findIndex((m) => m.type === type);
      if (i >= 0) return messages.splice(i, 1)[0] as Extract<FromChild, { type: T }>;
      if (Date.now() > until || child.exitCode !== null)
        throw new Error(`soak: the ${kind} process did not answer (${type}); see ${join(sub, 'app.log')}`);
      await new Promise<void>((r) => {
        notify = r;
        setTimeout(r, 200);
      });
    }
  };
  const sample = async (t: number): Promise<Sample> => {
    child.send({ type: 'sample', t } satisfies ToChild);
    return (await next('sample', 30_000)).sample;
  };

  const sipps: SippRun[] = [];
  try {
    await next('ready', 60_000);
    const pbx = startSipp(tools.sipp, sub, 'pbx', [
      '-sf',
      join(SCENARIOS, 'pbx.xml'),
      '-i',
      '127.0.0.1',
      '-p',
      String(o.base + 80),
      '-mp',
      String(o.base + 300),
      '-l',
      '10000',
    ]);
    sipps.push(pbx);
    await new Promise((r) => setTimeout(r, 500));
    const callers = KINDS.map((k, i) => {
      const csv = join(sub, `callers-${k.name}.csv`);
      writeFileSync(csv, injectionFile(poolNumbers(k, o.callers), o.namesPerCaller));
      const rate = Math.round(o.rate * k.share * 100) / 100;
      const run = startSipp(tools.sipp, sub, k.name, [
        `127.0.0.1:${o.base + 60}`,
        '-sf',
        join(SCENARIOS, k.scenario),
        '-inf',
        csv,
        '-s',
        k.did,
        '-i',
        '127.0.0.1',
        '-p',
        String(o.base + 101 + i),
        '-mp',
        String(o.base + 150 + 20 * i),
        '-r',
        String(rate),
        '-rp',
        '1000',
        '-l',
        '5000',
        ...(k.sipp ?? []),
      ]);
      sipps.push(run);
      return { run, rate };
    });

    const samples: Sample[] = [];
    const loadStart = Date.now();
    for (let t = 0; t <= minutes * 60; t += o.sampleSeconds) {
      const wait = loadStart + t * 1000 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const s = await sample(Math.round((Date.now() - loadStart) / 1000));
      samples.push(s);
      if (process.env.SOAK_VERBOSE) console.log(JSON.stringify(s));
      for (const r of sipps)
        if (r.proc.exitCode !== null)
          throw new Error(`soak: sipp ${r.name} stopped (exit ${r.proc.exitCode}); see ${sub}`);
    }
    // Stop placing calls; calls in flight finish (sipp's soft exit), up to 45 s: the 32-s timeouts drain, the
    // ring-forever ones (185 s) are still in flight when the after-drain sample is taken.
    for (const c of callers) c.run.proc.kill('SIGUSR1');
    await Promise.race([Promise.all(callers.map((c) => c.run.exited)), new Promise((r) => setTimeout(r, 45_000))]);
    const afterDrain = await sample(Math.round((Date.now() - loadStart) / 1000));
    for (const r of sipps) if (r.proc.exitCode === null) r.proc.kill('SIGKILL');
    await Promise.all(sipps.map((r) => r.exited));
    child.send({ type: 'stop' } satisfies ToChild);
    const stopped = await next('stopped', 60_000);
    return {
      kind,
      minutes,
      samples,
      afterDrain,
      outcomes: stopped.outcomes,
      sipp: callers.map((c) => ({ name: c.run.name, rate: c.rate, stats: sippStats(c.run) })),
    };
  } finally {
    for (const r of sipps) if (r.proc.exitCode === null && r.proc.signalCode === null) r.proc.kill('SIGKILL');
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

function resourcesText(r: Record<string, number>): string {
  const total = Object.values(r).reduce((s, n) => s + n, 0);
  return `${total} (${Object.entries(r)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')})`;
}

function signed(v: number): string {
  return `${v >= 0 ? '+' : ''}${v.toFixed(1)}`;
}

function report(r: SubjectResult, o: Options): void {
  const afterWarmup = r.samples.filter((s) => s.t >= o.warmupSeconds);
  const loaded = afterWarmup.length >= 3 ? afterWarmup : r.samples.slice(1);
  const first = loaded[0] ?? r.samples[0];
  const last = r.samples.at(-1);
  if (!first || !last) return;
  const row = (label: string, s: Sample): string =>
    `  ${label.padEnd(22)} t=${String(s.t).padStart(5)} s  rss ${s.rssMb.toFixed(1).padStart(6)} MB  heap ${s.heapUsedMb.toFixed(1).padStart(6)} MB` +
    `  external ${s.externalMb.toFixed(1).padStart(5)} MB  srf pending ${String(s.srfPending ?? '?').padStart(5)}` +
    `${s.forwards === null ? '' : `  forwards ${String(s.forwards).padStart(5)}`}  handles ${resourcesText(s.resources)}`;
  console.log(
    `\n${r.kind === 'crocetta' ? 'crocetta' : 'baseline: bare drachtio-srf proxy'} — ${r.minutes} min at ${o.rate} calls/s`,
  );
  console.log(row(afterWarmup.length >= 3 ? 'start (after warm-up)' : 'start', first));
  console.log(row('end of load', last));
  if (r.afterDrain) console.log(row('after drain (45 s)', r.afterDrain));
  const trend = (label: string, points: Sample[]): void => {
    const rss = linearFit(points.map((s) => [s.t, s.rssMb]));
    const heap = linearFit(points.map((s) => [s.t, s.heapUsedMb]));
    console.log(
      `  ${label}: rss ${signed(rss.slopePerHour)} MB/h (R² ${rss.r2.toFixed(2)}), heap ${signed(heap.slopePerHour)} MB/h (R² ${heap.r2.toFixed(2)}), over ${points.length} samples from t=${points[0]?.t ?? '?'} s`,
    );
  };
  trend('trend under load', loaded);
  // The last part of the load on its own: flat there while the whole is not says the growth stopped.
  const tailSeconds = (o.tailMinutes > 0 ? o.tailMinutes : r.minutes / 3) * 60;
  const tail = loaded.filter((s) => s.t >= last.t - tailSeconds);
  if (tail.length >= 3 && tail.length < loaded.length) {
    const at = tail[0] as Sample;
    console.log(row(`start of last ${Math.round(tailSeconds / 60)} min`, at));
    trend(`trend over the last ${Math.round(tailSeconds / 60)} min`, tail);
  }
  for (const c of r.sipp) {
    const s = c.stats;
    console.log(
      `  sipp ${c.name.padEnd(13)} ${String(c.rate).padStart(6)}/s  calls ${s['TotalCallCreated'] ?? '?'}  ok ${s['SuccessfulCall(C)'] ?? '?'}  failed ${s['FailedCall(C)'] ?? '?'}  retransmissions ${s['Retransmissions(C)'] ?? '?'}`,
    );
  }
  if (r.outcomes)
    console.log(
      `  register outcomes: ${Object.entries(r.outcomes)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
}

async function main(): Promise<void> {
  if (textArgOr('role', '') === 'subject') {
    await runSubject(JSON.parse(textArgOr('settings', '{}')) as SubjectSettings);
    return;
  }
  const o: Options = {
    minutes: num('minutes', 30),
    rate: num('rate', 150),
    baselineMinutes: num('baseline-minutes', 5),
    sampleSeconds: num('sample-seconds', 10),
    warmupSeconds: num('warmup-seconds', 240),
    tailMinutes: num('tail-minutes', 0),
    callers: Math.floor(num('callers', 0)),
    namesPerCaller: Math.max(1, Math.floor(num('names-per-caller', 1))),
    base: num('ports', 30000),
  };
  const drachtio = findTool('drachtio', 'DRACHTIO_BIN');
  const sipp = findTool('sipp', 'SIPP_BIN');
  if (!drachtio || !sipp) {
    if (!drachtio)
      console.log('soak: drachtio-server not found: put `drachtio` on PATH or set DRACHTIO_BIN. Nothing measured.');
    if (!sipp) console.log('soak: sipp not found: install sip-tester (Debian) or set SIPP_BIN. Nothing measured.');
    process.exitCode = 2;
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'crocetta-soak-'));
  console.log(
    `soak: ${o.minutes} min at ${o.rate} calls/s (baseline ${o.baselineMinutes} min), samples every ${o.sampleSeconds} s; drachtio ${drachtio}; files in ${dir}`,
  );
  console.log(
    `soak: callers ${KINDS.map((k) => {
      const size = poolSize(k, o.callers);
      const every = size / (o.rate * k.share);
      return `${k.name} ${size} (each every ${every.toFixed(1)} s, 256 calls at ~${Math.round(256 * every)} s)`;
    }).join(', ')}; ${o.namesPerCaller} display name(s) per number`,
  );
  console.log(`soak: machine load before: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  const server = spawn(drachtio, ['-f', drachtioConf(dir, o)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DRACHTIO_'))),
  });
  try {
    await waitForPort(o.base + 22, 15_000);
    const results: SubjectResult[] = [];
    results.push(await runLoad('crocetta', o.minutes, o, { sipp }, dir));
    report(results[0] as SubjectResult, o);
    if (o.baselineMinutes > 0) {
      const bare = await runLoad('bare', o.baselineMinutes, o, { sipp }, dir);
      report(bare, o);
    }
    console.log(`\nsoak: machine load after: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    if (server.exitCode === null) server.kill('SIGKILL');
    if (!process.env.SOAK_KEEP) rmSync(dir, { recursive: true, force: true });
  }
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
