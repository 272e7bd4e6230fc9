/**
 * The human check with real SIP software: a real drachtio-server, crocetta with ACTION_SUSPECT=check, sipp as the
 * caller (its key played as RFC 4733 RTP from Debian sip-tester's dtmf_2833_1.pcap, key 1) and as the PBX.
 * Needs `drachtio`, `sipp` and that pcap: CI has no drachtio-server, so there it is skipped (the double covers the
 * same outcomes in test/integration/human-check.test.ts). Ports: a block of 40 free ones in 29000-29499 (or E2E_PORTS) on
 * 127.0.0.x, picked at each run.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Crocetta } from '../../src/app.js';
import type { Attempt } from '../../src/store/register/types.js';
import { eventually } from '../support/crocetta-harness.js';
import {
  LOOPBACK_HOSTS,
  loopbackLayout,
  pickBlock,
  realTools,
  startDrachtio,
  type RealDrachtio,
} from '../support/real-sip-tools.js';
import { attemptsOf, startE2eCrocetta, stopE2e } from '../support/e2e-crocetta.js';
import { scenarioRunner } from '../support/scenario-runner.js';

const PCAP = '/usr/share/sip-tester/dtmf_2833_1.pcap';
const TOOLS = realTools(['drachtio', 'sipp'], [PCAP]);

/** Where each one listens, laid out in a block of 40 free ports (pickBlock: in 29000-29499, or E2E_PORTS). */
const layout = (base: number) => ({
  ...loopbackLayout(base),
  /** sipp's RTP (the ports above it too). */
  pbxMedia: base + 10,
  callerMedia: base + 20,
  /** crocetta's announcements and checks. */
  rtpPorts: `${base + 30}-${base + 39}`,
});
let ADDR = layout(0);
const TOKEN = 'e2e-check-token-0123';
const SUSPECT = '+3908431234567'; // AGCOM survey prefix 0843: suspect

describe.skipIf(TOOLS.missing.length > 0)(
  `the human check through a real drachtio-server and sipp${TOOLS.skipped}`,
  () => {
    let dir = '';
    let drachtio: RealDrachtio | undefined;
    let app: Crocetta | undefined;

    const attempts = (): Promise<Attempt[]> => attemptsOf(app, TOKEN, SUSPECT);

    const sipp = scenarioRunner(() => dir, { timeoutSeconds: 40 });
    /** The suspect (08431234567) calls 0255550100 with `scenario`, its RTP on its own ports; `keys` more. */
    const suspectCalls = (scenario: string, keys: Record<string, string> = {}) => ({
      scenario,
      at: ADDR.caller,
      media: ADDR.callerMedia,
      target: `${ADDR.sip.host}:${ADDR.sip.port}`,
      keys: { did: '0255550100', caller: '08431234567', ...keys },
    });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'crocetta-e2e-check-'));
      ADDR = layout(await pickBlock(40, LOOPBACK_HOSTS, 29_000, 29_500));
      drachtio = await startDrachtio(dir, { admin: ADDR.admin, sip: ADDR.sip.port }, 'e2e-check-secret');
      app = await startE2eCrocetta({
        dir,
        adminPort: ADDR.admin,
        secret: drachtio.secret,
        token: TOKEN,
        pbxUri: `sip:${ADDR.pbx.host}:${ADDR.pbx.port}`,
        env: { ACTION_SUSPECT: 'check', MEDIA_ADDRESS: '127.0.0.1', RTP_PORTS: ADDR.rtpPorts },
        configure: (config) => {
          config.check.waitSeconds = 2;
          config.check.language = 'it';
          config.check.rememberDays = 0;
          config.announcements.language = 'it';
        },
      });
    }, 30_000);

    afterAll(() => stopE2e({ dir, app, software: [drachtio] }), 30_000);

    it("key 1 in RTP: the PBX is called with the DID and the caller re-INVITEd onto its media; the caller's BYE ends both", async () => {
      const { caller, answerer: answered } = await sipp.call(
        { scenario: 'pbx-answers-did.xml', at: ADDR.pbx, media: ADDR.pbxMedia },
        suspectCalls('caller-presses-key.xml', { pcap: PCAP }),
      );
      expect(caller.code).toBe(0);
      expect(answered.code).toBe(0);
      expect(caller.logs).toContain('answer keeps telephone-event: m=audio');
      expect(caller.logs).toContain(`re-INVITE media=${ADDR.pbx.host}`);
      expect(answered.logs).toContain('request-uri-user=0255550100');
      const row = await eventually(
        async () => (await attempts()).find((a) => a.check === 'passed' && a.outcome === 'answered'),
        10_000,
      );
      expect(row).toMatchObject({ action: 'check', verdict: 'suspect' });
      expect(row.checkMs).toBeGreaterThan(0);
      // The caller talks 0.5 s on the PBX's media, then hangs up: the talk time is the register's.
      const talked = await eventually(async () => (await attempts()).find((a) => typeof a.talkMs === 'number'), 5000);
      expect(talked.talkMs).toBeGreaterThanOrEqual(400);
    }, 60_000);

    it("no key: the NO, then crocetta's BYE", async () => {
      const started = Date.now();
      const caller = await sipp.play(suspectCalls('caller-presses-nothing.xml'));
      expect(caller.code).toBe(0);
      const row = await eventually(
        async () => (await attempts()).find((a) => a.check === 'no-digit' && a.hungUpBy === 'crocetta'),
        10_000,
      );
      expect(row).toMatchObject({ outcome: 'rejected', finalStatus: 200 });
      expect(row.playedMs).toBeGreaterThan(5000);
      expect(Date.now() - started).toBeLessThan(30_000);
    }, 60_000);
  },
);
