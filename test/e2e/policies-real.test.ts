/**
 * Policies per called number with real SIP software: a real drachtio-server on loopback, crocetta, sipp as the
 * carrier's caller and as the PBX. The same suspect caller rings two of our numbers: the support line forwards it
 * to the PBX (tagged), the sales line refuses it with 607, each by its rule. Needs `drachtio` and `sipp` on PATH:
 * CI has no drachtio-server, so there it is skipped (test/integration/policies.test.ts covers the same through the
 * double). Ports: a block of 10 free ones in 29500-29599 (or E2E_PORTS) on 127.0.0.x, picked at each run.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Crocetta } from '../../src/app.js';
import { configSchema } from '../../src/config/schema.js';
import type { Attempt } from '../../src/store/register/types.js';
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

const TOOLS = realTools(['drachtio', 'sipp']);

/** Where each one listens (loopbackLayout): a block of 10 free ports (pickBlock: in 29500-29599, or E2E_PORTS). */
let ADDR = loopbackLayout(0);
const TOKEN = 'e2e-policies-token-0123';
/** Suspect by the office's prefix rule. */
const SUSPECT = '+390451234567';

describe.skipIf(TOOLS.missing.length > 0)(`policies through a real drachtio-server${TOOLS.skipped}`, () => {
  let dir = '';
  let drachtio: RealDrachtio | undefined;
  let app: Crocetta | undefined;

  const attempts = (): Promise<Attempt[]> => attemptsOf(app, TOKEN, SUSPECT);

  const sipp = scenarioRunner(() => dir);
  /** The suspect calls `did` (sipp as the carrier's caller, `scenario`), through drachtio-server. */
  const suspectCalls = (scenario: string, did: string) => ({
    scenario,
    at: ADDR.caller,
    target: `${ADDR.sip.host}:${ADDR.sip.port}`,
    keys: { did, caller: SUSPECT },
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crocetta-e2e-policies-'));
    ADDR = loopbackLayout(await pickBlock(10, LOOPBACK_HOSTS, 29_500, 29_600));
    drachtio = await startDrachtio(dir, { admin: ADDR.admin, sip: ADDR.sip.port }, 'e2e-policies-secret');
    app = await startE2eCrocetta({
      dir,
      adminPort: ADDR.admin,
      secret: drachtio.secret,
      token: TOKEN,
      pbxUri: `sip:${ADDR.pbx.host}:${ADDR.pbx.port}`,
      configure: (config) => {
        config.screening.prefixes = [{ prefix: '+39045', verdict: 'suspect', label: 'test range' }];
        config.policies = configSchema.shape.policies.parse([
          {
            name: 'support line',
            dids: ['02 5555 0100'],
            verdicts: ['suspect', 'nuisance', 'withheld'],
            action: 'tag',
          },
          { name: 'sales line', dids: ['02 5555 0101'], verdicts: ['suspect', 'withheld'], action: 'reject' },
        ]);
      },
    });
  }, 30_000);

  afterAll(() => stopE2e({ dir, app, software: [drachtio] }), 30_000);

  it('forwards the suspect to the PBX on the support line, tagged by rule 1', async () => {
    const { caller, answerer: answered } = await sipp.call(
      { scenario: 'pbx-answers-did.xml', at: ADDR.pbx },
      suspectCalls('caller-answered.xml', '0255550100'),
    );
    expect(caller.code).toBe(0);
    expect(answered.code).toBe(0);
    expect(answered.logs).toContain('request-uri-user=0255550100');
    const [row] = await attempts();
    expect(row).toMatchObject({ calledNumber: '+390255550100', verdict: 'suspect', action: 'tag', finalStatus: 200 });
    expect(row?.reasons.map((r) => r.text)).toContain('policy rule 1 "support line": tag');
  });

  it('refuses the same caller with 607 on the sales line, by rule 2, before the PBX', async () => {
    const caller = await sipp.play(suspectCalls('caller-refused.xml', '0255550101'));
    expect(caller.code).toBe(0);
    const [row] = await attempts();
    expect(row).toMatchObject({
      calledNumber: '+390255550101',
      verdict: 'suspect',
      action: 'reject:607',
      finalStatus: 607,
    });
    expect(row?.reasons.map((r) => r.text)).toContain('policy rule 2 "sales line": reject:607');
  });
});
