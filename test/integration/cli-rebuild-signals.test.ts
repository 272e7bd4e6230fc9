/**
 * `rebuild-aggregates` stopped by two signals, in process (the CLI's command function on a real SQLite register):
 * Ctrl-C, then a SIGTERM while it winds down (a service manager stopping it too). The first signal decides the exit
 * code, 130; it used to be 143 whenever the SIGTERM came before the rebuild's wind-down removed its listener, which
 * a spawned CLI shows only by chance. The command's own listeners are called, one right after the other, as Node
 * calls them for two signals read together; the test process's other listeners are left alone.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rebuildAggregates } from '../../src/cli/commands.js';
import { CliError, EXIT } from '../../src/cli/output.js';
import { openRegister } from '../../src/store/register/register.js';
import { Connection } from '../../src/store/sqlite/connection.js';
import { newAttempt } from '../../src/store/test-fixtures.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
let dir = '';
const saved = { ...process.env };

afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  dir = '';
});

describe('rebuild-aggregates stopped by two signals', () => {
  it.each([
    ['SIGINT', 'SIGTERM', EXIT.interrupted],
    ['SIGTERM', 'SIGINT', EXIT.terminated],
  ] as const)('%s then %s: the first decides the exit code (%i)', async (first, second, code) => {
    dir = mkdtempSync(join(tmpdir(), 'crocetta-rebuild-signals-'));
    const file = join(dir, 'register.sqlite');
    const register = await openRegister({ file, lookbackDays: 30 });
    const t0 = Date.parse('2026-11-01T08:00:00Z');
    await Promise.all(
      Array.from({ length: 300 }, (_, i) => register.record(newAttempt(`+39333${1_000_000 + i}`, t0 + i * 600_000))),
    );
    await register.close();
    const db = await Connection.open(file);
    try {
      // Aggregates to rebuild (as after a change of timeZone), a long pause after each chunk.
      await db.run("DELETE FROM settings WHERE key = 'aggregates.timeZone'");
      const overlay = join(dir, 'slow-rebuild.yaml');
      writeFileSync(overlay, 'store:\n  aggregatesRebuildPauseMs: 600000\n');
      process.env.CROCETTA_CONFIG = overlay;
      const before = new Map(SIGNALS.map((s) => [s, process.listeners(s)]));
      const errors = vi.spyOn(process.stderr, 'write').mockImplementation(() => true); // its progress lines
      let stopped: Promise<unknown>;
      try {
        stopped = rebuildAggregates({ db: file, json: true }).then(
          () => null,
          (err: unknown) => err,
        );
        const mark = async () =>
          (await db.get<{ value: string }>("SELECT value FROM settings WHERE key = 'aggregates.rebuild'"))?.value;
        for (let i = 0; i < 600 && !(JSON.parse((await mark()) ?? '{}') as { counted?: number }).counted; i++)
          await new Promise((r) => setTimeout(r, 20)); // until its first chunk is committed (then it pauses)
        const own = (s: (typeof SIGNALS)[number]) => process.listeners(s).filter((l) => !before.get(s)?.includes(l));
        const listeners = { first: own(first), second: own(second) };
        expect([listeners.first.length, listeners.second.length]).toEqual([1, 1]);
        for (const l of [...listeners.first, ...listeners.second]) (l as () => void)();
        const err = await stopped;
        expect(err).toBeInstanceOf(CliError);
        expect((err as CliError).code).toBe(code);
        expect((err as CliError).message).toMatch(/^stopped: \d+ of 300 attempts counted/);
      } finally {
        errors.mockRestore();
        for (const s of SIGNALS)
          for (const l of process.listeners(s)) if (!before.get(s)?.includes(l)) process.off(s, l as () => void);
      }
    } finally {
      await db.close();
    }
  });
});
