/**
 * Several carrier accounts on the registration trunk, with real SIP software: Kamailio plays a carrier that gives
 * one SIP account per number, as Italian business lines have (docs/pbx/kamailio-carrier.cfg with ACCOUNT_2), a real
 * drachtio-server carries crocetta's SIP, sipp plays the callers and the PBX. crocetta is configured as an operator
 * would, through the environment only: the first account by TRUNK_*, the second by TRUNK_2_* with its number, and
 * a third (TRUNK_3_*) whose user name the carrier does not know. Shown: each known account registers with its own
 * Contact; the unknown one is refused and reported as such (/readyz) while the others keep working; a call for
 * either number reaches the PBX and the register records which of our numbers was called; the PBX's call presenting
 * the second number leaves through the second account (its From, its credentials), any other through the first.
 * Needs `drachtio`, `kamailio` and `sipp` on PATH (CI has no drachtio-server: skipped there; the double covers the
 * same in test/integration/trunk-accounts.test.ts). Ports: free ones in 26100-26999 (or E2E_PORTS) on 127.0.0.x at each run.
 */
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

/** The first account: no number configured, so its calls' DID is read from the carrier's P-Called-Party-ID. */
const FIRST = { user: '0612345678', password: 'first-Secret!', did: '+390612345699' };
/** The second account: its own number, configured (TRUNK_2_NUMBER) and routed to it by the carrier. */
const SECOND = { user: '0612345679', password: 'second-Secret!', did: '+390612345679' };
/** A third user name the carrier has no account for (a typo in the operator's settings). */
const UNKNOWN = { user: '0612345670', password: 'whatever-1' };

const SECRET = 'e2e-cymru';
const TOKEN = 'e2e-token-0123456789';

describe.skipIf(TOOLS.missing.length > 0)(
  `several carrier accounts against real drachtio-server, Kamailio and sipp${TOOLS.skipped}`,
  () => {
    let dir = '';
    let ADDR: Record<keyof typeof ONE_CARRIER_HOSTS, Addr>;
    let kamailio: RealKamailio | undefined;
    let drachtio: RealDrachtio | undefined;
    let app: Crocetta | undefined;
    const logs: Array<Record<string, unknown>> = [];

    const crocetta = (): Crocetta => {
      if (app === undefined) throw new Error('e2e: crocetta did not start');
      return app;
    };
    const kamailioLog = (): string => kamailio?.log() ?? '';
    const accountState = (user: string): string | undefined =>
      crocetta().trunk?.accounts.find((a) => a.username === user)?.status.state;
    const sipp = scenarioRunner(() => dir);

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'crocetta-e2e-accounts-'));
      ADDR = await pickAddrs(ONE_CARRIER_HOSTS, 26_100, 27_000);
      [kamailio, drachtio] = await Promise.all([
        startKamailio(dir, {
          cfg: CARRIER_CFG,
          listen: ADDR.kamailio,
          defines: {
            ACCOUNT: FIRST.user,
            ACCOUNT_PASSWORD: FIRST.password,
            ACCOUNT_2: SECOND.user,
            ACCOUNT_2_PASSWORD: SECOND.password,
            ACCOUNT_2_DID: SECOND.did,
            MIN_EXPIRES: 30,
            PSTN_GATEWAY: sipUri(ADDR.pstn),
          },
        }),
        startDrachtio(dir, { admin: ADDR.drachtioAdmin.port, sip: ADDR.drachtio.port }, SECRET),
      ]);
      app = await startE2eCrocetta({
        dir,
        adminPort: ADDR.drachtioAdmin.port,
        secret: SECRET,
        token: TOKEN,
        pbxUri: sipUri(ADDR.pbx),
        // As an operator sets them (README, "Several numbers, one account each"): environment only.
        env: {
          TRUNK_REGISTRAR: sipUri(ADDR.kamailio),
          TRUNK_DOMAIN: 'carrier.test',
          TRUNK_USERNAME: FIRST.user,
          TRUNK_PASSWORD: FIRST.password,
          TRUNK_2_USERNAME: SECOND.user,
          TRUNK_2_PASSWORD: SECOND.password,
          TRUNK_2_NUMBER: SECOND.did,
          TRUNK_3_USERNAME: UNKNOWN.user,
          TRUNK_3_PASSWORD: UNKNOWN.password,
          TRUNK_INBOUND_FROM: ADDR.kamailio.host,
        },
        logs,
        waitConnected: false,
      });
    }, 30_000);

    afterAll(() => stopE2e({ dir, app, software: [kamailio, drachtio], logs }), 30_000);

    it('registers each known account with its own Contact; the unknown one is refused and reported, alone', async () => {
      await until(
        'both known accounts registered',
        () =>
          accountState(FIRST.user) === 'registered' && accountState(SECOND.user) === 'registered' ? true : undefined,
        15_000,
      );
      await until('the unknown account refused', () =>
        /REGISTER for 0612345670: no such account/.test(kamailioLog()) ? true : undefined,
      );
      const contact = `${ADDR.drachtio.host}:${ADDR.drachtio.port}`;
      // Kamailio's save() answers the REGISTER before the script logs its line: wait for both lines.
      await until('both REGISTER lines in the carrier log', () =>
        [FIRST.user, SECOND.user].every((u) => kamailioLog().includes(`REGISTER ${u} contact`)) ? true : undefined,
      );
      expect(kamailioLog()).toMatch(new RegExp(`REGISTER ${FIRST.user} contact <sip:${FIRST.user}@${contact}>`));
      expect(kamailioLog()).toMatch(new RegExp(`REGISTER ${SECOND.user} contact <sip:${SECOND.user}@${contact}>`));
      expect(accountState(UNKNOWN.user)).not.toBe('registered');
      // The admin grepping for warnings sees which account the carrier refused, and its answer.
      expect(
        logs.filter((l) => l.msg === 'trunk not registered' && l.level === 40).map((l) => [l.aor, l.reason]),
      ).toEqual([[`sip:${UNKNOWN.user}@carrier.test`, '404 No Such Account']]);

      const res = await fetch(`http://127.0.0.1:${crocetta().httpPort}/readyz`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      const body = (await res.json()) as { status: string; checks: Record<string, boolean> };
      expect(res.status).toBe(503);
      expect(body.checks).toMatchObject({
        trunk: false,
        [`trunk:${FIRST.user}`]: true,
        [`trunk:${SECOND.user}`]: true,
        [`trunk:${UNKNOWN.user}`]: false,
      });
    });

    for (const account of [FIRST, SECOND]) {
      it(`delivers a call for ${account.did} (account ${account.user}) to the PBX and records that number`, async () => {
        const callerNumber = account === FIRST ? '+393331234567' : '+393337654321';
        const { caller, answerer: answered } = await sipp.call(
          { scenario: 'pbx-answers-did.xml', at: ADDR.pbx },
          {
            scenario: 'caller-answered.xml',
            at: ADDR.caller,
            target: `${ADDR.kamailio.host}:${ADDR.kamailio.port}`,
            keys: { did: account.did, caller: callerNumber },
          },
        );
        expect(caller.code, caller.out).toBe(0);
        expect(answered.code, answered.out).toBe(0);
        expect(answered.logs).toContain(`request-uri-user=${account.did}`);
        // The carrier sent it to this account's contact, not the other's.
        expect(kamailioLog()).toContain(
          `call for ${account.did} from ${callerNumber} to the registered contact sip:${account.user}@${ADDR.drachtio.host}:${ADDR.drachtio.port}`,
        );
        await crocetta().register.flush();
        const res = await fetch(
          `http://127.0.0.1:${crocetta().httpPort}/api/attempts?number=${encodeURIComponent(callerNumber)}&limit=1`,
          { headers: { authorization: `Bearer ${TOKEN}` } },
        );
        const body = (await res.json()) as { attempts: Array<{ calledNumber: string }> };
        expect(body.attempts[0]?.calledNumber).toBe(account.did);
      });
    }

    it("sends the PBX's call out through the account whose number it presents, with its credentials; others through the first", async () => {
      // P-Asserted-Identity with the second number in national form; then the plain scenario's From, extension 201.
      const calls: Array<[string, Record<string, string>]> = [
        ['pbx-calls-out-as.xml', { did: '0298765409', callerid: '0612345679' }],
        ['pbx-calls-out.xml', { did: '0298765408' }],
      ];
      for (const [scenario, keys] of calls) {
        const { caller: pbx, answerer: called } = await sipp.call(
          { scenario: 'pstn-answers.xml', at: ADDR.pstn },
          { scenario, at: ADDR.pbxOut, target: `${ADDR.drachtio.host}:${ADDR.drachtio.port}`, keys },
        );
        expect([pbx.code, called.code], `${pbx.out}\n${called.out}\n${kamailioLog()}`).toEqual([0, 0]);
      }
      // Kamailio challenged each with 407 and took that account's password.
      expect(kamailioLog()).toContain(`INVITE from ${SECOND.user} to 0298765409 challenged`);
      expect(kamailioLog()).toContain(`outbound call from ${SECOND.user} to 0298765409 authenticated`);
      expect(kamailioLog()).toContain(`outbound call from ${FIRST.user} to 0298765408 authenticated`);
    });
  },
);
