/**
 * The Kamailio front recipe over TCP, with real software: the real Kamailio (docs/pbx/kamailio-front.cfg) listening on
 * UDP and, with LISTEN_TCP, on TCP at 127.0.0.3, its one pair listed with `;transport=tcp` (a real drachtio-server on
 * 127.0.0.2, UDP and TCP, with crocetta), and sipp as the carrier's callers (127.0.0.1, over TCP or UDP) and as the
 * PBX (127.0.0.4, UDP). A whole call (INVITE, 200, ACK, BYE) goes through the front with the carrier over TCP and
 * the front reaching the pair over TCP; with the carrier over UDP and the pair over TCP (Kamailio switches transport
 * and records both in its Record-Route); with the carrier over TCP and the pair over UDP (the same switch the other
 * way); and a marked caller gets crocetta's 607 over TCP. Without LISTEN_TCP the cfg
 * had no TCP socket: a carrier's TCP connection was refused, and a pair listed over TCP could not be reached. Pairs
 * over TCP that are gone: refusing the connection (the next pair, the PBX, or one 503) and never answering it (the PBX
 * after CROCETTA_TIMEOUT; without PBX_URI, Kamailio's 408 after it).
 * Skipped, with the reason, where Kamailio, drachtio-server or sipp is not installed. Ports: free ones in 29400-29599
 * (or E2E_PORTS) on 127.0.0.x, picked at each run.
 */
import { mkdtempSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Crocetta } from '../../src/app.js';
import { attemptsOf, stopE2e } from '../support/e2e-crocetta.js';
import { eventually } from '../support/crocetta-harness.js';
import {
  CARRIER,
  KAMAILIO,
  PAIR,
  PBX,
  TOKEN,
  startPairCrocetta,
  startPairDrachtio,
} from '../support/kamailio-front-pair.js';
import {
  pickPorts,
  realTools,
  startKamailioFront,
  type RealDrachtio,
  type RealKamailio,
} from '../support/real-sip-tools.js';
import { scenarioRunner, type ScenarioRun } from '../support/scenario-runner.js';

const TOOLS = realTools(['kamailio', 'drachtio', 'sipp']);
const NUISANCE = '+390298765400';
/**
 * The fronts that send the call to the PBX after their pairs failed, and the one whose pair is over UDP: one UDP
 * worker. The PBX (sipp) sends its 180 and its 200 back to back (drachtio-server relays them so); two Kamailio workers
 * may each take one and relay the 180 after the 200 (tm decides under its reply lock, sends after it), and the
 * caller's scenario, past its 200, aborts on the stray 180 (seen once, 6 Dec 2026, 01:48 UTC, the gone pair's test).
 * The recipe does not depend on how many workers read its socket.
 */
const ONE_UDP_WORKER = { CHILDREN: 1 };

describe.skipIf(TOOLS.missing.length > 0)(`the real Kamailio front over TCP${TOOLS.skipped}`, () => {
  let dir = '';
  let drachtio: RealDrachtio | undefined;
  let kamailio: RealKamailio | undefined;
  let app: Crocetta | undefined;
  let port = {
    kamailio: 0,
    pbx: 0,
    callerTcp: 0,
    callerUdp: 0,
    down: 0,
    dead: 0,
    dead2: 0,
    bare: 0,
    gone: 0,
    silent: 0,
    gone2: 0,
    goneBare: 0,
    udpPair: 0,
    sip: 0,
  };
  const log = (): string => kamailio?.log() ?? '';
  const sipp = scenarioRunner(() => dir);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crocetta-e2e-kamailio-tcp-'));
    const taken = new Set<number>();
    const [k = 0, admin = 0, sip = 0, pbx = 0, callerTcp = 0, callerUdp = 0, down = 0, dead = 0, dead2 = 0, bare = 0] =
      await pickPorts(10, [CARRIER, PAIR, KAMAILIO, PBX], 29_400, 29_600, taken);
    // The gone pairs' stand-ins (on the pair's address) and their fronts.
    const [gone = 0, silent = 0, gone2 = 0, goneBare = 0] = await pickPorts(4, [PAIR, KAMAILIO], 29_400, 29_600, taken);
    // The front whose pair is listed over UDP.
    const [udpPair = 0] = await pickPorts(1, [KAMAILIO], 29_400, 29_600, taken);
    port = {
      kamailio: k,
      pbx,
      callerTcp,
      callerUdp,
      down,
      dead,
      dead2,
      bare,
      gone,
      silent,
      gone2,
      goneBare,
      udpPair,
      sip,
    };
    drachtio = await startPairDrachtio(dir, admin, [sip]);
    kamailio = await startKamailioFront(dir, {
      listen: { host: KAMAILIO, port: k },
      listenTcp: { host: KAMAILIO, port: k },
      pairs: [`sip:${PAIR}:${sip};transport=tcp`],
    });
    app = await startPairCrocetta(dir, admin, pbx, [NUISANCE]);
  }, 30_000);

  afterAll(() => stopE2e({ dir, app, software: [kamailio, drachtio] }));

  /**
   * A caller rings `did` through `front` (listening on `frontPort`) over `transport`; the PBX (sipp) answers it. sipp's
   * caller exits 0 only once its INVITE was answered 200 and its ACK and BYE (sent by the Record-Route set) got
   * through: the BYE's 200 came from the PBX, back over the same hops. Returns the PBX's run.
   */
  const answeredByPbx = async (
    front: RealKamailio,
    frontPort: number,
    transport: 'u1' | 't1',
    did: string,
    caller: string,
  ): Promise<ScenarioRun> => {
    const { caller: calling, answerer } = await sipp.call(
      { scenario: 'pbx-answers-did.xml', at: { host: PBX, port: port.pbx }, transport: 'u1' },
      {
        scenario: 'caller-answered.xml',
        at: { host: CARRIER, port: transport === 't1' ? port.callerTcp : port.callerUdp },
        target: `${KAMAILIO}:${frontPort}`,
        keys: { did, caller },
        transport,
      },
    );
    expect(calling.code, `${calling.out}\n${front.log()}`).toBe(0);
    expect(answerer.code, answerer.out).toBe(0);
    return answerer;
  };

  /**
   * The carrier's caller `caller` rings `did` over `transport` through `front` (the suite's Kamailio unless told):
   * answered, in the register.
   */
  const answeredCall = async (
    transport: 'u1' | 't1',
    did: string,
    caller: string,
    front = kamailio,
    frontPort = port.kamailio,
  ) => {
    if (front === undefined) throw new Error("the suite's Kamailio did not start");
    const answerer = await answeredByPbx(front, frontPort, transport, did, caller);
    expect(answerer.logs).toContain(`request-uri-user=${did}`);
    const row = await eventually(async () => {
      await app?.register.flush();
      const rows = await attemptsOf(app, TOKEN, caller);
      return rows[0]?.outcome === 'answered' ? rows[0] : undefined;
    }, 10_000);
    expect(row).toMatchObject({ calledNumber: did, action: 'allow', finalStatus: 200 });
  };

  /** A front of the test's own at KAMAILIO:frontPort (UDP and TCP) before `pairs`, its files in `dir`/`name`. */
  const startFront = (
    name: string,
    frontPort: number,
    pairs: string[],
    defines: Record<string, string | number> = {},
  ): Promise<RealKamailio> =>
    startKamailioFront(join(dir, name), {
      name: `kamailio-${name}`,
      listen: { host: KAMAILIO, port: frontPort },
      listenTcp: { host: KAMAILIO, port: frontPort },
      pairs,
      defines,
    });

  /** `use` runs with a front whose only pair, over TCP, is a machine that is gone (goneMachine, checked first). */
  const withGonePair = async (
    name: string,
    pairPort: number,
    frontPort: number,
    defines: Record<string, string | number>,
    use: (front: RealKamailio) => Promise<void>,
  ): Promise<void> => {
    const gone = await goneMachine(PAIR, pairPort);
    try {
      const front = await startFront(name, frontPort, [`sip:${PAIR}:${pairPort};transport=tcp`], defines);
      try {
        expect(gone.probed, 'the stand-in must answer no SYN, as a machine that is gone').toBe('no answer');
        await use(front);
      } finally {
        await front.stop();
      }
    } finally {
      gone.close();
    }
  };

  it('a whole call from a carrier over TCP, Kamailio to the pair over TCP: answered by the PBX, hung up', async () => {
    await answeredCall('t1', '+390612345671', '+390255566601');
  });

  it('a whole call from a carrier over UDP, Kamailio to the pair over TCP: answered by the PBX, hung up', async () => {
    await answeredCall('u1', '+390612345672', '+390255566602');
  });

  it('a whole call from a carrier over TCP, Kamailio to the pair over UDP: answered by the PBX, hung up', async () => {
    // The pair's answers come back over UDP: one worker reads them, so the 180 and the 200 reach the caller in order.
    const front = await startFront('udp-pair', port.udpPair, [`sip:${PAIR}:${port.sip}`], ONE_UDP_WORKER);
    try {
      await answeredCall('t1', '+390612345678', '+390255566608', front, port.udpPair);
    } finally {
      await front.stop();
    }
  });

  it("a marked caller over TCP gets crocetta's 607, the PBX nothing", async () => {
    const refused = await sipp.play({
      scenario: 'caller-refused.xml',
      at: { host: CARRIER, port: port.callerTcp },
      target: `${KAMAILIO}:${port.kamailio}`,
      keys: { did: '+390612345673', caller: NUISANCE },
      transport: 't1',
    });
    expect(refused.code, `${refused.out}\n${log()}`).toBe(0); // the scenario waits for the 607
    const rows = await attemptsOf(app, TOKEN, NUISANCE);
    expect(rows.map((r) => [r.verdict, r.finalStatus])).toEqual([['nuisance', 607]]);
  });

  it('pairs listed over TCP whose drachtio-server is gone (connection refused): each skipped, the PBX takes the call (PBX_URI)', async () => {
    const front = await startFront(
      'down',
      port.down,
      [`sip:${PAIR}:${port.dead};transport=tcp`, `sip:${PAIR}:${port.dead2};transport=tcp`],
      { PBX_URI: `sip:${PBX}:${port.pbx}`, ...ONE_UDP_WORKER },
    );
    try {
      await answeredByPbx(front, port.down, 't1', '+390612345674', '+390255566604');
      // Both pairs tried, each refusing the connection, then the PBX; the caller never got tm's own 477.
      expect(
        front.log().match(/crocetta-front: the pair sip:127\.0\.0\.2:\d+;transport=tcp could not be reached/g),
      ).toHaveLength(2);
      expect(front.log()).toMatch(
        /crocetta-front: no crocetta pair took it \(the last could not be reached\): INVITE from \+390255566604 .* sent to the PBX/,
      );
    } finally {
      await front.stop();
    }
  });

  it('a pair listed over TCP whose machine is gone (its connection never answered, no RST): after CROCETTA_TIMEOUT the PBX takes the call', async () => {
    await withGonePair(
      'gone',
      port.gone,
      port.silent,
      { PBX_URI: `sip:${PBX}:${port.pbx}`, ...ONE_UDP_WORKER },
      async (front) => {
        await answeredByPbx(front, port.silent, 'u1', '+390612345676', '+390255566606');
        expect(front.log()).toMatch(
          /crocetta-front: no crocetta pair took it \(the last answered 408 or nothing\): INVITE from \+390255566606 .* sent to the PBX/,
        );
      },
    );
  });

  it("without PBX_URI, a pair over TCP whose machine is gone: the caller gets Kamailio's 408 once the pair's timer runs out (CROCETTA_TIMEOUT here; fr_timer's 30 s when unset)", async () => {
    await withGonePair('gone-bare', port.gone2, port.goneBare, { CROCETTA_TIMEOUT: 1000 }, async (front) => {
      // Bounded well below fr_timer's 30 s: with the cfg's timer set, the 408 comes after ~1 s.
      const finals = await finalAnswers(front, port.goneBare, '+390612345677', '+390255566607', 15_000);
      expect(finals, front.log()).toEqual(['SIP/2.0 408 Request Timeout']);
      expect(front.log()).not.toMatch(/sent to the PBX/);
    });
  });

  it("without PBX_URI, a caller whose pair refuses the connection gets 503 once, not tm's 477", async () => {
    const front = await startFront('bare', port.bare, [`sip:${PAIR}:${port.dead};transport=tcp`]);
    try {
      const finals = await finalAnswers(front, port.bare, '+390612345675', '+390255566605', 10_000);
      expect(finals, front.log()).toEqual(['SIP/2.0 503 Service Unavailable']);
      expect(front.log()).toMatch(/crocetta-front: the pair sip:127\.0\.0\.2:\d+;transport=tcp could not be reached/);
    } finally {
      await front.stop();
    }
  });
});

/**
 * A stand-in for a machine that is gone, at host:port: it answers no SYN. On loopback every closed port answers RST, so
 * it is a listener whose accept queue is full (backlog 1, its process never accepting, two connections queued): Linux
 * then drops a new SYN without a word, and the connecting side retransmits it as it would to a machine that is gone.
 * `probed`: what a third connection saw within 1 s ('no answer' when the stand-in works).
 */
async function goneMachine(host: string, port: number): Promise<{ probed: string; close(): void }> {
  const listener = spawn(
    process.execPath,
    [
      '-e',
      `require('node:net').createServer().listen({ host: '${host}', port: ${port}, backlog: 1 }, () => {
        process.stdout.write('up');
        setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0), 50);
      });`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const queued: Socket[] = [];
  const close = (): void => {
    for (const s of queued) s.destroy();
    listener.kill('SIGKILL');
  };
  try {
    await new Promise<void>((up, fail) => listener.stdout?.once('data', () => up()).once('error', fail));
    await new Promise((r) => setTimeout(r, 200)); // its event loop blocked
    for (let i = 0; i < 2; i++) {
      const s = connect({ host, port });
      queued.push(s);
      await new Promise<void>((ok, fail) => s.once('connect', ok).once('error', fail));
    }
    const probe = connect({ host, port });
    queued.push(probe);
    const probed = await Promise.race([
      new Promise<string>((r) => probe.once('connect', () => r('connected')).once('error', (e) => r(e.message))),
      new Promise<string>((r) => setTimeout(() => r('no answer'), 1000)),
    ]);
    return { probed, close };
  } catch (err) {
    close();
    throw err;
  }
}

/**
 * An INVITE from the carrier at CARRIER to `did` through the front at KAMAILIO:`frontPort`, over TCP, by hand (no
 * sipp scenario waits for a failure): the final answers it got within `waitMs` (bounded; none is an empty list). A
 * refused connection throws with `front`'s log (why it did not listen).
 */
async function finalAnswers(
  front: RealKamailio,
  frontPort: number,
  did: string,
  caller: string,
  waitMs: number,
): Promise<string[]> {
  const socket = connect({ host: KAMAILIO, port: frontPort, localAddress: CARRIER });
  let received = '';
  socket.on('data', (d: Buffer) => (received += d.toString('utf8')));
  try {
    await new Promise<void>((ok, fail) =>
      socket
        .once('connect', ok)
        .once('error', (err) => fail(new Error(`${err.message}; the front's log:\n${front.log()}`))),
    );
    const local = `${CARRIER}:${socket.localPort}`;
    socket.write(
      [
        `INVITE sip:${did}@${KAMAILIO}:${frontPort};transport=tcp SIP/2.0`,
        `Via: SIP/2.0/TCP ${local};branch=z9hG4bK-kft-${frontPort}`,
        'Max-Forwards: 70',
        `From: <sip:${caller}@203.0.113.10>;tag=kft-${frontPort}`,
        `To: <sip:${did}@${KAMAILIO}>`,
        `Call-ID: kam-front-tcp-${frontPort}@127.0.0.1`,
        'CSeq: 1 INVITE',
        `Contact: <sip:carrier@${local};transport=tcp>`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    const finals = (): string[] => received.match(/^SIP\/2\.0 [2-6]\d\d[^\r]*/gm) ?? [];
    await eventually(() => (finals().length > 0 ? true : undefined), waitMs).catch(() => undefined);
    return finals();
  } finally {
    socket.destroy();
  }
}
