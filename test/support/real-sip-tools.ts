/**
 * Real SIP software for end-to-end tests on a developer's machine: a drachtio-server on loopback with a config of
 * its own (written in the test's temp folder), and sipp runs. Tests that use them skip, saying why, where the
 * binaries are not on PATH (CI has no drachtio-server: it is in no package registry).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer as createTcpServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { connect } from 'node:net';
import { waitGroupListens, type Listen } from './group-sockets.js';

/** The repository's root, test/e2e/scenarios (sipp scenarios) and the stand-in carrier's Kamailio config. */
export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const E2E_SCENARIOS = join(REPO_ROOT, 'test/e2e/scenarios');
export const CARRIER_CFG = join(REPO_ROOT, 'docs/pbx/kamailio-carrier.cfg');

/** How to get a tool a real-software test needs, said when it is missing. */
const INSTALL: Record<string, string> = {
  drachtio: 'drachtio-server is in no package registry: build it, put its bin/ on PATH',
  sipp: 'Debian: apt install sip-tester',
  kamailio: 'Debian: apt install kamailio',
  kamcmd: 'Debian: apt install kamailio',
};

export interface RealTools<T extends string> {
  /** Each tool's path, null where it is not installed. */
  bin: Record<T, string | null>;
  /** What is missing: the tools not on PATH, then the files that do not exist. */
  missing: string[];
  /** '' when nothing is missing, else ` (skipped: … not on PATH (how to get it))`, for the describe's title. */
  skipped: string;
}

/**
 * Which of the real tools (and files) a test needs are here: a test that has them all runs, one that lacks any is
 * skipped, saying what is missing, with `describe.skipIf(tools.missing.length > 0)(\`…${tools.skipped}\`, …)`.
 */
export function realTools<T extends string>(names: readonly T[], files: readonly string[] = []): RealTools<T> {
  const bin = Object.fromEntries(names.map((name) => [name, onPath(name)])) as Record<T, string | null>;
  const tools = names.filter((name) => bin[name] === null);
  const absent = files.filter((f) => !existsSync(f));
  const missing = [...tools, ...absent];
  const said = [
    ...(tools.length > 0
      ? [
          `${tools.join(', ')} not on PATH${tools.some((t) => INSTALL[t]) ? ` (${[...new Set(tools.flatMap((t) => INSTALL[t] ?? []))].join('; ')})` : ''}`,
        ]
      : []),
    ...(absent.length > 0 ? [`${absent.join(', ')} missing`] : []),
  ];
  return { bin, missing, skipped: missing.length > 0 ? ` (skipped: ${said.join('; ')})` : '' };
}

/**
 * The file of Kamailio's module `name` (`tls` → `.../kamailio/modules/tls.so`) in the folder Kamailio loads its modules
 * from (`kamailio -I`: "Default paths to modules"), or null where Kamailio or the module is not installed (Debian ships
 * the tls module apart: apt install kamailio-tls-modules).
 */
export function kamailioModule(name: string): string | null {
  const bin = onPath('kamailio');
  if (bin === null) return null;
  const info = spawnSync(bin, ['-I'], { encoding: 'utf8' });
  const paths = /Default paths to modules:\s*(\S+)/.exec(`${info.stdout}${info.stderr}`)?.[1] ?? '';
  for (const folder of paths.split(':').filter((f) => f !== '')) {
    const file = join(folder, `${name}.so`);
    if (existsSync(file)) return file;
  }
  return null;
}

/** The binary's path when `name` is on PATH (or in /usr/sbin, where Debian puts kamailio), else null. */
export function onPath(name: string): string | null {
  const r = spawnSync('sh', ['-c', `PATH="$PATH:/usr/sbin:/usr/local/sbin" command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() || null : null;
}

function tcpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createTcpServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

function udpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, host, () => s.close(() => resolve(true)));
  });
}

/** True when nobody is bound to `port` on `host`, for TCP and for UDP (a plain bind: reused ports count too). */
export async function portFree(host: string, port: number): Promise<boolean> {
  return (await tcpFree(host, port)) && (await udpFree(host, port));
}

/** A port free for both TCP and UDP on `host`, searched from a random point of [from, to). */
export async function freePort(host: string, from: number, to: number, taken: readonly number[] = []): Promise<number> {
  const span = to - from;
  const start = Math.floor(Math.random() * span);
  for (let i = 0; i < span; i++) {
    const port = from + ((start + i) % span);
    if (taken.includes(port)) continue;
    if (await portFree(host, port)) return port;
  }
  throw new Error(`no free port in ${from}-${to} on ${host}`);
}

/**
 * The range E2E_PORTS names (`23000-23999`, both ends included) instead of a test's own [from, to): several people
 * running the real-software tests on one machine each keep to their own ports. Without it, [from, to).
 */
export function e2ePortRange(from: number, to: number, env: NodeJS.ProcessEnv = process.env): [number, number] {
  const text = env.E2E_PORTS?.trim() ?? '';
  if (text === '') return [from, to];
  const m = /^(\d{4,5})-(\d{4,5})$/.exec(text);
  const low = Number(m?.[1]);
  const high = Number(m?.[2]);
  if (!m || low < 1024 || high > 65535 || high < low)
    throw new Error(`E2E_PORTS=${text}: expected a range of ports such as 23000-23999`);
  return [low, high + 1];
}

/**
 * `count` ports free for TCP and UDP on every one of `hosts`, from [from, to) (or E2E_PORTS: e2ePortRange) starting
 * at a random point (two runs on one machine, from two worktrees, must not end up sharing a port), none of `taken`
 * (the ones picked are added).
 */
export async function pickPorts(
  count: number,
  hosts: readonly string[],
  wantedFrom: number,
  wantedTo: number,
  taken = new Set<number>(),
): Promise<number[]> {
  const [from, to] = e2ePortRange(wantedFrom, wantedTo);
  const out: number[] = [];
  const span = to - from;
  const start = Math.floor(Math.random() * span);
  const distinct = [...new Set(hosts)];
  for (let i = 0; i < span && out.length < count; i++) {
    const port = from + ((start + i) % span);
    if (taken.has(port)) continue;
    if ((await Promise.all(distinct.map((h) => portFree(h, port)))).every(Boolean)) {
      out.push(port);
      taken.add(port);
    }
  }
  if (out.length < count) throw new Error(`e2e: no free ports in ${from}-${to - 1}`);
  return out;
}

/** Where one piece of a real-software test listens (drachtio-server, a Kamailio, a sipp). */
export interface Addr {
  host: string;
  port: number;
}

/**
 * Where the pieces of a test with one carrier listen, for pickAddrs: drachtio-server (admin and SIP ports), the
 * carrier's Kamailio, the PBX (calls to it on one port, its calls out from another), the carrier's PSTN side and the
 * caller at the carrier.
 */
export const ONE_CARRIER_HOSTS = {
  drachtioAdmin: '127.0.0.1',
  drachtio: '127.0.0.1',
  kamailio: '127.0.0.2',
  pbx: '127.0.0.3',
  pbxOut: '127.0.0.3',
  pstn: '127.0.0.4',
  caller: '127.0.0.5',
} as const;

/** The SIP URI of an address: `sip:host:port`. */
export const sipUri = (a: Addr): string => `sip:${a.host}:${a.port}`;

/**
 * An address for each name of `hosts` (name → the host it listens on; several names may share a host): a port each,
 * all different, free for TCP and UDP on every one of the hosts (pickPorts: from [from, to), or E2E_PORTS).
 */
export async function pickAddrs<K extends string>(
  hosts: Readonly<Record<K, string>>,
  from: number,
  to: number,
): Promise<Record<K, Addr>> {
  const names = Object.keys(hosts) as K[];
  const ports = await pickPorts(names.length, Object.values<string>(hosts), from, to);
  return Object.fromEntries(names.map((name, i) => [name, { host: hosts[name], port: ports[i] ?? 0 }])) as Record<
    K,
    Addr
  >;
}

/**
 * The first of `size` consecutive ports free for TCP and UDP on every one of `hosts`, from [from, to) (or E2E_PORTS:
 * e2ePortRange), starting at a random multiple of 10 of the range: for a test that lays its ports out at fixed offsets
 * (drachtio's admin and SIP ports, the PBX's, sipp's media ports above its RTP port, crocetta's RTP_PORTS).
 */
export async function pickBlock(
  size: number,
  hosts: readonly string[],
  wantedFrom: number,
  wantedTo: number,
  taken = new Set<number>(),
): Promise<number> {
  const [from, to] = e2ePortRange(wantedFrom, wantedTo);
  const starts = Math.floor((to - from - size) / 10) + 1;
  const first = Math.floor(Math.random() * Math.max(starts, 1));
  const distinct = [...new Set(hosts)];
  const free = async (port: number): Promise<boolean> =>
    !taken.has(port) && (await Promise.all(distinct.map((h) => portFree(h, port)))).every(Boolean);
  for (let i = 0; i < starts; i++) {
    const base = from + ((first + i) % starts) * 10;
    let ok = true;
    for (let port = base; port < base + size && ok; port++) ok = await free(port);
    if (ok) {
      for (let port = base; port < base + size; port++) taken.add(port);
      return base;
    }
  }
  throw new Error(`e2e: no ${size} free ports in a row in ${from}-${to - 1}`);
}

/**
 * The usual addresses of a real-software test, from the first port of its block (pickBlock): drachtio-server's admin
 * port and SIP address on 127.0.0.1, the PBX on 127.0.0.3, the carrier's caller on 127.0.0.5, at base … base + 3.
 */
export function loopbackLayout(base: number) {
  return {
    admin: base,
    sip: { host: '127.0.0.1', port: base + 1 },
    pbx: { host: '127.0.0.3', port: base + 2 },
    caller: { host: '127.0.0.5', port: base + 3 },
  };
}
/** The hosts loopbackLayout uses (for pickBlock). */
export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', '127.0.0.3', '127.0.0.5'];

/** What `check` gives once it gives something, polled every 100 ms; throws after `timeoutMs` naming `what`. */
export async function until<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`e2e: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * True once a UDP socket is bound to `host`:`port`, read from /proc/net/udp without touching the port (a probe bind
 * could take the port from under the process that is starting). Null where /proc/net/udp does not exist.
 */
export function udpBound(host: string, port: number): boolean | null {
  if (!existsSync('/proc/net/udp')) return null;
  const ip = host
    .split('.')
    .map((b) => Number(b).toString(16).padStart(2, '0').toUpperCase())
    .reverse()
    .join('');
  const wanted = [
    `${ip}:${port.toString(16).toUpperCase().padStart(4, '0')}`,
    `00000000:${port.toString(16).toUpperCase().padStart(4, '0')}`,
  ];
  return readFileSync('/proc/net/udp', 'utf8')
    .split('\n')
    .some((line) => wanted.includes(line.trim().split(/\s+/)[1] ?? ''));
}

/**
 * Waits until something listens on UDP `host`:`port` (a sipp UAS, Kamailio), instead of a fixed sleep that a loaded
 * machine outlasts; gives up after `timeoutMs`. Without /proc/net/udp it falls back to a 300 ms wait.
 */
export async function waitUdpBound(host: string, port: number, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const bound = udpBound(host, port);
    if (bound === null) return new Promise((r) => setTimeout(r, 300));
    if (bound) return;
    if (Date.now() > end) throw new Error(`nothing listens on udp ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface RealDrachtio {
  adminPort: number;
  sipPort: number;
  secret: string;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * Starts `drachtio -f <conf>` on 127.0.0.1 and waits until its admin port accepts connections. `opts.sip` replaces
 * the `<sip>` section's content (its contacts, a `<tls>` block), default one UDP/TCP contact on `ports.sip`;
 * `opts.cdrs` has drachtio-server send call records (what crocetta measures talk time with).
 */
export async function startDrachtio(
  dir: string,
  ports: { admin: number; sip: number },
  secret = 'cymru',
  opts: { sip?: string; cdrs?: boolean } = {},
): Promise<RealDrachtio> {
  mkdirSync(join(dir, 'archive'), { recursive: true });
  const conf = join(dir, 'drachtio.conf.xml');
  const logFile = join(dir, 'drachtio.log');
  writeFileSync(
    conf,
    `<drachtio>
  <admin port="${ports.admin}" secret="${secret}">127.0.0.1</admin>
  ${opts.cdrs === true ? '<cdrs>true</cdrs>' : ''}
  <sip>${opts.sip ?? `<contacts><contact>sip:127.0.0.1:${ports.sip};transport=udp,tcp</contact></contacts>`}</sip>
  <logging>
    <file><name>${logFile}</name><archive>${join(dir, 'archive')}</archive><size>50</size><maxFiles>2</maxFiles><auto-flush>true</auto-flush></file>
    <sofia-loglevel>3</sofia-loglevel><loglevel>info</loglevel>
  </logging>
</drachtio>
`,
  );
  // drachtio-server reads DRACHTIO_* variables itself, and they would override the file.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DRACHTIO_')));
  const child = spawn('drachtio', ['-f', conf], { env, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const until = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(ports.admin, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (up) break;
    if (child.exitCode !== null || Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`drachtio-server did not start (see ${logFile})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    adminPort: ports.admin,
    sipPort: ports.sip,
    secret,
    logFile,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

export interface SippRun {
  child: ChildProcess;
  /** Resolves with sipp's exit code (0: every message as the scenario expects). */
  done: Promise<number>;
}

/** Runs sipp with these arguments (stdout/stderr kept for the error message). */
export function runSipp(args: string[], timeoutMs = 30_000): SippRun {
  const child = spawn('sipp', ['-nostdin', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<number>((resolve) => {
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) process.stderr.write(`sipp ${args.join(' ')} exited ${code}:\n${output}\n`);
      resolve(code ?? -1);
    });
  });
  return { child, done };
}

/**
 * Runs one scenario of test/e2e/scenarios to its end in `dir` (its -trace_logs land there and are read, then
 * removed); `target` null for a UAS. `keys` fill the scenario's [did], [caller]... (`-key`); `media` is sipp's RTP
 * address and port (`-mi`, `-mp`), for scenarios that play a pcap; `timeoutSeconds` bounds the whole run (20).
 * `transport` `t1` runs it over TCP (one connection; the scenarios' `[transport]` says TCP), UDP otherwise.
 * `out` is what sipp printed (stdout and stderr), for an assertion's message; `ms` how long it ran, from its start to
 * its exit.
 */
export async function sippScenario(
  dir: string,
  scenarioFile: string,
  target: string | null,
  local: { host: string; port: number },
  keys: Record<string, string> = {},
  opts: { media?: { host: string; port: number }; timeoutSeconds?: number; transport?: 'u1' | 't1' } = {},
): Promise<{ code: number | null; logs: string; out: string; ms: number }> {
  const args = [
    '-sf',
    scenarioFile,
    '-i',
    local.host,
    '-p',
    String(local.port),
    '-m',
    '1',
    '-nostdin',
    '-timeout',
    `${opts.timeoutSeconds ?? 20}s`,
    '-timeout_error',
    '-trace_logs',
  ];
  if (opts.media) args.push('-mi', opts.media.host, '-mp', String(opts.media.port));
  if (opts.transport) args.push('-t', opts.transport);
  for (const [k, v] of Object.entries(keys)) args.push('-key', k, v);
  if (target !== null) args.unshift(target);
  const started = Date.now();
  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => out.push(d.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const ms = Date.now() - started;
  const prefix = basename(scenarioFile).replace(/\.xml$/, '_');
  const logs = readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith('_logs.log'));
  const text = logs.map((f) => readFileSync(join(dir, f), 'utf8')).join('');
  for (const f of logs) rmSync(join(dir, f));
  return { code, logs: text, out: out.join(''), ms };
}

export interface RealKamailio {
  host: string;
  port: number;
  /** Its stderr (-E), appended across restarts of the same `name` in the same folder. */
  logFile: string;
  /** What it logged so far ('' before its first line). */
  log(): string;
  /**
   * SIGTERM (SIGKILL to its process group after 3 s); resolves once it is gone and its UDP port is free again. Safe
   * to call twice.
   */
  stop(): Promise<void>;
}

export interface KamailioOptions {
  /** The kamailio.cfg to run (docs/pbx/kamailio-carrier.cfg, or a variant written to the test's folder). */
  cfg: string;
  /** Where it listens (UDP): given to the config as `SIP_LISTEN=udp:host:port` (`listenDefine`). */
  listen: { host: string; port: number };
  /** The define the config listens on: `SIP_LISTEN` (kamailio-carrier.cfg) by default, `LISTEN` for kamailio-front.cfg. */
  listenDefine?: string;
  /** A TCP socket too, given as `LISTEN_TCP=tcp:host:port` (kamailio-front.cfg's second listen). */
  listenTcp?: { host: string; port: number };
  /** A TLS socket too, given as `LISTEN_TLS=tls:host:port` (kamailio-front.cfg: loads the tls module, reads TLS_CFG). */
  listenTls?: { host: string; port: number };
  /** Its runtime folder (-Y: where a ctl socket named in the defines can go): `<dir>/<name>-run` by default. */
  runDir?: string;
  /** Shared and private memory (-m, -M), 32 and 4 MB by default; null: Kamailio's own (a large htable needs more). */
  memory?: { sharedMb: number; privateMb: number } | null;
  /**
   * Its UDP receiver processes (-n, over the config's `children`): 1 by default, so a stand-in carrier passes on what
   * it receives in the order it came. With two, a busy host reorders messages sent back to back (one in 2,000 calls
   * saw a 180 after its 200, sipp through a two-receiver relay with the cores busy; none of 4,000 with one), and a
   * test's sipp aborts on it: two CI failures in session 37 (a caller's 180 after the 200, a BYE ahead of its ACK).
   * null: the config's own `children` (kamailio-front.cfg's CHILDREN, what its recipe runs).
   */
  receivers?: number | null;
  /** Further `-A` defines: a string is passed quoted (`ACCOUNT="0612345678"`), a number as is (`MIN_EXPIRES=40`). */
  defines?: Record<string, string | number>;
  /** Names its log, pid file and runtime folder in `dir` (two carriers in one test): `kamailio` by default. */
  name?: string;
}

/**
 * Starts Kamailio in the foreground (-DD -E, 32 MB shared and 4 MB private memory unless told) with `opts.cfg`, its stderr
 * appended to `<dir>/<name>.log`, and waits until its own processes hold its UDP socket and listen on its TCP and TLS
 * ones (waitGroupListens). Throws, with its log, when it exits or does not listen within `timeoutMs`. stop() sends
 * SIGTERM, then SIGKILL to its process group after 3 s.
 */
export async function startKamailio(dir: string, opts: KamailioOptions, timeoutMs = 15_000): Promise<RealKamailio> {
  const name = opts.name ?? 'kamailio';
  const logFile = join(dir, `${name}.log`);
  const runDir = opts.runDir ?? join(dir, `${name}-run`);
  const memory = opts.memory ?? { sharedMb: 32, privateMb: 4 };
  mkdirSync(runDir, { recursive: true });
  const defines = Object.entries(opts.defines ?? {}).flatMap(([key, value]) => [
    '-A',
    typeof value === 'number' ? `${key}=${value}` : `${key}="${value}"`,
  ]);
  const args = [
    ...['-f', opts.cfg, '-DD', '-E'],
    ...(opts.memory === null ? [] : ['-m', String(memory.sharedMb), '-M', String(memory.privateMb)]),
    ...(opts.receivers === null ? [] : ['-n', String(opts.receivers ?? 1)]),
    ...['-Y', runDir, '-P', join(runDir, 'kamailio.pid'), '-w', runDir],
    ...['-A', `${opts.listenDefine ?? 'SIP_LISTEN'}=udp:${opts.listen.host}:${opts.listen.port}`, ...defines],
    ...(opts.listenTcp === undefined ? [] : ['-A', `LISTEN_TCP=tcp:${opts.listenTcp.host}:${opts.listenTcp.port}`]),
    ...(opts.listenTls === undefined ? [] : ['-A', `LISTEN_TLS=tls:${opts.listenTls.host}:${opts.listenTls.port}`]),
  ];
  // Its own process group (sh execs kamailio: the group is its and its children's), so a Kamailio stuck in its
  // shutdown is ended with the processes it forked.
  const child = spawn('sh', ['-c', `exec "$0" "$@" 2>>"${logFile}"`, onPath('kamailio') ?? 'kamailio', ...args], {
    stdio: 'ignore',
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null;
  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const stop = async (): Promise<void> => {
    if (!gone()) {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (!gone()) {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL'); // the group is gone already
        }
        await exited;
      }
    }
    // Its children may hold the port a moment longer: the next one started on it must be able to bind.
    const end = Date.now() + 5000;
    while (udpBound(opts.listen.host, opts.listen.port) === true && Date.now() < end)
      await new Promise((r) => setTimeout(r, 50));
  };
  // Its own sockets, every one: its UDP socket is bound before it listens on TCP and TLS, and a port picked at a test's
  // start may be another test's by now (either way a carrier's TCP connection was refused: waitGroupListens).
  const sockets: Listen[] = [
    { proto: 'udp', ...opts.listen },
    ...[opts.listenTcp, opts.listenTls].flatMap((at) => (at === undefined ? [] : [{ proto: 'tcp' as const, ...at }])),
  ];
  const outcome = await Promise.race([
    waitGroupListens(child.pid ?? 0, sockets, timeoutMs).then(
      () => null,
      (err: unknown) => (err instanceof Error ? err.message : String(err)),
    ),
    exited.then(() => `kamailio exited at start (code ${child.exitCode}, signal ${child.signalCode})`),
  ]);
  if (outcome !== null) {
    await stop();
    throw new Error(`${outcome}; its log (${logFile}):\n${log().slice(-3000)}`);
  }
  return { host: opts.listen.host, port: opts.listen.port, logFile, log, stop };
}

/**
 * Kamailio with the recipe's own docs/pbx/kamailio-front.cfg, its files in `dir`: the db_text folder `db` (`version`
 * written, and an empty `crocetta_nuisance` unless the test wrote one), the dispatcher list `crocetta.list` with one
 * line per `pairs` (`sip:host:port`), the runtime folder and ctl socket in `run`; Kamailio's default memory (the
 * nuisance htable is sized for a large list), 2 children, `defines` added (PBX_URI, CROCETTA_TIMEOUT).
 */
export async function startKamailioFront(
  dir: string,
  opts: {
    listen: { host: string; port: number };
    /** LISTEN_TCP: carriers over TCP, and what a pair listed with `;transport=tcp` is reached from. */
    listenTcp?: { host: string; port: number };
    /** LISTEN_TLS: carriers over TLS (give TLS_CFG in `defines`: the tls module's file with the certificate). */
    listenTls?: { host: string; port: number };
    pairs: readonly string[];
    name?: string;
    defines?: Record<string, string | number>;
  },
): Promise<RealKamailio> {
  const db = join(dir, 'db');
  mkdirSync(db, { recursive: true });
  mkdirSync(join(dir, 'run'), { recursive: true });
  writeFileSync(join(db, 'version'), 'table_name(str) table_version(int)\nhtable:2\n');
  if (!existsSync(join(db, 'crocetta_nuisance')))
    writeFileSync(
      join(db, 'crocetta_nuisance'),
      'key_name(str) key_type(int) value_type(int) key_value(str) expires(int)\n',
    );
  writeFileSync(join(dir, 'crocetta.list'), opts.pairs.map((p) => `1 ${p}\n`).join(''));
  return startKamailio(dir, {
    cfg: join(REPO_ROOT, 'docs/pbx/kamailio-front.cfg'),
    listen: opts.listen,
    listenDefine: 'LISTEN',
    ...(opts.listenTcp === undefined ? {} : { listenTcp: opts.listenTcp }),
    ...(opts.listenTls === undefined ? {} : { listenTls: opts.listenTls }),
    runDir: join(dir, 'run'),
    memory: null,
    receivers: null,
    ...(opts.name === undefined ? {} : { name: opts.name }),
    defines: {
      DBTEXT_URL: `text://${db}`,
      DISPATCHER_LIST: join(dir, 'crocetta.list'),
      CTL_SOCKET: `unix:${join(dir, 'run', 'ctl')}`,
      CHILDREN: 2,
      ...opts.defines,
    },
  });
}
