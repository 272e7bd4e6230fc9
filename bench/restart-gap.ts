/**
 * bench/restart-gap.ts: what callers get while crocetta is killed and restarted, with a real drachtio-server.
 *
 *   npm run bench:restart-gap -- [--runs 3] [--rate 10] [--before 3] [--after 5] [--restart-delay-ms 100]
 *                                [--marks 0] [--front] [--ports 32000] [--keep]
 *
 * The single office's setup, on loopback: a carrier (this process: a small UDP SIP caller on 127.0.0.5) calls at
 * --rate calls/s through drachtio-server (127.0.0.1) to crocetta, which forwards every caller (unknown numbers: allow)
 * to the PBX (sipp, bench/sipp/pbx-uas.xml, on 127.0.0.3) that answers 200. After --before seconds crocetta is
 * killed with SIGKILL and started again --restart-delay-ms after it exited, as systemd's `Restart=always` does
 * (RestartSec defaults to 100 ms); the calls go on for --after seconds once it is ready again (/readyz).
 * Each run prints the calls sent and their final answers (200, 503, others, none within 32 s: the caller's Timer B),
 * the 503 window (from the kill to the first and the last call answered 503, by the time the call was sent), the
 * time from the kill to the new process's /readyz, and the calls crocetta held when it died (sent before the kill,
 * no final answer).
 * --front: Kamailio (docs/pbx/kamailio-front.cfg with PBX_URI set to the same PBX) between the carrier and
 * drachtio-server (127.0.0.1 + 4): the calls drachtio-server answers 503 go to the PBX.
 * --marks N: N marked numbers in the register (a restart reads them into the index: README, "crocetta down").
 *
 * Needs `drachtio` (drachtio-server) and `sipp` on PATH (and `kamailio` for --front); says which is missing and exits 2.
 * It is a bench, not a test: it prints figures, never asserts. Ports: --ports P .. P+99 on 127.0.0.x.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedMarks } from '../test/support/seed-register.js';
import { killAll, killAllOnExit, track } from './tracked-children.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DID = '+390612345678';
const SECRET = 'bench-secret';
/** RFC 3261 Timer B: a caller gives up on an INVITE with no final answer after 64*T1. */
const TIMER_B_MS = 32_000;

function argText(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
function argNumber(name: string, fallback: number): number {
  const text = argText(name);
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} ${text}: expected a number`);
  return v;
}
const opts = {
  runs: argNumber('runs', 3),
  rate: argNumber('rate', 10),
  before: argNumber('before', 3),
  after: argNumber('after', 5),
  restartDelayMs: argNumber('restart-delay-ms', 100),
  marks: argNumber('marks', 0),
  front: process.argv.includes('--front'),
  base: argNumber('ports', 32_000),
  keep: process.argv.includes('--keep'),
};
const ADDR = {
  admin: opts.base,
  drachtio: { host: '127.0.0.1', port: opts.base + 1 },
  panel: opts.base + 2,
  pbx: { host: '127.0.0.3', port: opts.base + 3 },
  pbxMedia: opts.base + 10,
  front: { host: '127.0.0.1', port: opts.base + 4 },
  carrier: { host: '127.0.0.5', port: opts.base + 5 },
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function missingTools(): string[] {
  const missing: string[] = [];
  const has = (cmd: string): boolean =>
    spawnSync('sh', ['-c', `PATH="$PATH:/usr/sbin" command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
  if (!has('drachtio')) missing.push('drachtio (drachtio-server, built from source: it is in no registry)');
  if (!has('sipp')) missing.push('sipp (Debian: apt-get install sip-tester)');
  if (opts.front && !has('kamailio')) missing.push('kamailio (Debian: apt-get install kamailio), for --front');
  return missing;
}

killAllOnExit();

/** Environment without DRACHTIO_* and CROCETTA_* (drachtio-server and crocetta read them). */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('DRACHTIO_') && !k.startsWith('CROCETTA_')),
  );
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(20);
  }
  throw new Error(`${what}: not ready within ${ms} ms`);
}

function udpBound(host: string, port: number): boolean {
  const ss = spawnSync('ss', ['-lun', `sport = :${port}`], { encoding: 'utf8' });
  return ss.stdout.includes(`${host}:${port}`);
}

async function startDrachtio(dir: string): Promise<ChildProcess> {
  const conf = join(dir, 'drachtio.conf.xml');
  writeFileSync(
    conf,
    `<drachtio>
  <admin port="${ADDR.admin}" secret="${SECRET}">127.0.0.1</admin>
  <sip><contacts><contact>sip:${ADDR.drachtio.host}:${ADDR.drachtio.port};transport=udp</contact></contacts></sip>
  <logging>
    <file><name>${join(dir, 'drachtio.log')}</name><archive>${dir}</archive><size>50</size><maxFiles>1</maxFiles><auto-flush>true</auto-flush></file>
    <sofia-loglevel>0</sofia-loglevel>
    <loglevel>info</loglevel>
  </logging>
</drachtio>
`,
  );
  const child = track(spawn('drachtio', ['-f', conf], { env: cleanEnv(), stdio: 'ignore' }));
  await waitFor('drachtio-server', () => udpBound(ADDR.drachtio.host, ADDR.drachtio.port));
  return child;
}

function startPbx(dir: string): ChildProcess {
  const out = openSync(join(dir, 'pbx.log'), 'w');
  return track(
    spawn(
      'sipp',
      [
        ...['-sf', join(ROOT, 'bench/sipp/pbx-uas.xml'), '-i', ADDR.pbx.host, '-p', String(ADDR.pbx.port)],
        ...['-mi', ADDR.pbx.host, '-mp', String(ADDR.pbxMedia), '-rtcheck', 'loose', '-nostdin'],
      ],
      { cwd: dir, stdio: ['ignore', out, out] },
    ),
  );
}

function startFront(dir: string): ChildProcess {
  mkdirSync(join(dir, 'kamailio-db'), { recursive: true });
  mkdirSync(join(dir, 'kamailio-run'), { recursive: true });
  writeFileSync(join(dir, 'kamailio-db', 'version'), 'table_name(str) table_version(int)\nhtable:2\n');
  writeFileSync(
    join(dir, 'kamailio-db', 'crocetta_nuisance'),
    'key_name(str) key_type(int) value_type(int) key_value(str) expires(int)\n',
  );
  writeFileSync(join(dir, 'crocetta.list'), `1 sip:${ADDR.drachtio.host}:${ADDR.drachtio.port}\n`);
  const run = join(dir, 'kamailio-run');
  const out = openSync(join(dir, 'kamailio.log'), 'w');
  return track(
    spawn(
      'sh',
      [
        '-c',
        'PATH="$PATH:/usr/sbin" exec kamailio "$@"',
        'kamailio',
        ...['-f', join(ROOT, 'docs/pbx/kamailio-front.cfg'), '-DD', '-E', '-Y', run, '-P', join(run, 'pid'), '-w', run],
        ...[
          '-A',
          `LISTEN=udp:${ADDR.front.host}:${ADDR.front.port}`,
          '-A',
          `DBTEXT_URL="text://${join(dir, 'kamailio-db')}"`,
        ],
        ...['-A', `DISPATCHER_LIST="${join(dir, 'crocetta.list')}"`, '-A', `CTL_SOCKET="unix:${join(run, 'ctl')}"`],
        ...['-A', 'CHILDREN=2', '-A', `PBX_URI="sip:${ADDR.pbx.host}:${ADDR.pbx.port}"`],
      ],
      // Its own process group: its workers go with it (a SIGKILL to the main process alone leaves them running).
      { stdio: ['ignore', out, out], detached: true },
    ),
  );
}

/** Stops Kamailio and the workers it forked: SIGTERM to its process group, SIGKILL after 3 s. */
async function stopFront(front: ChildProcess): Promise<void> {
  const group = (signal: NodeJS.Signals): void => {
    try {
      if (front.pid !== undefined) process.kill(-front.pid, signal);
    } catch {
      // the group is gone already
    }
  };
  const exited = new Promise<void>((r) => (front.exitCode !== null ? r() : front.once('exit', () => r())));
  group('SIGTERM');
  await Promise.race([exited, sleep(3000)]);
  group('SIGKILL');
}

function startCrocetta(dir: string, db: string, n: number): ChildProcess {
  const out = openSync(join(dir, `crocetta-${n}.log`), 'w');
  return track(
    spawn(process.execPath, ['dist/src/main.js'], {
      cwd: ROOT,
      env: {
        ...cleanEnv(),
        CROCETTA_DB: db,
        DRACHTIO_HOST: '127.0.0.1',
        DRACHTIO_PORT: String(ADDR.admin),
        DRACHTIO_SECRET: SECRET,
        PBX_URI: `sip:${ADDR.pbx.host}:${ADDR.pbx.port}`,
        PANEL_HOST: '127.0.0.1',
        PANEL_PORT: String(ADDR.panel),
        CROCETTA_API_TOKEN: 'bench-token-0123456789',
        ADMIN_PASSWORD: 'bench-password-0123456789',
        LOG_LEVEL: 'warn',
        NODE_ENV: 'production',
        // Behind the Kamailio front, as its recipe says (docs/pbx/kamailio-front.cfg).
        ...(opts.front ? { MARK_REFUSALS: 'true' } : {}),
      },
      stdio: ['ignore', out, out],
    }),
  );
}

async function ready(): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${ADDR.panel}/readyz`)).status === 200;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------- the carrier
interface Call {
  callId: string;
  sentAt: number;
  /** The INVITE as sent (retransmitted as is until a first answer). */
  text: string;
  provisional: boolean;
  status: number | null;
  answeredAt: number | null;
  byeSent: boolean;
}

const header = (m: string, name: string): string | undefined =>
  m
    .split('\r\n')
    .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    ?.slice(name.length + 1)
    .trim();
const headers = (m: string, name: string): string[] =>
  m
    .split('\r\n')
    .filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    .flatMap((l) => l.slice(name.length + 1).split(','))
    .map((v) => v.trim());

/** A carrier on UDP: sends INVITEs, retransmits them until a first answer (T1 doubling), ACKs finals, BYEs 200s. */
class Carrier {
  readonly calls = new Map<string, Call>();
  private seq = 0;
  private constructor(
    private readonly socket: dgram.Socket,
    private readonly target: { host: string; port: number },
  ) {
    socket.on('message', (m) => this.received(m.toString('utf8')));
  }
  static async open(target: { host: string; port: number }): Promise<Carrier> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((ok) => socket.bind(ADDR.carrier.port, ADDR.carrier.host, ok));
    return new Carrier(socket, target);
  }
  private send(text: string): void {
    this.socket.send(text, this.target.port, this.target.host);
  }
  call(tag: string): Call {
    const n = ++this.seq;
    const caller = `+39333${String(1_000_000 + ((n * 7_919) % 9_000_000)).padStart(7, '0')}`;
    const callId = `gap-${tag}-${n}@${ADDR.carrier.host}`;
    const sdp = ['v=0', `o=carrier ${n} 1 IN IP4 ${ADDR.carrier.host}`, 's=-', `c=IN IP4 ${ADDR.carrier.host}`, 't=0 0']
      .concat(['m=audio 4000 RTP/AVP 8', 'a=rtpmap:8 PCMA/8000', ''])
      .join('\r\n');
    const text = [
      `INVITE sip:${DID}@${this.target.host}:${this.target.port} SIP/2.0`,
      `Via: SIP/2.0/UDP ${ADDR.carrier.host}:${ADDR.carrier.port};branch=z9hG4bK-${tag}-${n};rport`,
      'Max-Forwards: 70',
      `From: <sip:${caller}@carrier.example>;tag=c${n}`,
      `To: <sip:${DID}@carrier.example>`,
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      `Contact: <sip:${caller}@${ADDR.carrier.host}:${ADDR.carrier.port}>`,
      'Content-Type: application/sdp',
      `Content-Length: ${Buffer.byteLength(sdp)}`,
      '',
      sdp,
    ].join('\r\n');
    const call: Call = {
      callId,
      sentAt: performance.now(),
      text,
      provisional: false,
      status: null,
      answeredAt: null,
      byeSent: false,
    };
    this.calls.set(callId, call);
    this.send(text);
    void this.retransmit(call);
    return call;
  }
  private async retransmit(call: Call): Promise<void> {
    for (let wait = 500; ; wait = Math.min(wait * 2, 4000)) {
      await sleep(wait);
      if (call.provisional || call.status !== null || performance.now() - call.sentAt > TIMER_B_MS) return;
      this.send(call.text);
    }
  }
  private received(m: string): void {
    const status = /^SIP\/2\.0 (\d{3})/.exec(m);
    const callId = header(m, 'Call-ID');
    const call = callId === undefined ? undefined : this.calls.get(callId);
    if (!status || !call || !/INVITE/.test(header(m, 'CSeq') ?? '')) return;
    const code = Number(status[1]);
    if (code < 200) {
      call.provisional = true;
      return;
    }
    if (call.status === null) {
      call.status = code;
      call.answeredAt = performance.now();
    }
    const to = header(m, 'To') ?? '';
    const from = header(m, 'From') ?? '';
    if (code >= 300) {
      // The ACK of a failure: same branch as the INVITE, hop by hop.
      const via = call.text.split('\r\n').find((l) => l.startsWith('Via:')) ?? '';
      this.send(
        [
          `ACK sip:${DID}@${this.target.host}:${this.target.port} SIP/2.0`,
          via,
          'Max-Forwards: 70',
          `From: ${from}`,
          `To: ${to}`,
          `Call-ID: ${call.callId}`,
          'CSeq: 1 ACK',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
      );
      return;
    }
    // A 200: ACK and BYE along the route set (Record-Route reversed), to the PBX's Contact.
    const contact = /<([^>]+)>/.exec(header(m, 'Contact') ?? '')?.[1] ?? `sip:${DID}@${this.target.host}`;
    const routes = headers(m, 'Record-Route').reverse();
    const inDialog = (method: string, cseq: number, branch: string): string =>
      [
        `${method} ${contact} SIP/2.0`,
        `Via: SIP/2.0/UDP ${ADDR.carrier.host}:${ADDR.carrier.port};branch=z9hG4bK-${branch};rport`,
        ...(routes.length > 0 ? [`Route: ${routes.join(', ')}`] : []),
        'Max-Forwards: 70',
        `From: ${from}`,
        `To: ${to}`,
        `Call-ID: ${call.callId}`,
        `CSeq: ${cseq} ${method}`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    this.send(inDialog('ACK', 1, `ack-${call.callId}`));
    if (!call.byeSent) {
      call.byeSent = true;
      setTimeout(() => this.send(inDialog('BYE', 2, `bye-${call.callId}`)), 200);
    }
  }
  close(): void {
    this.socket.close();
  }
}

// ---------------------------------------------------------------------------------------------- one run
interface RunResult {
  sent: number;
  answered: number;
  unavailable: number;
  others: Map<number, number>;
  noAnswer: number;
  /** The calls with no final answer: when each was sent, from the kill (ms), and its Call-ID. */
  unanswered: string[];
  heldAtKill: number;
  first503Ms: number | null;
  last503Ms: number | null;
  readyMs: number;
  firstOkAfterKillMs: number | null;
}

async function oneRun(dir: string, db: string, run: number): Promise<RunResult> {
  let crocetta = startCrocetta(dir, db, run * 2);
  await waitFor('crocetta', ready, 60_000);
  const carrier = await Carrier.open(opts.front ? ADDR.front : ADDR.drachtio);
  const interval = 1000 / opts.rate;
  let stop = false;
  const pacing = (async () => {
    const start = performance.now();
    for (let i = 0; !stop; i++) {
      carrier.call(`r${run}`);
      const next = start + (i + 1) * interval;
      await sleep(Math.max(0, next - performance.now()));
    }
  })();
  await sleep(opts.before * 1000);
  // The kill lands at any point of the calls' pace.
  await sleep(Math.random() * interval);
  const killedAt = performance.now();
  const exited = new Promise<void>((r) => crocetta.once('exit', () => r()));
  crocetta.kill('SIGKILL');
  await exited;
  await sleep(opts.restartDelayMs);
  crocetta = startCrocetta(dir, db, run * 2 + 1);
  await waitFor('crocetta again', ready, 60_000);
  const readyMs = performance.now() - killedAt;
  await sleep(opts.after * 1000);
  stop = true;
  await pacing;
  // Every call has its final answer, or the caller gave up (Timer B).
  const lastSent = performance.now();
  await waitFor('final answers', () => [...carrier.calls.values()].every((c) => c.status !== null), TIMER_B_MS + 1000)
    .catch(() => undefined)
    .then(() => sleep(Math.max(0, lastSent + 300 - performance.now())));
  carrier.close();
  crocetta.kill('SIGTERM');
  await new Promise<void>((r) => (crocetta.exitCode !== null ? r() : crocetta.once('exit', () => r())));

  const calls = [...carrier.calls.values()];
  const others = new Map<number, number>();
  for (const c of calls)
    if (c.status !== null && c.status !== 200 && c.status !== 503)
      others.set(c.status, (others.get(c.status) ?? 0) + 1);
  const unavailable = calls.filter((c) => c.status === 503).map((c) => c.sentAt - killedAt);
  const okAfter = calls.filter((c) => c.status === 200 && c.sentAt > killedAt).map((c) => c.sentAt - killedAt);
  return {
    sent: calls.length,
    answered: calls.filter((c) => c.status === 200).length,
    unavailable: unavailable.length,
    others,
    noAnswer: calls.filter((c) => c.status === null).length,
    unanswered: calls
      .filter((c) => c.status === null)
      .map((c) => `${c.callId} sent ${Math.round(c.sentAt - killedAt)} ms after the kill`),
    heldAtKill: calls.filter((c) => c.sentAt < killedAt && (c.status === null || (c.answeredAt ?? 0) > killedAt))
      .length,
    first503Ms: unavailable.length > 0 ? Math.min(...unavailable) : null,
    last503Ms: unavailable.length > 0 ? Math.max(...unavailable) : null,
    readyMs,
    firstOkAfterKillMs: okAfter.length > 0 ? Math.min(...okAfter) : null,
  };
}

const ms = (v: number | null): string => (v === null ? '-' : `${Math.round(v)} ms`);

async function main(): Promise<void> {
  const missing = missingTools();
  if (missing.length > 0) {
    console.error(`bench:restart-gap needs on PATH: ${missing.join('; ')}`);
    process.exit(2);
  }
  const build = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  if (build.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed:\n${build.stdout}${build.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), 'crocetta-restart-gap-'));
  const db = join(dir, 'register.sqlite');
  // The register with that many numbers marked nuisance (+39021xxxxxxx), read into the index at every start.
  await seedMarks(db, opts.marks);
  console.log(
    `restart gap: ${opts.rate} calls/s, crocetta killed (SIGKILL) after ${opts.before} s and started again ` +
      `${opts.restartDelayMs} ms after it exited, calls for ${opts.after} s more once ready; ${opts.marks} marked ` +
      `numbers; ${opts.front ? 'Kamailio in front with PBX_URI' : 'carrier straight to drachtio-server'}; ` +
      `${spawnSync('drachtio', ['--version'], { encoding: 'utf8' }).stdout.trim()}; folder ${dir}`,
  );
  let front: ChildProcess | undefined;
  try {
    await startDrachtio(dir);
    startPbx(dir);
    await waitFor('the PBX (sipp)', () => udpBound(ADDR.pbx.host, ADDR.pbx.port));
    if (opts.front) {
      front = startFront(dir);
      await waitFor('kamailio', () => udpBound(ADDR.front.host, ADDR.front.port));
    }
    for (let run = 1; run <= opts.runs; run++) {
      const r = await oneRun(dir, db, run);
      const others = [...r.others].map(([code, n]) => `${n}x${code}`).join(' ') || 'none';
      console.log(
        `run ${run}: ${r.sent} calls: ${r.answered} answered 200, ${r.unavailable} answered 503, others ${others}, ` +
          `${r.noAnswer} no final answer within 32 s; held by crocetta at the kill (sent before, answered after or never): ` +
          `${r.heldAtKill}; 503 for calls sent from ${ms(r.first503Ms)} to ${ms(r.last503Ms)} after the kill; ` +
          `ready again ${ms(r.readyMs)} after the kill; first call answered 200 sent ${ms(r.firstOkAfterKillMs)} after it`,
      );
      for (const u of r.unanswered) console.log(`  no final answer: ${u}`);
    }
  } finally {
    if (front) await stopFront(front);
    killAll();
    await sleep(200);
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  killAll();
  console.error(err);
  process.exit(1);
});
