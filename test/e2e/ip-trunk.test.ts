/**
 * The IP trunk in front (README "Connect your trunk", docs/pbx/asterisk-freepbx.md) with real SIP software: a real
 * drachtio-server started with docker-compose's own config/drachtio.conf.xml (only its ports moved to loopback test
 * ports; the secret from DRACHTIO_SECRET, as compose passes it), crocetta, sipp as the carrier's callers and as the
 * PBX. Needs `drachtio` and `sipp` on PATH: CI has no drachtio-server, so there it is skipped (the double covers the
 * same behaviours in test/integration/pbx-asterisk-ip-trunk.test.ts and options-keepalive.test.ts).
 * The carrier's calls come over UDP, and over TCP in one case (a refusal and a forwarded call).
 * Ports: a block of 10 free ones in 28500-28699 (or E2E_PORTS) on 127.0.0.x, picked at each run. Scenarios: test/e2e/scenarios (shared with the registration trunk's test).
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Crocetta } from '../../src/app.js';
import type { Attempt } from '../../src/store/register/types.js';
import { eventually } from '../support/crocetta-harness.js';
import { LOOPBACK_HOSTS, loopbackLayout, pickBlock, realTools, REPO_ROOT } from '../support/real-sip-tools.js';
import { removeE2eDir, startE2eCrocetta } from '../support/e2e-crocetta.js';
import { scenarioRunner } from '../support/scenario-runner.js';

const TOOLS = realTools(['drachtio', 'sipp']);

/** Where each one listens, laid out in a block of 10 free ports (pickBlock: in 28500-28699, or E2E_PORTS). */
const layout = (base: number) => ({
  ...loopbackLayout(base),
  /** The carrier's calls over TCP (sipp `-t t1`): drachtio-server listens on TCP on the same port as UDP. */
  callerTcp: { host: '127.0.0.5', port: base + 4 },
  /** The PBX's qualify OPTIONS. */
  qualify: { host: '127.0.0.1', port: base + 5 },
});
let ADDR = layout(0);
const SECRET = 'e2e-ip-trunk-secret';
const TOKEN = 'e2e-ip-trunk-token-0123';

/** docker-compose's drachtio.conf.xml with its admin port and SIP contact moved to the test's, nothing else. */
function composeDrachtioConf(logFile: string): string {
  const original = readFileSync(join(REPO_ROOT, 'config/drachtio.conf.xml'), 'utf8');
  const moved = original
    .replace('<admin port="9022"', `<admin port="${ADDR.admin}"`)
    .replace(
      '<contact>sip:*:5060;transport=udp,tcp</contact>',
      `<contact>sip:${ADDR.sip.host}:${ADDR.sip.port};transport=udp,tcp</contact>`,
    )
    .replace(
      '<console/>',
      `<file><name>${logFile}</name><archive>${join(logFile, '..')}</archive><size>50</size><maxFiles>2</maxFiles><auto-flush>true</auto-flush></file>`,
    );
  if (moved.split('\n').filter((l, i) => l !== original.split('\n')[i]).length !== 3)
    throw new Error('config/drachtio.conf.xml changed shape: update this test');
  return moved;
}

describe.skipIf(TOOLS.missing.length > 0)(
  `IP trunk through a real drachtio-server with the compose config${TOOLS.skipped}`,
  () => {
    let dir = '';
    let drachtio: ReturnType<typeof spawn> | undefined;
    let app: Crocetta | undefined;

    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`http://127.0.0.1:${app?.httpPort}${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return res.json() as Promise<Record<string, unknown>>;
    };

    const sipp = scenarioRunner(() => dir, { transport: 'u1' });
    /** The carrier's caller `caller` calls `did` (sipp, `scenario`), over UDP unless `transport` says TCP. */
    const carrierCalls = (scenario: string, did: string, caller: string, transport: 'u1' | 't1' = 'u1') => ({
      scenario,
      at: transport === 't1' ? ADDR.callerTcp : ADDR.caller,
      target: `${ADDR.sip.host}:${ADDR.sip.port}`,
      keys: { did, caller },
      transport,
    });
    /** The PBX answers the call it is handed (pbx-answers-did.xml: it logs the Request-URI's user). */
    const pbxAnswers = () => ({ scenario: 'pbx-answers-did.xml', at: ADDR.pbx });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'crocetta-e2e-ip-'));
      ADDR = layout(await pickBlock(10, LOOPBACK_HOSTS, 28_500, 28_700));
      writeFileSync(join(dir, 'drachtio.conf.xml'), composeDrachtioConf(join(dir, 'drachtio.log')));
      // As docker-compose.yml does: the file says secret "cymru", DRACHTIO_SECRET replaces it.
      const env = {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DRACHTIO_'))),
        DRACHTIO_SECRET: SECRET,
      };
      drachtio = spawn('drachtio', ['-f', join(dir, 'drachtio.conf.xml')], { env, stdio: 'ignore' });
      app = await startE2eCrocetta({
        dir,
        adminPort: ADDR.admin,
        secret: SECRET,
        token: TOKEN,
        pbxUri: `sip:${ADDR.pbx.host}:${ADDR.pbx.port}`,
      });
    }, 30_000);

    afterAll(async () => {
      await app?.stop().catch(() => undefined);
      if (drachtio && drachtio.exitCode === null) {
        drachtio.kill('SIGTERM');
        await Promise.race([once(drachtio, 'exit'), new Promise((r) => setTimeout(r, 3000))]);
        if (drachtio.exitCode === null) drachtio.kill('SIGKILL');
      }
      removeE2eDir(dir);
    }, 30_000);

    it('connects with the secret from DRACHTIO_SECRET, and answers a qualify OPTIONS with 200', async () => {
      expect(app?.sip.connected).toBe(true);
      const socket = createSocket('udp4');
      await new Promise<void>((r) => socket.bind(ADDR.qualify.port, ADDR.qualify.host, () => r()));
      const options = [
        `OPTIONS sip:${ADDR.sip.host}:${ADDR.sip.port} SIP/2.0`,
        `Via: SIP/2.0/UDP ${ADDR.qualify.host}:${ADDR.qualify.port};branch=z9hG4bK-e2e-qualify;rport`,
        'Max-Forwards: 70',
        'From: <sip:asterisk@127.0.0.1>;tag=e2e',
        `To: <sip:${ADDR.sip.host}:${ADDR.sip.port}>`,
        'Call-ID: e2e-qualify@127.0.0.1',
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      socket.send(options, ADDR.sip.port, ADDR.sip.host);
      const [reply] = (await Promise.race([
        once(socket, 'message'),
        new Promise((_, no) => setTimeout(() => no(new Error('no answer to OPTIONS')), 5000)),
      ])) as [Buffer];
      socket.close();
      expect(reply.toString().split('\r\n')[0]).toBe('SIP/2.0 200 OK');
    });

    it("hands the PBX the carrier's call with the dialled number as Request-URI user, and measures the talk time from drachtio's CDR", async () => {
      const { caller, answerer: answered } = await sipp.call(
        pbxAnswers(),
        carrierCalls('caller-answered.xml', '0255550100', '+393331234567'),
      );
      expect(caller.code).toBe(0);
      expect(answered.code).toBe(0);
      expect(answered.logs).toContain('request-uri-user=0255550100');
      const row = await eventually(async () => {
        await app?.register.flush();
        const { attempts } = (await api('GET', '/api/attempts?number=%2B393331234567')) as { attempts: Attempt[] };
        return attempts[0]?.talkMs != null ? attempts[0] : undefined;
      }, 10_000);
      expect(row).toMatchObject({
        calledNumber: '+390255550100',
        action: 'allow',
        outcome: 'answered',
        finalStatus: 200,
      });
      expect(row.talkMs).toBeGreaterThan(0);
    });

    it('refuses a caller marked nuisance with 607, before the PBX', async () => {
      await api('POST', '/api/numbers/%2B390287176900/mark', {
        label: 'nuisance',
        company: 'Example Energia',
        category: 'energy',
      });
      const caller = await sipp.play(carrierCalls('caller-refused.xml', '0255550100', '+390287176900'));
      expect(caller.code).toBe(0);
      const { attempts } = (await api('GET', '/api/attempts?number=%2B390287176900')) as { attempts: Attempt[] };
      expect(attempts[0]).toMatchObject({ verdict: 'nuisance', action: 'reject:607', finalStatus: 607 });
    });

    it("takes the carrier's calls over TCP too: a marked caller gets 607, an unknown one reaches the PBX and is answered", async () => {
      await api('POST', '/api/numbers/%2B390287176901/mark', { label: 'nuisance' });
      const refused = await sipp.play(carrierCalls('caller-refused.xml', '0255550100', '+390287176901', 't1'));
      expect(refused.code, refused.out).toBe(0); // the scenario waits for the 607

      const { caller, answerer: answered } = await sipp.call(
        pbxAnswers(),
        carrierCalls('caller-answered.xml', '0255550101', '+393337654321', 't1'),
      );
      expect(caller.code, caller.out).toBe(0);
      expect(answered.code, answered.out).toBe(0);
      const { attempts } = (await api('GET', '/api/attempts?limit=10')) as { attempts: Attempt[] };
      expect(attempts.find((a) => a.callerE164 === '+390287176901')).toMatchObject({
        action: 'reject:607',
        finalStatus: 607,
      });
      const forwarded = await eventually(async () => {
        await app?.register.flush();
        const { attempts: rows } = (await api('GET', '/api/attempts?number=%2B393337654321')) as {
          attempts: Attempt[];
        };
        return rows[0]?.outcome === 'answered' ? rows[0] : undefined;
      }, 10_000);
      expect(forwarded).toMatchObject({ calledNumber: '+390255550101', action: 'allow', finalStatus: 200 });
    });
  },
);
