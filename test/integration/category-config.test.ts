/**
 * A config keyed by a category's Italian name (`actions.byCategory.energia`) after migration 11, which keeps a known
 * category as its key (`energy`): the operator's action still reaches the caller at the wire. Through the drachtio
 * double, the real drachtio-srf and a real SQLite register.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildInvite } from '../support/drachtio-double.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';

const DID = '+390612345678';

let h: Harness | undefined;

afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('a config keyed by Italian category names', () => {
  it('refuses a caller marked energia (kept as energy) with actions.byCategory.energia, not the nuisance action', async () => {
    const yaml = join(mkdtempSync(join(tmpdir(), 'crocetta-cfg-')), 'overlay.yaml');
    writeFileSync(yaml, 'actions:\n  nuisance: reject:607\n  byCategory:\n    energia: reject:486\n');
    h = await startHarness({ CROCETTA_CONFIG: yaml });
    const harness = h;
    for (const [number, category] of [
      ['+390298765432', 'energia'],
      ['+390298765433', 'Luce e gas'],
      ['+390298765434', 'telefonia'],
    ] as const) {
      const res = await harness.api('POST', `/api/numbers/${encodeURIComponent(number)}/mark`, {
        label: 'nuisance',
        category,
      });
      expect(res.status).toBe(200);
    }
    const final = (from: string) =>
      harness.double.injectRequest(buildInvite({ from, to: DID, requestUri: `sip:${DID}@127.0.0.1` })).waitForFinal();
    expect((await final('+390298765432')).status).toBe(486);
    expect((await final('+390298765433')).status).toBe(486);
    // Another category: the nuisance action.
    expect((await final('+390298765434')).status).toBe(607);
  });
});
