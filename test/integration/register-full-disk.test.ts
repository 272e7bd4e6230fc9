/**
 * Calls while the register's disk is full: every call is still answered as decided (refused or forwarded), no
 * call waits for the disk, and once space is freed every attempt is in the register with its outcome. Beyond the
 * spool's cap, what is lost is counted in /metrics and the log.
 *
 * The full disk is SQLITE_FULL for real: SQLite's `max_page_count` on the register's writer connection stops the
 * file from growing (no root needed, so CI runs it), and filler attempts use up the room left in its last pages;
 * raising it frees the space. Where this process may mount a
 * tmpfs (root), the same scenario also runs on a small tmpfs filled to the last byte (ENOSPC from the kernel).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Connection } from '../../src/store/sqlite/connection.js';
import { newAttempt } from '../../src/store/test-fixtures.js';
import type { Attempt } from '../../src/store/register/types.js';
import { buildInvite } from '../support/drachtio-double.js';
import { eventually, startHarness, type Harness } from '../support/crocetta-harness.js';
import { panelSession } from '../support/panel-session.js';

const DID = '+390612345678';
const NUISANCE = '+390298765432';
const CALLS = 50;

let h: Harness | undefined;
let mounted: string | undefined;

afterEach(async () => {
  await h?.stop();
  h = undefined;
  if (mounted !== undefined) {
    execFileSync('umount', [mounted]);
    rmSync(mounted, { recursive: true, force: true });
    mounted = undefined;
  }
});

function writerOf(harness: Harness): Connection {
  return (harness.app.register as unknown as { writer: Connection }).writer;
}

/**
 * Fills the disk: the file may not grow any more, and filler attempts are recorded until the register reports
 * one held (the file's last pages had room for a few rows). From then on every write is refused until `freeDisk`.
 */
async function fillDisk(harness: Harness): Promise<void> {
  const w = writerOf(harness);
  const pages = await w.get<{ page_count: number }>('PRAGMA page_count');
  await w.exec(`PRAGMA max_page_count = ${pages?.page_count ?? 1}`);
  for (let n = 0; ; n++) {
    const filler = newAttempt('+390100000000', Date.now(), {
      callId: `filler-${n}`,
      reasons: [{ code: 'prefix-rule', text: 'x'.repeat(1500), weight: 0 }],
    });
    const full = await new Promise<boolean>((resolve) => {
      harness.app.register.record(filler, { onSpooled: () => resolve(true) }).then(
        () => resolve(false),
        () => resolve(true), // refused outright (a register without a spool): the disk is full all the same
      );
    });
    if (full) return;
  }
}

async function freeDisk(harness: Harness): Promise<void> {
  await writerOf(harness).exec('PRAGMA max_page_count = 1073741823');
}

function caller(i: number): string {
  return `+39347${(1_000_000 + i).toString()}`;
}

async function allAttempts(harness: Harness): Promise<Attempt[]> {
  const res = await harness.api('GET', '/api/attempts?limit=1000');
  return (res.json as { attempts: Attempt[] }).attempts;
}

/** The dashboard's register line as the office reads it in `lang` (null: none), logged in with the harness's password. */
async function registerLine(harness: Harness, lang: 'it' | 'en'): Promise<string | null> {
  const { cookie } = await panelSession((path) => harness.url(path), 'office-pw', lang);
  const page = await (await fetch(harness.url('/'), { headers: { cookie } })).text();
  expect(page).toContain('class="cards"'); // the dashboard itself, logged in
  return /<p class="notice[^"]*register"[^>]*>([^<]*)<\/p>/.exec(page)?.[1] ?? null;
}

async function metric(harness: Harness, line: RegExp): Promise<number> {
  const text = String((await harness.api('GET', '/metrics', undefined, null)).json);
  const found = line.exec(text);
  return found === null ? 0 : Number(found[1]);
}

/** CALLS calls at once: the nuisance number every 10th, new callers otherwise; resolves with their final codes. */
async function callsWhileFull(harness: Harness): Promise<number[]> {
  const calls = Array.from({ length: CALLS }, (_, i) => {
    const from = i % 10 === 0 ? NUISANCE : caller(i);
    return harness.double.injectRequest(
      buildInvite({ from, to: DID, requestUri: `sip:${DID}@127.0.0.1`, callId: `full-${i}` }),
    );
  });
  // 8 s: room for a busy machine, and still short of store.commitWaitMs (10 s) in the tests that set it.
  return Promise.all(calls.map(async (c) => (await c.waitForFinal(8000)).status));
}

async function expectEveryAttemptWritten(harness: Harness): Promise<void> {
  await harness.app.register.flush(); // retries at once (else the backoff timer would, within 2 s)
  const rows = await eventually(async () => {
    const all = (await allAttempts(harness)).filter((a) => a.callId.startsWith('full-'));
    const settled = all.filter((a) => a.outcome !== 'forwarded');
    return settled.length === CALLS ? all : undefined;
  }, 10_000);
  expect(new Set(rows.map((a) => a.callId)).size).toBe(CALLS); // each once
  for (const a of rows) {
    const i = Number(a.callId.slice('full-'.length));
    if (i % 10 === 0)
      expect(a).toMatchObject({ callerE164: NUISANCE, action: 'reject:607', outcome: 'rejected', finalStatus: 607 });
    else
      expect(a).toMatchObject({
        callerE164: caller(i),
        action: 'allow',
        outcome: 'answered',
        finalStatus: 200,
        failOpen: false,
      });
  }
}

describe('a full disk under the register', () => {
  it('answers every call as decided while the disk is full, and has every attempt in the register once space is freed', async () => {
    // commitWaitMs beyond the calls' 8 s wait for an answer: a call that waited for the failing disk fails the test.
    h = await startHarness({ ADMIN_PASSWORD: 'office-pw' }, { configure: (c) => (c.store.commitWaitMs = 10_000) });
    const harness = h;
    expect(await registerLine(harness, 'en')).toBeNull();
    expect(
      (await harness.api('POST', `/api/numbers/${encodeURIComponent(NUISANCE)}/mark`, { label: 'nuisance' })).status,
    ).toBe(200);
    harness.double.onProxy(() => [{ status: 180 }, { status: 200 }]);
    await fillDisk(harness);

    const finals = await callsWhileFull(harness);
    // Answered while the disk is still full: nobody waited for it, and the decisions held (no fail open).
    expect(finals).toEqual(Array.from({ length: CALLS }, (_, i) => (i % 10 === 0 ? 607 : 200)));
    expect(await metric(harness, /^crocetta_register_spooled_total (\d+)$/m)).toBeGreaterThan(0);
    expect(await metric(harness, /^crocetta_register_spool_writes (\d+)$/m)).toBeGreaterThan(0);
    expect((await harness.api('GET', '/readyz', undefined, null)).status).toBe(503);
    expect(
      harness.logs.some(
        (l) =>
          l.msg === 'register cannot write: writes are held in memory (spool) and retried until the disk accepts them',
      ),
    ).toBe(true);
    // The office's marks are refused with a clear answer (nothing changed), not held with the request open.
    const mark = await harness.api('POST', '/api/numbers/%2B390211111111/mark', { label: 'nuisance' });
    expect(mark.status).toBe(503);
    // So is "let the next call through": nothing set, not even in memory.
    const through = await harness.api('POST', '/api/numbers/%2B390211111111/let-through', {});
    expect(through.status).toBe(503);
    expect(harness.app.register.letThroughSince('+390211111111')).toBeNull();
    // The office reads it on the dashboard (it never reads /readyz), in either language, with how many writes wait:
    // the spool's count (/metrics' gauge) read before and after the page, as outcomes may still join it meanwhile.
    const heldBefore = await metric(harness, /^crocetta_register_spool_writes (\d+)$/m);
    const en = await registerLine(harness, 'en');
    const heldAfter = await metric(harness, /^crocetta_register_spool_writes (\d+)$/m);
    expect(en).toMatch(
      /^The register cannot write to its disk \(full, I\/O errors or locked\): calls are still screened and their attempts held in memory until the disk takes them/,
    );
    const held = Number(/ Waiting in memory now: (\d+) writes \(attempts and their outcomes\)\.$/.exec(en ?? '')?.[1]);
    expect(held).toBeGreaterThanOrEqual(heldBefore);
    expect(held).toBeLessThanOrEqual(heldAfter);
    expect(held).toBeGreaterThan(0);
    expect(await registerLine(harness, 'it')).toMatch(
      /^Il registro non riesce a scrivere sul suo disco.* In attesa in memoria ora: \d+ scritture \(tentativi e loro esiti\)\.$/,
    );

    await freeDisk(harness);
    await expectEveryAttemptWritten(harness);
    expect(await registerLine(harness, 'it')).toBeNull();
    expect(await metric(harness, /^crocetta_register_spool_writes (\d+)$/m)).toBe(0);
    expect(await metric(harness, /^crocetta_register_lost_total\{reason="overflow"\} (\d+)$/m)).toBe(0);
    expect(await metric(harness, /^crocetta_fail_open_total\{stage="register"\} (\d+)$/m)).toBe(0);
    expect((await harness.api('GET', '/readyz', undefined, null)).status).toBe(200);
  });

  it('counts in /metrics and the log the attempts lost beyond store.spoolMaxWrites, and forwards their calls (fail open)', async () => {
    h = await startHarness({}, { configure: (c) => (c.store.spoolMaxWrites = 10) });
    const harness = h;
    harness.double.onProxy(() => [{ status: 200 }]);
    await fillDisk(harness);
    const calls = Array.from({ length: 30 }, (_, i) =>
      harness.double.injectRequest(
        buildInvite({ from: caller(i), to: DID, requestUri: `sip:${DID}@127.0.0.1`, callId: `over-${i}` }),
      ),
    );
    const finals = await Promise.all(calls.map(async (c) => (await c.waitForFinal()).status));
    expect(finals.every((s) => s === 200)).toBe(true); // every caller reached the PBX

    const lost = await metric(harness, /^crocetta_register_lost_total\{reason="overflow"\} (\d+)$/m);
    expect(lost).toBeGreaterThan(0);
    expect(await metric(harness, /^crocetta_register_spool_writes (\d+)$/m)).toBe(10);
    expect(await metric(harness, /^crocetta_fail_open_total\{stage="register"\} (\d+)$/m)).toBe(lost);
    expect(
      harness.logs.some(
        (l) =>
          l.msg === 'register write queue full (store.spoolMaxWrites): new writes are lost until the disk catches up',
      ),
    ).toBe(true);

    await freeDisk(harness);
    await harness.app.register.flush();
    const written = await eventually(async () => {
      const rows = (await allAttempts(harness)).filter((a) => a.callId.startsWith('over-'));
      return rows.length + lost === 30 ? rows : undefined;
    });
    expect(new Set(written.map((a) => a.callId)).size).toBe(written.length);
    expect(await metric(harness, /^crocetta_register_spool_writes (\d+)$/m)).toBe(0);
  });

  it('survives a real full file system (a small tmpfs filled to the last byte)', async (ctx) => {
    const mount = mkdtempSync(join(tmpdir(), 'crocetta-tmpfs-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mount], { stdio: 'ignore' });
      mounted = mount;
    } catch {
      rmSync(mount, { recursive: true, force: true });
      ctx.skip(true, 'cannot mount a tmpfs here (needs root): the max_page_count test above covers SQLITE_FULL');
      return;
    }
    mkdirSync(join(mount, 'data'));
    h = await startHarness({ CROCETTA_DB: join(mount, 'data', 'register.sqlite') });
    const harness = h;
    expect(
      (await harness.api('POST', `/api/numbers/${encodeURIComponent(NUISANCE)}/mark`, { label: 'nuisance' })).status,
    ).toBe(200);
    harness.double.onProxy(() => [{ status: 180 }, { status: 200 }]);

    const filler = join(mount, 'filler');
    const fd = openSync(filler, 'w');
    const block = Buffer.alloc(64 * 1024);
    try {
      for (;;) writeSync(fd, block);
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    }
    const small = Buffer.alloc(512);
    try {
      for (;;) writeSync(fd, small);
    } catch {
      // the last bytes too
    }
    closeSync(fd);

    const finals = await callsWhileFull(harness);
    expect(finals).toEqual(Array.from({ length: CALLS }, (_, i) => (i % 10 === 0 ? 607 : 200)));
    expect(await metric(harness, /^crocetta_register_spooled_total (\d+)$/m)).toBeGreaterThan(0);

    rmSync(filler);
    await expectEveryAttemptWritten(harness);
    expect(await metric(harness, /^crocetta_register_lost_total\{reason="\w+"\} (\d+)$/m)).toBe(0);
  });

  it('starts with a configuration file that still sets store.batchWindowMs, and says it is ignored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crocetta-old-config-'));
    const config = join(dir, 'old.yaml');
    writeFileSync(config, 'store:\n  batchWindowMs: 10\n');
    try {
      h = await startHarness({ CROCETTA_CONFIG: config });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(
      h.logs.find((l) => l.level === 40 && String(l.msg).startsWith('store.batchWindowMs is ignored')),
    ).toBeDefined();
    expect((await h.api('GET', '/readyz', undefined, null)).status).toBe(200);
  });
});
