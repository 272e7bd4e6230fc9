/**
 * End to end with real software: a real drachtio-server on loopback, crocetta, sipp playing a PBX behind NAT that
 * registers with digest (its Contact is a private address; it sends from 127.0.0.3) and answers what crocetta
 * forwards, and sipp playing the carrier's callers from 127.0.0.2. Skips, saying why, where drachtio or sipp is
 * not on PATH (CI: drachtio-server is in no registry; the same behaviour is covered through the drachtio double in
 * test/integration/pbx-registers.test.ts). Ports: free ones in 28800-28999 (or E2E_PORTS) on 127.0.0.x, picked at each run.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Crocetta } from '../../src/app.js';
import { eventually } from '../support/crocetta-harness.js';
import { pickBlock, realTools, runSipp, startDrachtio, type RealDrachtio } from '../support/real-sip-tools.js';
import { removeE2eDir, startE2eCrocetta } from '../support/e2e-crocetta.js';

const SCENARIOS = join(import.meta.dirname, 'sipp');
const TOOLS = realTools(['drachtio', 'sipp']);

const USER = 'fritzbox';
const PASSWORD = 'e2e-Secret-4711';
const DID = '+390612345678';
const PRIVATE_CONTACT = 'sip:fritzbox@192.168.178.1:5060';
const TOKEN = 'e2e-token-0123456789';

describe.skipIf(TOOLS.missing.length > 0)(
  `a PBX registered to crocetta, through a real drachtio-server${TOOLS.skipped}`,
  () => {
    let dir: string;
    let drachtio: RealDrachtio;
    let app: Crocetta;
    const logs: Array<Record<string, unknown>> = [];
    const taken = new Set<number>();
    // Four in a row: sipp's media takes the ports above its RTP port.
    const port = (host: string) => pickBlock(4, [host], 28_800, 29_000, taken);

    const start = async () => {
      app = await startE2eCrocetta({
        dir,
        adminPort: drachtio.adminPort,
        secret: drachtio.secret,
        token: TOKEN,
        // MARK_REFUSALS: the mark on crocetta's own 607 and 480 crosses the real drachtio-server (below).
        env: { PBX_REGISTER_USERNAME: USER, PBX_REGISTER_PASSWORD: PASSWORD, LOG_LEVEL: 'info', MARK_REFUSALS: 'true' },
        logs,
        configure: (config) => void (config.drachtio.reconnectMaxDelayMs = 200),
      });
    };
    const readyz = async () =>
      (await (await fetch(`http://127.0.0.1:${app.httpPort}/readyz`)).json()) as { checks: Record<string, boolean> };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'crocetta-e2e-pbxreg-'));
      drachtio = await startDrachtio(join(dir, 'drachtio'), {
        admin: await port('127.0.0.1'),
        sip: await port('127.0.0.1'),
      });
      await start();
    });
    afterAll(async () => {
      await app?.stop();
      await drachtio?.stop();
      // E2E_KEEP=1 keeps the folder (sipp's message traces, drachtio's log) and says where it is.
      removeE2eDir(dir);
    });

    it('registers with digest, keeps the binding across a restart, gets the allowed call at its NAT address with the DID as user, never the nuisance one; un-registers', async () => {
      const target = `127.0.0.1:${drachtio.sipPort}`;
      const pbxPort = await port('127.0.0.3');
      const pbxTrace = join(dir, 'pbx-messages.log');
      const pbx = runSipp(
        [
          target,
          '-sf',
          join(SCENARIOS, 'pbx-register.xml'),
          '-oocsf',
          join(SCENARIOS, 'pbx-answer.xml'),
          '-i',
          '127.0.0.3',
          '-p',
          String(pbxPort),
          '-mi',
          '127.0.0.3',
          '-mp',
          String(await port('127.0.0.3')),
          '-m',
          '1',
          '-au',
          USER,
          '-ap',
          PASSWORD,
          '-key',
          'aor_user',
          USER,
          '-key',
          'contact',
          PRIVATE_CONTACT,
          '-trace_msg',
          '-message_file',
          pbxTrace,
        ],
        40_000,
      );
      await eventually(async () => ((await readyz()).checks.pbx ? true : undefined), 10_000);
      expect(logs.find((l) => l.msg === 'PBX registered')).toMatchObject({ contacts: [PRIVATE_CONTACT] });

      // crocetta restarts: the binding comes back from the register.
      await app.stop();
      await start();
      expect((await readyz()).checks.pbx).toBe(true);

      const callerTrace = join(dir, 'caller-messages.log');
      const caller = async (scenario: string, number: string, trace: string) =>
        runSipp([
          target,
          '-sf',
          join(SCENARIOS, scenario),
          '-i',
          '127.0.0.2',
          '-p',
          String(await port('127.0.0.2')),
          '-mi',
          '127.0.0.2',
          '-mp',
          String(await port('127.0.0.2')),
          '-m',
          '1',
          '-s',
          DID,
          '-key',
          'caller',
          number,
          '-trace_msg',
          '-message_file',
          trace,
        ]).done;
      expect(await caller('caller.xml', '+393331234567', callerTrace)).toBe(0);
      const refusedTrace = join(dir, 'refused-messages.log');
      expect(await caller('caller-refused.xml', '08441234567', refusedTrace)).toBe(0); // AGCOM telemarketing prefix 0844
      expect(readFileSync(refusedTrace, 'utf8')).toMatch(/^SIP\/2\.0 607 Unwanted/m);
      // crocetta's mark on its own refusal crosses drachtio-server (docs/pbx/kamailio-front.md, "crocetta's own refusals").
      expect(readFileSync(refusedTrace, 'utf8')).toMatch(/^X-Crocetta-Refusal: 607\s*$/m);

      expect(await pbx.done).toBe(0); // ...and the un-registration (Contact: *, Expires: 0) was accepted
      const pbxMessages = readFileSync(pbxTrace, 'utf8');
      // The contact was private; the INVITE went to where the REGISTER came from, with the DID as user.
      expect(pbxMessages).toMatch(new RegExp(`^INVITE sip:\\${DID}@127\\.0\\.0\\.3:${pbxPort}`, 'm'));
      expect(pbxMessages.match(/^INVITE /gm)).toHaveLength(1);

      expect((await readyz()).checks.pbx).toBe(false);
      const noPbxTrace = join(dir, 'no-pbx-messages.log');
      expect(await caller('caller-refused.xml', '+393331234567', noPbxTrace)).toBe(0);
      expect(readFileSync(noPbxTrace, 'utf8')).toMatch(/^SIP\/2\.0 480 Temporarily Unavailable/m);
      expect(readFileSync(noPbxTrace, 'utf8')).toMatch(/^X-Crocetta-Refusal: 480\s*$/m);

      // The register: the answered call and the one nobody could take (outcomes land within a batch window).
      const outcomes = await eventually(async () => {
        await app.register.flush();
        const res = await fetch(`http://127.0.0.1:${app.httpPort}/api/attempts?number=%2B393331234567`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        const rows = (
          (await res.json()) as { attempts: Array<{ action: string; outcome: string; finalStatus: number | null }> }
        ).attempts.map((a) => [a.action, a.outcome, a.finalStatus]);
        return rows[0]?.[2] === 480 ? rows : undefined;
      });
      // The one nobody could take says so in its action (no-pbx): the dashboard counts it apart from those that passed.
      expect(outcomes).toEqual([
        ['no-pbx', 'failed', 480],
        ['allow', 'answered', 200],
      ]);
    });
  },
);
