/**
 * A config keyed by a category's Italian name (`actions.byCategory.energia`) after migration 11, which keeps a known
 * category as its key (`energy`): the operator's action still reaches the caller at the wire. Through the drachtio
 * double, the real drachtio-srf and a real SQLite register.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/loader.js';
import { Connection } from '../../src/store/sqlite/connection.js';
import { valuesOf } from '../../src/settings/live-settings.js';
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

  it("applies panel settings saved with energy and energia (the config held both before): the key's, said at start", async () => {
    h = await startHarness({});
    const harness = h;
    for (const [number, category] of [
      ['+390298765432', 'energia'],
      ['+390298765435', undefined],
    ] as const) {
      const res = await harness.api('POST', `/api/numbers/${encodeURIComponent(number)}/mark`, {
        label: 'nuisance',
        category,
      });
      expect(res.status).toBe(200);
    }
    // What the panel saved when the schema only lower-cased the map's keys, the office's other change with it.
    const saved = valuesOf(loadConfig({ env: {} }));
    saved.actions = {
      ...saved.actions,
      nuisance: 'reject:607',
      byCategory: { energia: 'reject:603', energy: 'reject:486' },
    };
    const db = await Connection.open(join(harness.dir, 'register.sqlite'));
    await db.run("INSERT INTO settings (key, value, updated_at) VALUES ('live', ?, 0)", [JSON.stringify(saved)]);
    await db.close();
    await harness.restartApp();

    const said = harness.logs.filter((l) => String(l.msg).startsWith('settings saved in the panel'));
    expect(said.map((l) => [l.msg, l.problem])).toEqual([
      [
        'settings saved in the panel name one category twice: one of the two values is used',
        'actions.byCategory: "energy" (reject:486) and "energia" (reject:603) name the same category (energy): ' +
          '"energy" is used; save the settings in the panel to keep one',
      ],
    ]);
    const final = (from: string) =>
      harness.double.injectRequest(buildInvite({ from, to: DID, requestUri: `sip:${DID}@127.0.0.1` })).waitForFinal();
    expect((await final('+390298765432')).status).toBe(486);
    // The office's other saved change applies too (the configuration's nuisance action is reject, 603).
    expect((await final('+390298765435')).status).toBe(607);
  });
});
