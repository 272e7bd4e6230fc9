import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/loader.js';
import { caller } from '../screening/test-fixtures.js';
import { pickAction } from '../policy/rules.js';
import { chooseAction } from '../screening/policy.js';
import { LIVE_SETTINGS_KEY, LiveSettings, valuesOf, type LiveSettingsStore } from './live-settings.js';

function memoryStore(initial?: unknown): LiveSettingsStore & { saved: Map<string, unknown> } {
  const saved = new Map<string, unknown>(initial === undefined ? [] : [[LIVE_SETTINGS_KEY, initial]]);
  return {
    saved,
    get: (key) => Promise.resolve(saved.get(key)),
    set: (key, value) => Promise.resolve(void saved.set(key, value)),
    delete: (key) => Promise.resolve(void saved.delete(key)),
  };
}

const config = loadConfig({ env: {} });
const suspect = { verdict: 'suspect' as const, score: 0.6, reasons: [] };
const TUESDAY_10 = Date.parse('2026-12-01T10:00:00+01:00');

describe('live settings: policies', () => {
  it('keeps the actions saved by a version without policies, and takes the policies from the file', async () => {
    const old = valuesOf(config) as Partial<ReturnType<typeof valuesOf>>;
    delete old.policies;
    delete old.businessHours;
    const problems: string[] = [];
    const live = await LiveSettings.load(
      { ...config, policies: [{ name: 'sales line', dids: ['0212345671'], action: 'reject' }] },
      memoryStore({ ...old, actions: { ...config.actions, suspect: 'reject:486' } }),
      (m) => problems.push(m),
    );
    expect(problems).toEqual([]);
    expect(live.isOverlaid).toBe(true);
    expect(live.current.actions.suspect).toBe('reject:486');
    expect(live.current.policies).toEqual([{ name: 'sales line', dids: ['0212345671'], action: 'reject' }]);
  });

  it('applies an updated policy to the next pick, saves it, and reset goes back to the file', async () => {
    const store = memoryStore();
    const live = await LiveSettings.load(config, store, () => undefined);
    const pick = () =>
      pickAction(suspect, caller('+390451234567'), live.policy, { did: '+390212345671', time: TUESDAY_10 }).action;
    expect(pick()).toEqual({ kind: 'tag' });
    await live.update({
      ...live.current,
      policies: [{ dids: ['+39 02 1234 5671'], verdicts: ['suspect'], action: 'reject:603' }],
    });
    expect(pick()).toEqual({ kind: 'reject', status: 603 });
    expect(store.saved.get(LIVE_SETTINGS_KEY)).toMatchObject({ policies: [{ action: 'reject:603' }] });
    await expect(live.update({ ...live.current, policies: [{ dids: ['sales'], action: 'tag' }] })).rejects.toThrow(
      /expected one of our numbers/,
    );
    expect(pick()).toEqual({ kind: 'reject', status: 603 });
    await live.reset();
    expect(pick()).toEqual({ kind: 'tag' });
  });
});

describe('live settings: two names of one category saved', () => {
  const marked = (category: string) => ({
    verdict: 'nuisance' as const,
    score: 1,
    reasons: [{ code: 'marked-nuisance' as const, text: 'marked', weight: 1, params: { category } }],
  });

  it("applies a copy saved with energy and energia (the config held both before cd30685): the key's value, told", async () => {
    // Saved by the panel as the schema then kept it: the map's keys lower-cased only.
    const saved = {
      ...valuesOf(config),
      actions: {
        ...config.actions,
        suspect: 'reject:486',
        byCategory: { energia: 'announce-early', energy: 'reject:486', fotovoltaico: 'reject:603' },
      },
    };
    const problems: string[] = [];
    const leftOut: string[] = [];
    const live = await LiveSettings.load(
      config,
      memoryStore(saved),
      (m) => problems.push(m),
      (m) => leftOut.push(m),
    );
    expect(problems).toEqual([]);
    expect(live.isOverlaid).toBe(true);
    expect(live.current.actions.suspect).toBe('reject:486');
    expect(live.current.actions.byCategory).toEqual({ energy: 'reject:486', fotovoltaico: 'reject:603' });
    expect(chooseAction(marked('energy'), caller('+390298765432'), live.policy)).toEqual({
      kind: 'reject',
      status: 486,
    });
    expect(leftOut).toEqual([
      'actions.byCategory: "energy" (reject:486) and "energia" (announce-early) name the same category (energy): ' +
        '"energy" is used; save the settings in the panel to keep one',
    ]);
  });

  it('keeps the first saved when neither name is the key, and saving again keeps one', async () => {
    const store = memoryStore({
      ...valuesOf(config),
      actions: { ...config.actions, byCategory: { 'luce e gas': 'hangup', energia: 'reject:603' } },
    });
    const leftOut: string[] = [];
    const live = await LiveSettings.load(
      config,
      store,
      () => undefined,
      (m) => leftOut.push(m),
    );
    expect(live.current.actions.byCategory).toEqual({ energy: 'hangup' });
    expect(leftOut).toHaveLength(1);
    expect(leftOut[0]).toMatch(/^actions\.byCategory: "luce e gas" \(hangup\) and "energia" \(reject:603\)/);

    await live.update(live.current);
    leftOut.length = 0;
    const again = await LiveSettings.load(
      config,
      store,
      () => undefined,
      (m) => leftOut.push(m),
    );
    expect(again.current.actions.byCategory).toEqual({ energy: 'hangup' });
    expect(leftOut).toEqual([]);
  });
});
