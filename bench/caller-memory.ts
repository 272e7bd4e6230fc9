/**
 * bench/caller-memory.ts: what crocetta keeps in memory for each NEW caller, through the service's request handler
 * (the deps the service builds: register with its journal, index, identity cache, transactions, forwarded calls,
 * logger, metrics), in process, without drachtio-server or sipp: every call comes from a number never seen before,
 * as bench:sip's proxied workload sends (an unknown caller, proxied, the PBX's 200 at once, then the call's end as
 * drachtio-server reports it: two cdr:stop records, a talk time of 0 s). Requests are drachtio-srf's own Request over
 * its SipMessage parser, with the SDP body sipp sends.
 *
 *   node --expose-gc --import tsx bench/caller-memory.ts [--warmup 60000] [--callers 100000] [--rate 2000]
 *        [--points 4] [--snapshots DIR] [--dist]
 *
 * --warmup calls first (the bounded structures fill: the identity cache's 2 × 10,000, the recent attempts' ring, the
 * transaction memory's 40 s), then --callers more in --points steps; at each point, after a forced GC: V8's heap used,
 * RSS, and the growth since the first point per caller. --snapshots DIR: a heap snapshot at the first and last
 * points (compare with bench/heap-diff.ts). --dist: the modules from dist/ (`npm run build`), what `npm start` runs.
 * Calls are paced at --rate a second (real time: the transaction memory and the timers age as in service).
 * Prints figures, never asserts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import type Srf from 'drachtio-srf';
import {
  benchCallId,
  benchEnv,
  benchInvite,
  benchResponse,
  buildHandler,
  handlerModules,
  proxiedOk,
} from './handler-modules.js';
import { numberArg, textArg } from './args.js';

const DID = '+390612345678';
const MB = 1048576;

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    console.log('caller-memory: run with node --expose-gc (see the header). Nothing measured.');
    process.exitCode = 2;
    return;
  }
  const warmup = numberArg('warmup', 60_000);
  const callers = numberArg('callers', 100_000);
  const rate = numberArg('rate', 2000);
  const points = numberArg('points', 4);
  const snapshots = textArg('snapshots');
  const dir = mkdtempSync(join(tmpdir(), 'caller-memory-'));
  const m = await handlerModules(process.argv.includes('--dist'));
  const { src } = m;
  const config = m.loadConfig({ env: { ...benchEnv(join(dir, 'register.sqlite')), LOG_LEVEL: 'silent' } });
  const { handle, cdrStops, close } = await buildHandler(m, config);
  const sdp = [
    'v=0',
    'o=carrier 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    'm=audio 6000 RTP/AVP 8 0',
    'a=ptime:20',
    'a=sendrecv',
    '',
  ].join('\r\n');
  let n = 0;
  const request = (): Srf.SrfRequest => {
    const i = n++;
    // A caller never seen before each time (bench:sip's unknownNumber shape: a mobile number).
    const from = `+39333${String(i).padStart(7, '0')}`;
    const proxy = (): Promise<unknown> => {
      setTimeout(() => cdrStops(benchCallId(i), DID), 5);
      return proxiedOk();
    };
    return benchInvite(m, i, from, DID, proxy, sdp);
  };
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  async function calls(count: number): Promise<void> {
    const start = performance.now();
    let sent = 0;
    while (sent < count) {
      const due = Math.min(count, Math.floor(((performance.now() - start) * rate) / 1000));
      for (; sent < due; sent++) handle(request(), benchResponse());
      await sleep(2);
    }
    await sleep(300); // the commits, the cdr:stop timers
  }
  interface Point {
    calls: number;
    heap: number;
    rss: number;
    external: number;
  }
  const measure = (): Point => {
    gc();
    gc();
    const m = process.memoryUsage();
    return { calls: n, heap: m.heapUsed, rss: m.rss, external: m.external };
  };
  const started = new Date().toISOString();
  const load0 = loadavg()[0] as number;
  console.log(
    `caller-memory: ${src}, ${warmup} calls of warm-up then ${callers} new callers in ${points} steps at ${rate}/s`,
  );
  await calls(warmup);
  const first = measure();
  const show = (p: Point, tag: string): void => {
    const k = p.calls - first.calls;
    const per = (a: number, b: number): string => (k > 0 ? `${((a - b) / k).toFixed(0).padStart(5)} B` : '    -');
    console.log(
      `  ${tag.padEnd(6)} calls ${String(p.calls).padStart(8)}  heap ${(p.heap / MB).toFixed(1).padStart(7)} MB  rss ${(p.rss / MB).toFixed(1).padStart(7)} MB  external ${(p.external / MB).toFixed(1).padStart(5)} MB` +
        `  per new caller since the first point: heap ${per(p.heap, first.heap)}, rss ${per(p.rss, first.rss)}`,
    );
  };
  show(first, 'first');
  if (snapshots !== undefined) writeHeapSnapshot(join(snapshots, `caller-memory-${n}.heapsnapshot`));
  for (let s = 1; s <= points; s++) {
    await calls(Math.round(callers / points));
    show(measure(), `step ${s}`);
  }
  if (snapshots !== undefined) writeHeapSnapshot(join(snapshots, `caller-memory-${n}.heapsnapshot`));
  console.log(
    `caller-memory: ${started} → ${new Date().toISOString()}, load ${load0.toFixed(2)} → ${(loadavg()[0] as number).toFixed(2)}`,
  );
  await close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

void main();
