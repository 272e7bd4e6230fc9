import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/loader.js';
import { caller } from '../screening/test-fixtures.js';
import { pickAction } from '../policy/rules.js';
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
