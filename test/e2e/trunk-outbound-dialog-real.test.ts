/**
 * The PBX's outbound call over a registration trunk, after the answer, with real SIP software: Kamailio plays a
 * carrier that challenges every request the account sends in the call (re-INVITE, INFO, BYE) with 407 as it
 * challenges the INVITE (docs/pbx/kamailio-carrier.cfg with one route more, written to the test's folder), a real
 * drachtio-server 0.9.10 carries crocetta's SIP, sipp plays the PBX (test/e2e/scenarios/pbx-calls-out-holds.xml:
 * hold, a re-INVITE without SDP answered in its ACK, a key by INFO, BYE) and the called party
 * (pstn-answers-held.xml: its own hold, an UPDATE with a new SDP, a re-INVITE without SDP); the keepalives of a call
 * (pbx-calls-out-keepalive.xml, pstn-answers-keepalive.xml: OPTIONS both ways relayed, the PBX's 481 ends the call
 * with a BYE on both legs); a PBX that vanished, its port closed (pbx-calls-out-vanishes.xml) or silent
 * (pbx-calls-out-goes-silent.xml), leaving the called party's OPTIONS unanswered
 * (pstn-answers-keepalive-unanswered.xml: drachtio-server's own 503, or its 408 after timer F; 408 to the called
 * party, then a BYE on both legs); the PBX's 481 to the called party's DTMF INFO (pbx-calls-out-info-gone.xml,
 * pstn-answers-info-gone.xml: a BYE on both legs); a re-INVITE without SDP the PBX never ACKs (pbx-calls-out-no-ack.xml,
 * pstn-answers-no-ack.xml: the called party's offer ACKed by crocetta, then a BYE on both legs); and a PBX that never
 * ACKs the call's 200 (pbx-calls-out-never-acks.xml, pstn-answers-then-bye.xml: drachtio-server's own BYE after timer
 * H, 32 s, passed on to the carrier's leg); UPDATEs before the answer from both sides (pbx-calls-out-early-update.xml,
 * pstn-rings-early-update.xml: answered by crocetta, a refresh 200 without a body, a new offer 488). Needs `drachtio`, `kamailio` and `sipp` on PATH, else skipped (the double
 * covers the same in test/integration/trunk-outbound-dialog.test.ts). Ports: free ones in 26100-26999 (or E2E_PORTS)
 * on 127.0.0.1-3.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Crocetta } from '../../src/app.js';
import {
  CARRIER_CFG,
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

const ACCOUNT = '0612345678';
const PASSWORD = 'e2e-Dialog!';
const HOSTS = { admin: '127.0.0.1', drachtio: '127.0.0.1', kamailio: '127.0.0.2', pbx: '127.0.0.3', pstn: '127.0.0.3' };
const SECRET = 'e2e-dialog';
const TOKEN = 'e2e-token-dialog-0123456789';

/** The stand-in carrier, challenging the account's requests in a call too (some carriers do). */
function carrierConfig(): string {
  const base = readFileSync(CARRIER_CFG, 'utf8');
  const inCall = '\tif (has_totag()) {\n\t\troute(WITHINDLG);';
  if (!base.includes(inCall)) throw new Error('e2e: docs/pbx/kamailio-carrier.cfg no longer has the in-call branch');
  return `${base.replace(
    inCall,
    // The ACK of a 407 to a re-INVITE carries the dialog's To tag: absorbed by the transaction (t_check_trans ends
    // the script for it), not loose-routed on to the called party.
    '\tif (has_totag()) {\n\t\tif (is_method("ACK")) t_check_trans();\n\t\tif (is_method("INVITE|BYE|INFO|UPDATE") && $fU == ACCOUNT) route(CHALLENGE_IN_CALL);\n\t\troute(WITHINDLG);',
  )}
route[CHALLENGE_IN_CALL] {
	if (!pv_proxy_authenticate(REALM, ACCOUNT_PASSWORD, "0")) {
		xlog("L_INFO", "$rm in the call from $fU challenged (auth result $rc)\\n");
		t_newtran();
		proxy_challenge(REALM, "1");
		exit;
	}
	consume_credentials();
	xlog("L_INFO", "$rm in the call from $fU authenticated\\n");
}
`;
}

describe.skipIf(TOOLS.missing.length > 0)(
  `an outbound call's requests after the answer, against real drachtio-server, Kamailio and sipp${TOOLS.skipped}`,
  () => {
    let dir = '';
    let kamailio: RealKamailio | undefined;
    let drachtio: RealDrachtio | undefined;
    let app: Crocetta | undefined;
    const logs: Array<Record<string, unknown>> = [];
    let ADDR: Record<keyof typeof HOSTS, Addr>;
    const kamailioLog = (): string => kamailio?.log() ?? '';
    const sipp = scenarioRunner(() => dir);

    /**
     * The PBX calls 0298765409 out through crocetta and the carrier with `pbxScenario` (test/e2e/scenarios), the
     * called party answers with `pstnScenario`; both must end as their scenarios expect (the message has what each
     * printed and the carrier's log). Their trace logs and the carrier's log, for what the test checks.
     */
    const callOut = async (pstnScenario: string, pbxScenario: string, timeoutSeconds?: number) => {
      const { caller: pbx, answerer: called } = await sipp.call(
        { scenario: pstnScenario, at: ADDR.pstn, timeoutSeconds },
        {
          scenario: pbxScenario,
          at: ADDR.pbx,
          target: `${ADDR.drachtio.host}:${ADDR.drachtio.port}`,
          keys: { did: '0298765409' },
          timeoutSeconds,
        },
      );
      const carrier = kamailioLog();
      expect([pbx.code, called.code], `PBX:\n${pbx.out}\ncalled party:\n${called.out}\n${carrier}`).toEqual([0, 0]);
      return { pbx, called, carrier };
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'crocetta-e2e-dialog-'));
      ADDR = await pickAddrs(HOSTS, 26_100, 27_000);
      const cfg = join(dir, 'kamailio-carrier.cfg');
      writeFileSync(cfg, carrierConfig());
      [kamailio, drachtio] = await Promise.all([
        startKamailio(dir, {
          cfg,
          listen: ADDR.kamailio,
          defines: {
            ACCOUNT,
            ACCOUNT_PASSWORD: PASSWORD,
            PSTN_GATEWAY: sipUri(ADDR.pstn),
            AUTH_ALGORITHM: 'SHA-256',
          },
        }),
        startDrachtio(dir, { admin: ADDR.admin.port, sip: ADDR.drachtio.port }, SECRET),
      ]);
      app = await startE2eCrocetta({
        dir,
        adminPort: ADDR.admin.port,
        secret: SECRET,
        token: TOKEN,
        pbxUri: sipUri(ADDR.pbx),
        env: {
          TRUNK_REGISTRAR: sipUri(ADDR.kamailio),
          TRUNK_USERNAME: ACCOUNT,
          TRUNK_PASSWORD: PASSWORD,
          TRUNK_DOMAIN: 'carrier.test',
          TRUNK_INBOUND_FROM: HOSTS.kamailio,
        },
        // RFC 3261's 32 s, shortened so that the call whose ACK never comes ends within the test.
        configure: (c) => {
          c.pbx.ackTimeout = '3s';
        },
        logs,
        level: 'debug',
      });
      await until('registration', () => (app?.trunk?.status.state === 'registered' ? true : undefined));
    }, 40_000);

    afterAll(() => stopE2e({ dir, app, software: [kamailio, drachtio], logs }), 30_000);

    it("holds, re-offers, sends a key and hangs up through the carrier's 407s on each, and takes the called party's hold, UPDATE and re-offer", async () => {
      const { pbx, called, carrier } = await callOut('pstn-answers-held.xml', 'pbx-calls-out-holds.xml');
      expect(pbx.logs).toContain('hold answered: a=recvonly');
      expect(pbx.logs).toContain('offer in the 200: o=pstn-offer');
      expect(called.logs).toContain('hold offered: a=sendonly');
      expect(called.logs).toContain('answer in the ACK: o=pbx-ack-answer');
      expect(called.logs).toContain('key: Signal=5');
      // What the called party sends through the carrier reaches the PBX, and the PBX's answers come back.
      expect(pbx.logs).toContain("carrier's hold: a=inactive");
      expect(called.logs).toContain('hold answered: a=inactive');
      expect(pbx.logs).toContain("carrier's UPDATE: o=pstn-update");
      expect(called.logs).toContain('UPDATE answered: o=pbx-update-answer');
      expect(pbx.logs).toContain("carrier's re-INVITE without offer: Content-Length: 0");
      expect(called.logs).toContain('offer in the 200: o=pbx-offer');
      expect(pbx.logs).toContain("answer in the carrier's ACK: o=pstn-ack-answer");
      for (const method of ['INVITE', 'INFO', 'BYE']) {
        expect(carrier).toContain(`${method} in the call from ${ACCOUNT} challenged`);
        expect(carrier).toContain(`${method} in the call from ${ACCOUNT} authenticated`);
      }
      expect(logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
    }, 40_000);

    it("relays the call's OPTIONS keepalives both ways, and ends the call on both legs when the PBX answers one with 481", async () => {
      const { pbx, called, carrier } = await callOut('pstn-answers-keepalive.xml', 'pbx-calls-out-keepalive.xml');
      expect(pbx.logs).toContain("carrier's keepalive reached the PBX");
      expect(called.logs).toContain('keepalive answered: 200');
      expect(called.logs).toContain("PBX's keepalive reached the called party");
      expect(pbx.logs).toContain('PBX keepalive answered: 200');
      expect(called.logs).toContain('keepalive answered: 481');
      expect(called.logs).toContain('BYE to the called party: cause=481');
      expect(pbx.logs).toContain('BYE to the PBX: cause=481');
      // The BYE towards the carrier went through its challenge, as every BYE of the account does here.
      expect(carrier).toContain(`BYE in the call from ${ACCOUNT} authenticated`);
      const ended = await until('the end of the call', () =>
        logs.find((l) => l.msg === 'outbound call ended' && l.by === 'crocetta'),
      );
      expect(String(ended.reason)).toContain('481');
      expect(logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
    }, 40_000);

    it("ends the call on both legs when the PBX vanished: the carrier's OPTIONS gets no answer from it (drachtio-server's 503, port closed)", async () => {
      const { called, carrier } = await callOut('pstn-answers-keepalive-unanswered.xml', 'pbx-calls-out-vanishes.xml');
      expect(called.logs).toContain('keepalive answered: 408');
      // drachtio-server writes the Reason again without spaces.
      expect(called.logs).toMatch(
        /BYE to the called party: cause=503 ?;text="no answer from the PBX to OPTIONS \(503\)"/,
      );
      expect(carrier).toContain(`BYE in the call from ${ACCOUNT} authenticated`);
      const ended = await until('the end of the call', () =>
        logs.find((l) => l.msg === 'outbound call ended' && l.by === 'crocetta' && String(l.reason).includes('503')),
      );
      expect(ended).toMatchObject({ leg: 'PBX', reason: 'no answer from the PBX to OPTIONS (503)' });
      expect(logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
    }, 40_000);

    it("ends the call on both legs when the PBX goes silent: the carrier's OPTIONS times out (drachtio-server's 408 after timer F, 32 s)", async () => {
      const { pbx, called } = await callOut(
        'pstn-answers-keepalive-unanswered.xml',
        'pbx-calls-out-goes-silent.xml',
        50,
      );
      expect(pbx.ms).toBeGreaterThanOrEqual(30_000);
      expect(pbx.logs).toContain("carrier's keepalive reached the PBX: not answered");
      expect(called.logs).toContain('keepalive answered: 408');
      expect(called.logs).toMatch(
        /BYE to the called party: cause=408 ?;text="no answer from the PBX to OPTIONS \(408\)"/,
      );
      expect(pbx.logs).toContain('BYE to the PBX: cause=408');
      const ended = await until('the end of the call', () =>
        logs.find((l) => l.msg === 'outbound call ended' && l.by === 'crocetta' && String(l.reason).includes('408')),
      );
      expect(ended).toMatchObject({ leg: 'PBX', reason: 'no answer from the PBX to OPTIONS (408)' });
      expect(logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
    }, 60_000);

    it("ends the call on both legs when the PBX answers the called party's DTMF INFO with 481 (it lost the call)", async () => {
      const { pbx, called, carrier } = await callOut('pstn-answers-info-gone.xml', 'pbx-calls-out-info-gone.xml');
      expect(pbx.logs).toContain("carrier's key reached the PBX");
      expect(called.logs).toContain('key answered: 481');
      expect(called.logs).toMatch(/BYE to the called party: cause=481 ?;text="the PBX's leg is gone \(481 to INFO\)"/);
      expect(pbx.logs).toMatch(/BYE to the PBX: cause=481 ?;text=/);
      expect(carrier).toContain(`BYE in the call from ${ACCOUNT} authenticated`);
      const ended = await until('the end of the call', () =>
        logs.find((l) => l.msg === 'outbound call ended' && l.method === 'INFO'),
      );
      expect(ended).toMatchObject({ by: 'crocetta', leg: 'PBX' });
      expect(logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
    }, 40_000);

    it('ends the call on both legs when the PBX never ACKs its re-INVITE without SDP (pbx.ackTimeout, here 3 s)', async () => {
      const { pbx, called } = await callOut('pstn-answers-no-ack.xml', 'pbx-calls-out-no-ack.xml');
      expect(pbx.ms).toBeGreaterThanOrEqual(3000);
      expect(called.logs).toContain('re-INVITE without offer: Content-Length: 0');
      expect(pbx.logs).toContain('offer in the 200, not ACKed: o=pstn-offer');
      expect(called.logs).toContain("answer in crocetta's ACK: o=pbx ");
      const reason = 'no ACK from the PBX to the 200 for its re-INVITE without SDP';
      expect(called.logs).toContain(`BYE to the called party: ${reason}`);
      expect(pbx.logs).toContain(`BYE to the PBX: ${reason}`);
      const ended = await until('the end of the call', () =>
        logs.find((l) => l.msg === 'outbound call ended' && l.reason === `${reason} (3 s)`),
      );
      expect(ended).toMatchObject({ by: 'crocetta', leg: 'PBX', method: 'INVITE' });
      expect(logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
    }, 40_000);

    it('answers UPDATEs before the answer from either side (a refresh 200 without a body, a new offer 488), and the call is answered after them', async () => {
      const { pbx, called } = await callOut('pstn-rings-early-update.xml', 'pbx-calls-out-early-update.xml');
      expect(pbx.logs).toContain('early media: o=pstn-early');
      expect(called.logs).toContain('early refresh answered: 200 Content-Length: 0');
      expect(called.logs).toContain(
        'early offer answered: 488 cannot be carried to the PBX before the call is answered',
      );
      expect(called.logs).toContain('same session answered: 200 o=pbx-early');
      expect(pbx.logs).toContain('PBX early refresh answered: 200 Content-Length: 0');
      expect(pbx.logs).toContain(
        'PBX early offer answered: 488 cannot be carried to the carrier before the call is answered',
      );
      expect(pbx.logs).toContain('answered: o=pstn ');
      expect(logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
    }, 40_000);

    it("ends the carrier's leg when the PBX never ACKs the call's 200: drachtio-server's own BYE after timer H (32 s)", async () => {
      const { pbx, called } = await callOut('pstn-answers-then-bye.xml', 'pbx-calls-out-never-acks.xml', 50);
      expect(pbx.logs).toContain('BYE to the PBX: ACK timeout');
      expect(called.logs).toContain('BYE to the called party: ACK timeout');
      const ended = await until('the end of the call', () =>
        logs.find((l) => l.msg === 'outbound call ended' && l.reason === 'ACK timeout' && l.method === undefined),
      );
      expect(ended).toMatchObject({ by: 'crocetta', leg: 'PBX' });
      expect(logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
    }, 60_000);
  },
);
