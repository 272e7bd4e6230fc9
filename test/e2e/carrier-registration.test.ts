/**
 * The registration trunk end to end, with real SIP software: Kamailio plays the carrier (docs/pbx/kamailio-carrier.cfg:
 * SHA-256 digest registrar, in-memory bindings, calls to the registered contact, 407 on outbound INVITEs), a real
 * drachtio-server carries crocetta's SIP, sipp plays the callers, the PBX and the called party. Needs `drachtio`,
 * `kamailio` and `sipp` on PATH: CI has no drachtio-server, so there it is skipped (the double covers the same
 * behaviours in test/integration/trunk-*.test.ts); the Kamailio config's syntax is still checked where Kamailio is.
 * Ports: free ones picked in 26100-26999 on 127.0.0.x at each run (E2E_PORTS=23000-23999: another range).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Crocetta } from '../../src/app.js';
import {
  CARRIER_CFG,
  ONE_CARRIER_HOSTS,
  pickAddrs,
  realTools,
  sipUri,
  startDrachtio,
  startKamailio,
  until,
  type Addr,
  type RealDrachtio,
  type RealKamailio,
} from '../support/real-sip-tools.js';
import { startE2eCrocetta, stopE2e } from '../support/e2e-crocetta.js';
import { scenarioRunner } from '../support/scenario-runner.js';

const TOOLS = realTools(['drachtio', 'kamailio', 'sipp']);
const KAMAILIO = realTools(['kamailio']);

const ACCOUNT = '0612345678';
const PASSWORD = 'e2e-Secret!';
const DID = '+390612345699';
const SECRET = 'e2e-cymru';
const TOKEN = 'e2e-token-0123456789';

describe.skipIf(KAMAILIO.missing.length > 0)(`the stand-in carrier's kamailio.cfg${KAMAILIO.skipped}`, () => {
  it('passes kamailio -c, with its defaults and with overrides', () => {
    for (const defines of [
      [],
      ['-A', 'SIP_LISTEN=udp:127.0.0.2:26071', '-A', 'ACCOUNT="123"', '-A', 'ACCOUNT_PASSWORD="a b"'],
      ['-A', 'AUTH_ALGORITHM="SHA-256"'],
    ]) {
      const check = spawnSync(KAMAILIO.bin.kamailio ?? 'kamailio', ['-c', '-f', CARRIER_CFG, ...defines], {
        encoding: 'utf8',
      });
      expect(`${check.stdout}${check.stderr}`).toContain('config file ok');
      expect(check.status).toBe(0);
    }
  });
});

describe.skipIf(TOOLS.missing.length > 0)(
  `registration trunk against real drachtio-server, Kamailio and sipp${TOOLS.skipped}`,
  () => {
    let dir = '';
    let ADDR: Record<keyof typeof ONE_CARRIER_HOSTS, Addr>;
    let kamailio: RealKamailio | undefined;
    let drachtio: RealDrachtio | undefined;
    let app: Crocetta | undefined;
    let stopped = false;
    const logs: Array<Record<string, unknown>> = [];
    let registeredAt = 0;

    const crocetta = (): Crocetta => {
      if (app === undefined) throw new Error('e2e: crocetta did not start');
      return app;
    };
    /** What the carrier logged, across its restarts. */
    const kamailioLog = (): string => kamailio?.log() ?? '';
    /** The REGISTERs Kamailio accepted (its script logs one line each; refused ones end with "refused"). */
    const registerLines = (): string[] =>
      kamailioLog()
        .split('\n')
        .filter((l) => l.includes(`REGISTER ${ACCOUNT} contact`) && !l.endsWith('refused'));

    const sipp = scenarioRunner(() => dir);
    /** A caller at the carrier (sipp, `scenario`) rings our DID through Kamailio. */
    const carrierCaller = (scenario: string, caller: string) => ({
      scenario,
      at: ADDR.caller,
      target: `${ADDR.kamailio.host}:${ADDR.kamailio.port}`,
      keys: { did: DID, caller },
    });

    /** The stand-in carrier; its log is appended to across restarts, read back by kamailioLog(). */
    const startCarrier = (): Promise<RealKamailio> =>
      startKamailio(dir, {
        cfg: CARRIER_CFG,
        listen: ADDR.kamailio,
        defines: {
          ACCOUNT,
          ACCOUNT_PASSWORD: PASSWORD,
          PSTN_GATEWAY: sipUri(ADDR.pstn),
          MIN_EXPIRES: 40,
          // SHA-256 (RFC 8760) for the registration and the outbound INVITE's 407: drachtio-srf's own digest client
          // (MD5 only) could not pass this carrier; crocetta's digest must.
          AUTH_ALGORITHM: 'SHA-256',
        },
      });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'crocetta-e2e-trunk-'));
      ADDR = await pickAddrs(ONE_CARRIER_HOSTS, 26_100, 27_000);
      [kamailio, drachtio] = await Promise.all([
        startCarrier(),
        startDrachtio(dir, { admin: ADDR.drachtioAdmin.port, sip: ADDR.drachtio.port }, SECRET),
      ]);

      app = await startE2eCrocetta({
        dir,
        adminPort: ADDR.drachtioAdmin.port,
        secret: SECRET,
        token: TOKEN,
        pbxUri: sipUri(ADDR.pbx),
        env: {
          TRUNK_REGISTRAR: sipUri(ADDR.kamailio),
          TRUNK_USERNAME: ACCOUNT,
          TRUNK_PASSWORD: PASSWORD,
          TRUNK_DOMAIN: 'carrier.test',
          TRUNK_EXPIRES: '30', // below the carrier's Min-Expires 40: a real 423 first
          TRUNK_INBOUND_FROM: ADDR.kamailio.host,
        },
        // OPTIONS every 2 s, so the carrier's restart below is seen at once
        configure: (config) => void (config.trunk.keepaliveSeconds = 2),
        logs,
        level: 'debug',
        waitConnected: false,
      });
    }, 30_000);

    // E2E_KEEP=1 keeps the logs (kamailio.log, crocetta.log, drachtio.log, sipp's) for a look after a failure.
    afterAll(() => stopE2e({ dir, app: stopped ? undefined : app, software: [kamailio, drachtio], logs }), 30_000);

    it('registers: answers the 401, follows the 423 with Min-Expires, and is granted 40 s', async () => {
      await until('registration', () => (crocetta().trunk?.status.state === 'registered' ? true : undefined), 15_000);
      registeredAt = Date.now();
      expect(crocetta().trunk?.status.grantedSeconds).toBe(40);
      // Our Contact is drachtio-server's UDP address and port, as it reported them on connect.
      // Kamailio's save() answers the REGISTER before the script logs its line: wait for the line.
      await until('the REGISTER in the carrier log', () => registerLines()[0], 5000);
      expect(registerLines()[0], kamailioLog()).toContain(
        `contact <sip:${ACCOUNT}@${ADDR.drachtio.host}:${ADDR.drachtio.port}> expires 40`,
      );
      expect(kamailioLog()).toMatch(/REGISTER from .* challenged/);
      expect(kamailioLog()).toMatch(/REGISTER 0612345678 contact .* expires 30 cseq \d+ refused/); // the 423
    });

    it('delivers a call to the registered contact to the sipp PBX with the DID as Request-URI user', async () => {
      const { caller, answerer: answered } = await sipp.call(
        { scenario: 'pbx-answers-did.xml', at: ADDR.pbx },
        carrierCaller('caller-answered.xml', '+393331234567'),
      );
      expect(caller.code, caller.out).toBe(0);
      expect(answered.code, answered.out).toBe(0);
      expect(answered.logs).toContain(`request-uri-user=${DID}`);
      expect(kamailioLog()).toContain(
        `call for ${DID} from +393331234567 to the registered contact sip:${ACCOUNT}@${ADDR.drachtio.host}:${ADDR.drachtio.port}`,
      );
      await crocetta().register.flush();
      const res = await fetch(`http://127.0.0.1:${crocetta().httpPort}/api/attempts?number=%2B393331234567&limit=1`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      const body = (await res.json()) as { attempts: Array<{ calledNumber: string; verdict: string }> };
      expect(body.attempts[0]?.calledNumber).toBe(DID);
    });

    it('refuses a caller the office marked as nuisance with 607', async () => {
      const mark = await fetch(`http://127.0.0.1:${crocetta().httpPort}/api/numbers/%2B390287176900/mark`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ label: 'nuisance', company: 'Example Energia' }),
      });
      expect(mark.status).toBe(200);
      const caller = await sipp.play(carrierCaller('caller-refused.xml', '+390287176900'));
      expect(caller.code, caller.out).toBe(0);
    });

    it('carries a text message (SIP MESSAGE) to the registered contact as a call: to the PBX with the DID, a marked sender 607', async () => {
      // The carrier's MESSAGE reaches crocetta only if kamailio-carrier.cfg routes it (it answered 405 before).
      const { caller: sender, answerer: pbx } = await sipp.call(
        { scenario: 'pbx-takes-message.xml', at: ADDR.pbx },
        carrierCaller('message-delivered.xml', '+393339876543'),
      );
      expect(sender.code, sender.out).toBe(0);
      expect(pbx.code, pbx.out).toBe(0);
      expect(pbx.logs).toContain(`request-uri-user=${DID}`);
      expect(pbx.logs).toContain('text=Offerta luce e gas: chiamaci!');
      // The carrier's log calls it what it is (it said "call for" before).
      expect(kamailioLog()).toMatch(/text message for \S+ from \S*393339876543 to the registered contact/);
      expect(kamailioLog()).not.toMatch(/call for \S+ from \S*393339876543/);
      const refused = await sipp.play(carrierCaller('message-refused.xml', '+390287176900'));
      expect(refused.code, refused.out).toBe(0);
      await crocetta().register.flush();
      const res = await fetch(`http://127.0.0.1:${crocetta().httpPort}/api/attempts?limit=2`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      const body = (await res.json()) as {
        attempts: Array<{ kind: string; callerE164: string; calledNumber: string; finalStatus: number | null }>;
      };
      expect(body.attempts.map((a) => [a.kind, a.callerE164, a.calledNumber, a.finalStatus])).toEqual([
        ['message', '+390287176900', DID, 607],
        ['message', '+393339876543', DID, 200],
      ]);
    });

    it("passes the PBX's outbound call through the carrier's 407 with the trunk credentials", async () => {
      const { caller: pbx, answerer: called } = await sipp.call(
        { scenario: 'pstn-answers.xml', at: ADDR.pstn },
        {
          scenario: 'pbx-calls-out.xml',
          at: ADDR.pbxOut,
          target: `${ADDR.drachtio.host}:${ADDR.drachtio.port}`,
          keys: { did: '0298765409' },
        },
      );
      expect(pbx.code, pbx.out).toBe(0);
      expect(called.code, called.out).toBe(0);
      expect(called.logs).toContain('request-uri-user=0298765409');
      expect(kamailioLog()).toMatch(/INVITE from 0612345678 to 0298765409 challenged/);
      expect(kamailioLog()).toContain('outbound call from 0612345678 to 0298765409 authenticated');
    });

    it('refreshes the 40 s grant half-way, on the same Call-ID, and never lapses', async () => {
      await until(
        'the refresh',
        () => (registerLines().length >= 2 ? true : undefined),
        Math.max(1000, registeredAt + 30_000 - Date.now()),
      );
      const cseqs = registerLines().map((l) => Number(/cseq (\d+)/.exec(l)?.[1]));
      expect(cseqs[1]).toBeGreaterThan(cseqs[0] ?? 0);
      expect(logs.filter((l) => l.msg === 'trunk not registered' && Number(l.time) > registeredAt)).toEqual([]);
      expect(crocetta().trunk?.status.state).toBe('registered');
    }, 40_000);

    it('notices the carrier restarting (its bindings lost) and registers again as soon as it answers', async () => {
      await kamailio?.stop();
      // drachtio-server answers the OPTIONS itself (503, ICMP port unreachable): that is no answer.
      await until(
        'not registered',
        () => (crocetta().trunk?.status.state === 'not-registered' ? true : undefined),
        10_000,
      );
      expect(crocetta().trunk?.status).toMatchObject({
        problem: 'unreachable',
        reason: 'the registrar stopped answering OPTIONS',
      });
      const before = registerLines().length;
      // stop() waited for the old carrier to let go of its port; from the moment the new one listens again:
      // Kamailio's own start (seconds at load 9-12) is not crocetta's delay.
      kamailio = await startCarrier();
      const back = Date.now();
      await until(
        'registered again',
        () => (crocetta().trunk?.status.state === 'registered' ? true : undefined),
        15_000,
      );
      expect(Date.now() - back).toBeLessThan(8000); // the next OPTIONS, not the backoff
      // Kamailio's save() answers the REGISTER before the script logs its line: the line may come just after.
      await until(
        'the new REGISTER in the carrier log',
        () => (registerLines().length > before ? true : undefined),
        5000,
      );
    }, 40_000);

    it('un-registers (Expires 0) when it stops', async () => {
      stopped = true;
      await crocetta().stop();
      await until(
        'the un-REGISTER',
        () => (registerLines().some((l) => /expires 0 cseq/.test(l)) ? true : undefined),
        5000,
      );
      expect(logs.some((l) => l.msg === 'un-registered from the carrier')).toBe(true);
    });
  },
);
