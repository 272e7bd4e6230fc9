/**
 * The Kamailio front recipe with real software behind it: the real Kamailio (docs/pbx/kamailio-front.cfg, PBX_URI set)
 * on 127.0.0.3 in front of a real drachtio-server on 127.0.0.2 with crocetta (ACTION_NUISANCE=reject:503), listed as
 * two pairs (two SIP ports of the same drachtio-server, so both attempts land in one register), and a PBX on 127.0.0.4
 * that answers 486 to whatever reaches it. Kamailio asks crocetta for its refusal mark on every request it sends a pair
 * (a first Route naming the pair, `;crocetta-front`), so with crocetta's defaults as with MARK_REFUSALS=true the caller
 * on crocetta's nuisance list gets crocetta's own 503 and nothing else happens (without the mark Kamailio would take
 * that 503 for a pair that is down, try the next pair, then send the refused caller to the PBX, unscreened). The ask
 * never reaches the PBX: not on a call crocetta proxies there (drachtio-server removes that Route; session 30's
 * `X-Crocetta-Front` header went through), nor on one Kamailio sends there with no crocetta connected, not even an
 * `X-Crocetta-Front` the carrier sent. Nor does a carrier's preloaded Route (the front as its outbound proxy, or a hop
 * beyond): the front removes it, where drachtio-server removed only the front's own Route and the PBX got the carrier's.
 * Skipped, with the reason, where Kamailio or drachtio-server is not installed. Ports: free ones in 29200-29399 (or
 * E2E_PORTS) on 127.0.0.x, picked at each run.
 */
import dgram from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Crocetta } from '../../src/app.js';
import { FRONT_ASKS_MARK, FRONT_ROUTE_PARAM, REFUSAL_MARK } from '../../src/sip/verdict-to-sip.js';
import { attemptsOf, stopE2e } from '../support/e2e-crocetta.js';
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

const TOOLS = realTools(['kamailio', 'drachtio']);
const DID = '+390612345678';
const NUISANCE = '+390298765432';
/** A caller crocetta lets through: proxied to the PBX. */
const CUSTOMER = '+390255566677';

const header = (m: string, name: string): string | undefined =>
  m
    .split('\r\n')
    .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    ?.slice(name.length + 1)
    .trim();
const firstLine = (m: string): string => m.slice(0, m.indexOf('\r\n'));

/** A UDP SIP endpoint that keeps what it receives; `answer` (the PBX) replies to each INVITE. */
class Endpoint {
  readonly received: string[] = [];
  private constructor(
    readonly socket: dgram.Socket,
    answer?: (m: string, from: dgram.RemoteInfo) => string | null,
  ) {
    socket.on('message', (buf, from) => {
      const m = buf.toString('utf8');
      this.received.push(m);
      const reply = answer?.(m, from) ?? null;
      if (reply !== null) socket.send(reply, from.port, from.address);
    });
  }
  static async open(
    address: string,
    port = 0,
    answer?: (m: string, from: dgram.RemoteInfo) => string | null,
  ): Promise<Endpoint> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((ok) => socket.bind(port, address, ok));
    return new Endpoint(socket, answer);
  }
  get port(): number {
    return this.socket.address().port;
  }
  async waitFor(pred: (m: string) => boolean, ms: number, log: () => string): Promise<string> {
    const end = Date.now() + ms;
    for (;;) {
      const found = this.received.find(pred);
      if (found !== undefined) return found;
      if (Date.now() > end)
        throw new Error(`nothing matching within ${ms} ms; received:\n${this.received.join('\n')}\n${log()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  close(): void {
    this.socket.close();
  }
}

/** The PBX's 486 to an INVITE (its 'ACK' and anything else: no answer). */
function busy(m: string): string | null {
  if (!m.startsWith('INVITE ')) return null;
  return [
    'SIP/2.0 486 Busy Here',
    ...m.split('\r\n').filter((l) => /^via:/i.test(l)),
    `From: ${header(m, 'From')}`,
    `To: ${header(m, 'To')};tag=pbx`,
    `Call-ID: ${header(m, 'Call-ID')}`,
    `CSeq: ${header(m, 'CSeq')}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

describe.skipIf(TOOLS.missing.length > 0)(
  `crocetta's own 503 behind the real Kamailio front and drachtio-server${TOOLS.skipped}`,
  () => {
    let dir = '';
    let drachtio: RealDrachtio | undefined;
    let kamailio: RealKamailio | undefined;
    let app: Crocetta | undefined;
    let caller: Endpoint;
    let pbx: Endpoint;
    let kamailioPort = 0;
    let admin = 0;
    let seq = 0;
    const log = (): string => kamailio?.log() ?? '';

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'crocetta-e2e-kamailio-front-'));
      const [k = 0, a = 0, s1 = 0, s2 = 0, p = 0] = await pickPorts(5, [CARRIER, PAIR, KAMAILIO, PBX], 29_200, 29_400);
      kamailioPort = k;
      admin = a;
      drachtio = await startPairDrachtio(dir, admin, [s1, s2], 'udp');
      pbx = await Endpoint.open(PBX, p, busy);
      caller = await Endpoint.open(CARRIER);
      // Kamailio's own list is empty: every caller reaches crocetta, which decides.
      kamailio = await startKamailioFront(dir, {
        listen: { host: KAMAILIO, port: kamailioPort },
        pairs: [`sip:${PAIR}:${s1}`, `sip:${PAIR}:${s2}`],
        defines: { PBX_URI: `sip:${PBX}:${p}` },
      });
    }, 30_000);

    afterEach(async () => {
      await app?.stop().catch(() => undefined);
      app = undefined;
    });

    afterAll(async () => {
      await stopE2e({ dir, app: undefined, software: [kamailio, drachtio] });
      caller?.close();
      pbx?.close();
    });

    /** crocetta with `env` on the same register, the nuisance caller marked. */
    const startCrocetta = async (env: Record<string, string>): Promise<Crocetta> => {
      app = await startPairCrocetta(dir, admin, pbx.port, [NUISANCE], { ACTION_NUISANCE: 'reject:503', ...env });
      return app;
    };

    /** `from`'s INVITE (the nuisance caller's by default) through Kamailio: its final answer (ACKed), its Call-ID. */
    const call = async (extra: string[] = [], from = NUISANCE): Promise<{ answer: string; callId: string }> => {
      seq++;
      const callId = `kam-front-real-${seq}-${Date.now()}@${CARRIER}`;
      const branch = `z9hG4bK-kfr-${seq}-${Date.now()}`;
      const lines = (method: string, to: string) => [
        `${method} sip:${DID}@${KAMAILIO}:${kamailioPort} SIP/2.0`,
        `Via: SIP/2.0/UDP ${CARRIER}:${caller.port};branch=${branch}`,
        'Max-Forwards: 70',
        `From: <sip:${from}@203.0.113.10>;tag=f${seq}`,
        `To: ${to}`,
        `Call-ID: ${callId}`,
      ];
      const invite = [
        ...lines('INVITE', `<sip:${DID}@${KAMAILIO}>`),
        'CSeq: 1 INVITE',
        `Contact: <sip:carrier@${CARRIER}:${caller.port}>`,
        ...extra,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      caller.socket.send(invite, kamailioPort, KAMAILIO);
      const answer = await caller.waitFor(
        (m) => header(m, 'Call-ID') === callId && /^SIP\/2.0 [3-6]\d\d/.test(m),
        15_000,
        log,
      );
      const ack = [...lines('ACK', header(answer, 'To') ?? ''), 'CSeq: 1 ACK', 'Content-Length: 0', '', ''].join(
        '\r\n',
      );
      caller.socket.send(ack, kamailioPort, KAMAILIO);
      return { answer, callId };
    };
    const pbxInvites = (callId: string): number =>
      pbx.received.filter((m) => m.startsWith('INVITE ') && header(m, 'Call-ID') === callId).length;

    it.each([
      ["crocetta's defaults (Kamailio asks for the mark in its Route to the pair)", {}],
      ['MARK_REFUSALS=true (every refusal marked)', { MARK_REFUSALS: 'true' }],
    ])("with %s: the caller gets crocetta's 503, once, never the PBX", async (_, env) => {
      const running = await startCrocetta(env);
      const { answer, callId } = await call();
      expect(firstLine(answer), log()).toBe('SIP/2.0 503 Service Unavailable');
      // The mark stays between crocetta and Kamailio.
      expect(header(answer, REFUSAL_MARK)).toBeUndefined();
      expect(log()).toContain(`crocetta-front: crocetta refused INVITE from ${NUISANCE} with 503: relayed`);
      expect(pbxInvites(callId)).toBe(0);
      const rows = (await attemptsOf(running, TOKEN, NUISANCE)).filter((r) => r.callId === callId);
      expect(rows.map((r) => [r.verdict, r.finalStatus])).toEqual([['nuisance', 503]]);
    });

    it("a call crocetta lets through reaches the PBX without the front's ask (it stays between Kamailio and crocetta)", async () => {
      const running = await startCrocetta({});
      const { answer, callId } = await call([], CUSTOMER);
      expect(firstLine(answer), log()).toBe('SIP/2.0 486 Busy Here');
      const reached = pbx.received.filter((m) => m.startsWith('INVITE ') && header(m, 'Call-ID') === callId);
      expect(reached).toHaveLength(1);
      // drachtio-server relays the request as it came, less its first Route: before, the PBX got the front's
      // `X-Crocetta-Front: mark` (an empty one in the proxy's headers was only added beside it).
      expect(reached[0], log()).not.toMatch(new RegExp(`^${FRONT_ASKS_MARK}:|;${FRONT_ROUTE_PARAM}\\b`, 'im'));
      // Addressed to the PBX as without a front (PBX_URI with the DID), not to the Request-URI the carrier sent Kamailio.
      expect(firstLine(reached[0] ?? ''), log()).toBe(`INVITE sip:${DID}@${PBX}:${pbx.port} SIP/2.0`);
      const rows = (await attemptsOf(running, TOKEN, CUSTOMER)).filter((r) => r.callId === callId);
      expect(rows.map((r) => [r.verdict, r.finalStatus])).toEqual([['unknown', 486]]);
    });

    /**
     * A carrier's preloaded Route on a new call: its outbound proxy (this front), or hops beyond it; whether Kamailio
     * logs it (a Route naming another hop, which the front does not follow).
     */
    const OTHER_HOP = '192.0.2.77:5060';
    const preloaded = (): [string, string[], boolean][] => [
      ['naming the front (its outbound proxy)', [`Route: <sip:${KAMAILIO}:${kamailioPort};lr>`], false],
      [
        'naming the front, then another hop',
        [`Route: <sip:${KAMAILIO}:${kamailioPort};lr>`, `Route: <sip:${OTHER_HOP};lr>`],
        true,
      ],
      [
        'naming the front and another hop in one field',
        [`Route: <sip:${KAMAILIO}:${kamailioPort};lr>, <sip:${OTHER_HOP};lr>`],
        true,
      ],
      ['naming another hop only', [`Route: <sip:${OTHER_HOP};lr>`], true],
    ];
    /** The PBX got `callId`'s INVITE once, addressed to it as without the front (PBX_URI with the DID), no Route. */
    const routelessAtPbx = (callId: string, what: string): void => {
      const reached = pbx.received.filter((m) => m.startsWith('INVITE ') && header(m, 'Call-ID') === callId);
      expect(reached, what).toHaveLength(1);
      expect(header(reached[0] ?? '', 'Route'), `${what}: ${reached[0]}`).toBeUndefined();
      expect(firstLine(reached[0] ?? ''), what).toBe(`INVITE sip:${DID}@${PBX}:${pbx.port} SIP/2.0`);
    };
    const ROUTE_LOGGED = /crocetta-front: INVITE from 127\.0\.0\.1 with a Route naming another hop: removed/g;
    const routeLogs = (): number => log().match(ROUTE_LOGGED)?.length ?? 0;

    it("a carrier's preloaded Route never reaches the PBX: crocetta forwards the call as without the front", async () => {
      const running = await startCrocetta({});
      for (const [i, [what, route, logged]] of preloaded().entries()) {
        // A customer of its own for each call: a fourth call within the hour would make the same one suspect.
        const customer = `${CUSTOMER.slice(0, -1)}${i}`;
        const before = routeLogs();
        const { answer, callId } = await call(route, customer);
        expect(firstLine(answer), `${what}\n${log()}`).toBe('SIP/2.0 486 Busy Here');
        // Before, drachtio-server removed only the front's Route and the carrier's went on to the PBX.
        routelessAtPbx(callId, what);
        const rows = (await attemptsOf(running, TOKEN, customer)).filter((r) => r.callId === callId);
        expect(
          rows.map((r) => [r.verdict, r.finalStatus]),
          what,
        ).toEqual([['unknown', 486]]);
        expect(routeLogs() - before, `${what}\n${log()}`).toBe(logged ? 1 : 0);
      }
    });

    it("a carrier's preloaded Route does not keep crocetta's own 503 from reaching the caller", async () => {
      const running = await startCrocetta({});
      for (const [what, route] of preloaded()) {
        const { answer, callId } = await call(route);
        expect(firstLine(answer), `${what}\n${log()}`).toBe('SIP/2.0 503 Service Unavailable');
        expect(pbxInvites(callId), what).toBe(0);
        const rows = (await attemptsOf(running, TOKEN, NUISANCE)).filter((r) => r.callId === callId);
        expect(
          rows.map((r) => [r.verdict, r.finalStatus]),
          what,
        ).toEqual([['nuisance', 503]]);
      }
    });

    it("no crocetta connected: drachtio-server's 503 is failed over to the PBX, which never sees the front's ask", async () => {
      // The carrier's own copy of the header is removed too: only the front asks crocetta for the mark.
      const { answer, callId } = await call([`${FRONT_ASKS_MARK}: mark`]);
      expect(firstLine(answer), log()).toBe('SIP/2.0 486 Busy Here');
      const reached = pbx.received.filter((m) => m.startsWith('INVITE ') && header(m, 'Call-ID') === callId);
      expect(reached).toHaveLength(1);
      expect(header(reached[0] ?? '', FRONT_ASKS_MARK)).toBeUndefined();
      expect(reached[0]).not.toContain(`;${FRONT_ROUTE_PARAM}`);
      expect(firstLine(reached[0] ?? '')).toBe(`INVITE sip:${DID}@${PBX}:${pbx.port} SIP/2.0`);
      expect(log()).toMatch(/crocetta-front: no crocetta pair took it \(the last answered 503\)/);
    });

    it("no crocetta connected: a carrier's preloaded Route does not reach the PBX on the last resort either", async () => {
      for (const [what, route] of preloaded()) {
        const { answer, callId } = await call(route, CUSTOMER);
        expect(firstLine(answer), `${what}\n${log()}`).toBe('SIP/2.0 486 Busy Here');
        routelessAtPbx(callId, what);
      }
    });
  },
);
