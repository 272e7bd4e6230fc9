/**
 * The human check with real SIP software: a real drachtio-server, crocetta with ACTION_SUSPECT=check, sipp as the
 * caller (its key played as RFC 4733 RTP from Debian sip-tester's dtmf_2833_1.pcap, key 1) and as the PBX.
 * Needs `drachtio`, `sipp` and that pcap: CI has no drachtio-server, so there it is skipped (the double covers the
 * same outcomes in test/integration/human-check.test.ts). Ports: 29000-29499 on 127.0.0.x (below Linux's ephemeral range, 32768-60999, where another test's client socket can hold a fixed port).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Crocetta } from '../../src/app.js';
import type { Attempt } from '../../src/store/register/types.js';
import { eventually } from '../support/crocetta-harness.js';
import {
  E2E_SCENARIOS,
  realTools,
  sippScenario,
  startDrachtio,
  waitUdpBound,
  type RealDrachtio,
} from '../support/real-sip-tools.js';
import { attemptsOf, removeE2eDir, startE2eCrocetta } from '../support/e2e-crocetta.js';

const PCAP = '/usr/share/sip-tester/dtmf_2833_1.pcap';
const TOOLS = realTools(['drachtio', 'sipp'], [PCAP]);

const ADMIN = 29022;
const SIP = { host: '127.0.0.1', port: 29060 };
const PBX = { host: '127.0.0.3', port: 29080 };
const CALLER = { host: '127.0.0.5', port: 29100 };
const TOKEN = 'e2e-check-token-0123';
const SUSPECT = '+3908431234567'; // AGCOM survey prefix 0843: suspect

describe.skipIf(TOOLS.missing.length > 0)(
  `the human check through a real drachtio-server and sipp${TOOLS.skipped}`,
  () => {
    let dir = '';
    let drachtio: RealDrachtio | undefined;
    let app: Crocetta | undefined;

    const attempts = (): Promise<Attempt[]> => attemptsOf(app, TOKEN, SUSPECT);

    const sipp = (
      scenario: string,
      target: string | null,
      local: { host: string; port: number },
      mediaPort: number,
      keys: Record<string, string> = {},
    ) =>
      sippScenario(dir, join(E2E_SCENARIOS, scenario), target, local, keys, {
        media: { host: local.host, port: mediaPort },
        timeoutSeconds: 40,
      });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'crocetta-e2e-check-'));
      drachtio = await startDrachtio(dir, { admin: ADMIN, sip: SIP.port }, 'e2e-check-secret');
      app = await startE2eCrocetta({
        dir,
        adminPort: ADMIN,
        secret: drachtio.secret,
        token: TOKEN,
        pbxUri: `sip:${PBX.host}:${PBX.port}`,
        env: { ACTION_SUSPECT: 'check', MEDIA_ADDRESS: '127.0.0.1', RTP_PORTS: '29400-29499' },
        configure: (config) => {
          config.check.waitSeconds = 2;
          config.check.language = 'it';
          config.check.rememberDays = 0;
          config.announcements.language = 'it';
        },
      });
    }, 30_000);

    afterAll(async () => {
      await app?.stop().catch(() => undefined);
      await drachtio?.stop();
      removeE2eDir(dir);
    }, 30_000);

    it("key 1 in RTP: the PBX is called with the DID and the caller re-INVITEd onto its media; the caller's BYE ends both", async () => {
      const pbx = sipp('pbx-answers-did.xml', null, PBX, 29200);
      await waitUdpBound(PBX.host, PBX.port);
      const caller = await sipp('caller-presses-key.xml', `${SIP.host}:${SIP.port}`, CALLER, 29300, {
        did: '0255550100',
        caller: '08431234567',
        pcap: PCAP,
      });
      const answered = await pbx;
      expect(caller.code).toBe(0);
      expect(answered.code).toBe(0);
      expect(caller.logs).toContain('answer keeps telephone-event: m=audio');
      expect(caller.logs).toContain(`re-INVITE media=${PBX.host}`);
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
      const caller = await sipp('caller-presses-nothing.xml', `${SIP.host}:${SIP.port}`, CALLER, 29300, {
        did: '0255550100',
        caller: '08431234567',
      });
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
