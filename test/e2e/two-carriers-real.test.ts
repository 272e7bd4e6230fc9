/**
 * A business with lines at two carriers, with real SIP software: two Kamailios play two carriers
 * (docs/pbx/kamailio-carrier.cfg, each with its own account, realm and PSTN side: carrier A on 127.0.0.2 has the
 * main number, carrier B on 127.0.0.4 the fax line), a real drachtio-server carries crocetta's SIP, sipp plays the
 * callers, the PBX and each carrier's PSTN side. crocetta is configured through the environment only (TRUNK_* for
 * the main line, TRUNK_2_REGISTRAR and the other TRUNK_2_* for the fax line). Shown: each line registers at its own
 * carrier with its own Contact and credentials; a call from each carrier reaches the PBX attributed to its own
 * line; the PBX's call from each line leaves through that line's carrier (its 407 answered with that line's
 * password) and reaches that carrier's PSTN side only. All of it twice: with the fax line's own user name, and with
 * the main line's (the same user name at both carriers: carrier B's account registers the Contact user
 * `0612345678-2` and its calls come to it). Needs `drachtio`, `kamailio` and `sipp` on PATH (skipped
 * otherwise; the double covers the same in test/integration/trunk-two-carriers.test.ts). Ports: free ones in
 * 26100-26999 (or E2E_PORTS) on 127.0.0.1-6 at each run.
 */
import { mkdtempSync } from 'node:fs';
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
import { attemptsOf, startE2eCrocetta, stopE2e } from '../support/e2e-crocetta.js';
import { scenarioRunner } from '../support/scenario-runner.js';

const TOOLS = realTools(['drachtio', 'kamailio', 'sipp']);

/** The main line at carrier A: no number configured, its DID comes in P-Called-Party-ID. */
const MAIN = { user: '0612345678', password: 'main-Secret!', did: '+390612345699', realm: 'carrier-a.test' };
/** The fax line at carrier B: its own number, configured (TRUNK_2_NUMBER). */
const FAX_LINE = { user: '0612345679', password: 'fax-Secret!', did: '+390612345679', realm: 'carrier-b.test' };

/**
 * Run twice: the fax line with its own user name, and with the main line's (both carriers named the account after
 * the customer's main number): its Contact user is then `<user name>-2`, and carrier B's calls come to that. The
 * second run also sends the fax line's outbound calls to carrier B's SBC (TRUNK_2_URI: a second Kamailio of carrier
 * B, with the same account, apart from its registrar).
 */
const VARIANTS = [
  { title: 'lines at two carriers', fax: { ...FAX_LINE, contact: FAX_LINE.user }, outboundProxy: false },
  {
    title: "lines at two carriers with the same user name, the second's calls through its SBC (TRUNK_2_URI)",
    fax: { ...FAX_LINE, user: MAIN.user, contact: `${MAIN.user}-2` },
    outboundProxy: true,
  },
];

/** Where each one listens (pickAddrs): carrier B's SBC beside its registrar, both PSTN sides on one host. */
const HOSTS = {
  admin: '127.0.0.1',
  drachtio: '127.0.0.1',
  carrierA: '127.0.0.2',
  carrierB: '127.0.0.4',
  sbcB: '127.0.0.4',
  pbx: '127.0.0.3',
  pbxOut: '127.0.0.3',
  caller: '127.0.0.5',
  pstnA: '127.0.0.6',
  pstnB: '127.0.0.6',
};
const SECRET = 'e2e-two-carriers';
const TOKEN = 'e2e-token-two-carriers-0123';

for (const { title, fax: FAX, outboundProxy } of VARIANTS)
  describe.skipIf(TOOLS.missing.length > 0)(
    `${title} against real drachtio-server, two Kamailios and sipp${TOOLS.skipped}`,
    () => {
      let dir = '';
      let ADDR: Record<keyof typeof HOSTS, Addr>;
      let carrierA: RealKamailio | undefined;
      let carrierB: RealKamailio | undefined;
      /** Carrier B's SBC for its outbound calls (TRUNK_2_URI), in the run that has one. */
      let sbcB: RealKamailio | undefined;
      let drachtio: RealDrachtio | undefined;
      let app: Crocetta | undefined;
      const logs: Array<Record<string, unknown>> = [];

      const crocetta = (): Crocetta => {
        if (app === undefined) throw new Error('e2e: crocetta did not start');
        return app;
      };
      const logA = (): string => carrierA?.log() ?? '';
      const logB = (): string => carrierB?.log() ?? '';
      /** Where carrier B's outbound calls are seen: its SBC when there is one, else its registrar's Kamailio. */
      const logBOut = (): string => (outboundProxy ? (sbcB?.log() ?? '') : logB());
      /** An account's state, by its key (its Contact user). */
      const stateOf = (account: string): string | undefined =>
        crocetta().trunk?.accounts.find((a) => a.account === account)?.status.state;
      const sipp = scenarioRunner(() => dir);

      beforeAll(async () => {
        dir = mkdtempSync(join(tmpdir(), 'crocetta-e2e-two-carriers-'));
        ADDR = await pickAddrs(HOSTS, 26_100, 27_000);
        const carrier = (name: string, listen: Addr, line: typeof MAIN, pstn: Addr): Promise<RealKamailio> =>
          startKamailio(dir, {
            cfg: CARRIER_CFG,
            name,
            listen,
            defines: {
              ACCOUNT: line.user,
              ACCOUNT_PASSWORD: line.password,
              REALM: line.realm,
              PSTN_GATEWAY: sipUri(pstn),
              MIN_EXPIRES: 30,
            },
          });
        [carrierA, carrierB, sbcB, drachtio] = await Promise.all([
          carrier('carrier-a', ADDR.carrierA, MAIN, ADDR.pstnA),
          carrier('carrier-b', ADDR.carrierB, FAX, ADDR.pstnB),
          outboundProxy ? carrier('carrier-b-sbc', ADDR.sbcB, FAX, ADDR.pstnB) : Promise.resolve(undefined),
          startDrachtio(dir, { admin: ADDR.admin.port, sip: ADDR.drachtio.port }, SECRET),
        ]);
        app = await startE2eCrocetta({
          dir,
          adminPort: ADDR.admin.port,
          secret: SECRET,
          token: TOKEN,
          pbxUri: sipUri(ADDR.pbx),
          // As an operator sets them (README, "Lines at two carriers"): environment only.
          env: {
            TRUNK_REGISTRAR: sipUri(ADDR.carrierA),
            TRUNK_DOMAIN: MAIN.realm,
            TRUNK_USERNAME: MAIN.user,
            TRUNK_PASSWORD: MAIN.password,
            TRUNK_INBOUND_FROM: HOSTS.carrierA,
            TRUNK_2_REGISTRAR: sipUri(ADDR.carrierB),
            TRUNK_2_DOMAIN: FAX.realm,
            TRUNK_2_USERNAME: FAX.user,
            TRUNK_2_PASSWORD: FAX.password,
            TRUNK_2_NUMBER: FAX.did,
            TRUNK_2_INBOUND_FROM: HOSTS.carrierB,
            ...(outboundProxy ? { TRUNK_2_URI: sipUri(ADDR.sbcB) } : {}),
          },
          logs,
          waitConnected: false,
        });
      }, 30_000);

      afterAll(() => stopE2e({ dir, app, software: [carrierA, carrierB, sbcB, drachtio], logs }), 30_000);

      it('registers each line at its own carrier, with its own Contact and password', async () => {
        await until(
          'both lines registered',
          () => (stateOf(MAIN.user) === 'registered' && stateOf(FAX.contact) === 'registered' ? true : undefined),
          15_000,
        );
        const contact = `${ADDR.drachtio.host}:${ADDR.drachtio.port}`;
        // Kamailio's save() answers the REGISTER before the script logs its line: wait for the lines.
        await until('each carrier logs its REGISTER', () =>
          logA().includes(`REGISTER ${MAIN.user} contact`) && logB().includes(`REGISTER ${FAX.user} contact`)
            ? true
            : undefined,
        );
        expect(logA()).toContain(`REGISTER ${MAIN.user} contact <sip:${MAIN.user}@${contact}>`);
        expect(logB()).toContain(`REGISTER ${FAX.user} contact <sip:${FAX.contact}@${contact}>`);
        // Neither carrier heard of the other's line.
        expect(logA()).not.toContain(`<sip:${FAX.contact}@`);
        expect(logB()).not.toContain(`<sip:${MAIN.user}@`);

        const res = await fetch(`http://127.0.0.1:${crocetta().httpPort}/readyz`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        expect(res.status).toBe(200);
        const body = (await res.json()) as { trunk: Array<{ account: string; carrier: string; state: string }> };
        expect(body.trunk.map((a) => [a.account, a.carrier, a.state])).toEqual([
          [MAIN.user, sipUri(ADDR.carrierA), 'registered'],
          [FAX.contact, sipUri(ADDR.carrierB), 'registered'],
        ]);
      });

      for (const [line, carrierName] of [
        [MAIN, 'carrierA'],
        [FAX, 'carrierB'],
      ] as const) {
        it(`delivers a call from ${carrierName} to the PBX, attributed to its own line (${line.did})`, async () => {
          const callerNumber = line === MAIN ? '+393331234567' : '+393337654321';
          const carrier = ADDR[carrierName];
          const { caller, answerer: answered } = await sipp.call(
            { scenario: 'pbx-answers-did.xml', at: ADDR.pbx },
            {
              scenario: 'caller-answered.xml',
              at: ADDR.caller,
              target: `${carrier.host}:${carrier.port}`,
              keys: { did: line.did, caller: callerNumber },
            },
          );
          expect(caller.code, caller.out).toBe(0);
          expect(answered.code, answered.out).toBe(0);
          expect(answered.logs).toContain(`request-uri-user=${line.did}`);
          // The carrier sent it to its own line's contact.
          const log = line === MAIN ? logA() : logB();
          expect(log).toContain(
            `call for ${line.did} from ${callerNumber} to the registered contact sip:${line === MAIN ? MAIN.user : FAX.contact}@${ADDR.drachtio.host}:${ADDR.drachtio.port}`,
          );
          await crocetta().register.flush();
          const [row] = await attemptsOf(app, TOKEN, callerNumber);
          expect(row?.calledNumber).toBe(line.did);
        });
      }

      it("sends the PBX's call from each line out through that line's carrier only, with its password", async () => {
        // The fax line's number as caller ID (national form): carrier B and its PSTN side; any other: carrier A.
        const calls: Array<[string, Record<string, string>, Addr]> = [
          ['pbx-calls-out-as.xml', { did: '0298765409', callerid: '0612345679' }, ADDR.pstnB],
          ['pbx-calls-out.xml', { did: '0298765408' }, ADDR.pstnA],
        ];
        for (const [scenario, keys, pstnSide] of calls) {
          // Only the expected carrier's PSTN side answers: a call sent to the other carrier would fail.
          const { caller: pbx, answerer: called } = await sipp.call(
            { scenario: 'pstn-answers.xml', at: pstnSide },
            { scenario, at: ADDR.pbxOut, target: `${ADDR.drachtio.host}:${ADDR.drachtio.port}`, keys },
          );
          expect([pbx.code, called.code], `${pbx.out}\n${called.out}\n${logA()}\n${logB()}`).toEqual([0, 0]);
        }
        expect(logBOut()).toContain(`INVITE from ${FAX.user} to 0298765409 challenged`);
        expect(logBOut()).toContain(
          `outbound call from ${FAX.user} to 0298765409 authenticated, to ${sipUri(ADDR.pstnB)}`,
        );
        // With its SBC, carrier B's registrar never sees the fax line's call.
        if (outboundProxy) expect(logB()).not.toContain('0298765409');
        expect(logA()).toContain(
          `outbound call from ${MAIN.user} to 0298765408 authenticated, to ${sipUri(ADDR.pstnA)}`,
        );
        expect(logA()).not.toContain('0298765409');
        expect(logB()).not.toContain('0298765408');
      });
    },
  );
