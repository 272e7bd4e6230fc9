/**
 * bench/caller-memory.ts: what crocetta keeps in memory for each NEW caller, through the service's request handler
 * (the deps the service builds: register with its journal, index, identity cache, transactions, forwarded calls,
 * logger, metrics), in process, without drachtio-server or sipp: every call comes from a number never seen before,
 * as bench:sip's proxied workload sends (an unknown caller, proxied, the PBX's 200 at once, then the call's end as
 * drachtio-server reports it: two cdr:stop records, a talk time of 0 s). Requests are drachtio-srf's own Request over
 * its SipMessage parser, with the SDP body sipp sends.
 *
 *   node --expose-gc --import tsx bench/caller-memory.ts [--warmup 60000] [--callers 100000] [--rate 2000]
 *        [--points 4] [--snapshots DIR [--snapshot-mid N]] [--survivors FILE] [--dist [DIR]]
 *
 * --warmup calls first (the bounded structures fill: the identity cache's 2 × 10,000, the recent attempts' ring, the
 * transaction memory's 40 s), then --callers more in --points steps; at each point, after a forced GC: V8's heap used,
 * RSS, and the growth since the first point per caller. --snapshots DIR: a heap snapshot at the first and last
 * points (compare with bench/heap-diff.ts); --snapshot-mid N: one more, while calls run, once N calls were sent (a
 * snapshot's full collection keeps only what is reachable: what the calls in flight hold, beside what stays).
 * --survivors FILE: V8's sampling heap profiler over the steps, keeping only the samples of objects that survived a
 * scavenge (collected by a mark-compact later, or still live): what a call has promoted out of the young generation,
 * by allocation site; FILE is the profile (.heapprofile, for Chrome's DevTools), and the largest sites are printed in
 * bytes a call. An object can survive a scavenge without being reachable at a full collection: V8's scavenges take
 * every pointer from the old generation as a root, dead old objects' included (session 39, docs/measurements.md).
 * --dist: the modules from dist/ (`npm run build`), what `npm start` runs;
 * --dist DIR: from another build's dist/ (e.g. main's, for an A/B with this bench file).
 * At each step also the CPU a call over the step's calls (before the forced GC; the main thread and the process's other
 * threads, V8's GC helpers and libuv's pool, from /proc/self/task) and V8's collections during them (PerformanceObserver
 * 'gc': count and ms of mark-compacts, scavenges, incremental marking).
 * Calls are paced at --rate a second (real time: the transaction memory and the timers age as in service).
 * Prints figures, never asserts.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
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
/** Clock ticks a second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICK_US = 10_000;

/** CPU µs so far of this process's main thread and of its other threads together (/proc/self/task/<tid>/stat). */
function threadCpu(): { main: number; other: number } {
  let main = 0;
  let other = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const us = (Number(f[11]) + Number(f[12])) * TICK_US;
    if (Number(tid) === process.pid) main += us;
    else other += us;
  }
  return { main, other };
}

/** V8's collections since the last take: count and ms by kind. */
function gcTally(): { take: () => string; stop: () => void } {
  const kinds = new Map<number, { n: number; ms: number }>();
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0;
      const k = kinds.get(kind) ?? { n: 0, ms: 0 };
      k.n++;
      k.ms += e.duration;
      kinds.set(kind, k);
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  const names: [number, string][] = [
    [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
    [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incr'],
  ];
  return {
    take: () => {
      const text = names
        .map(([kind, name]) => {
          const k = kinds.get(kind) ?? { n: 0, ms: 0 };
          return `${name} ${k.n}×/${k.ms.toFixed(0)} ms`;
        })
        .join(', ');
      kinds.clear();
      return text;
    },
    stop: () => obs.disconnect(),
  };
}

/** A node of a sampling heap profile (the inspector's HeapProfiler.SamplingHeapProfileNode). */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children: ProfileNode[];
}

/**
 * V8's sampling heap profiler keeping the samples of objects that survived a scavenge (--survivors): `stop(calls)`
 * writes the profile to `file` and prints the largest allocation sites (three frames) in bytes a call.
 */
async function survivorSampler(file: string): Promise<{ stop(calls: number): Promise<void> }> {
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params: object = {}): Promise<T> =>
    new Promise((resolve, reject) => {
      session.post(method, params, (err, out) => (err ? reject(err) : resolve(out as T)));
    });
  await post('HeapProfiler.startSampling', {
    samplingInterval: 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: false,
  });
  return {
    async stop(calls: number): Promise<void> {
      const { profile } = await post<{ profile: { head: ProfileNode; samples: { size: number; nodeId: number }[] } }>(
        'HeapProfiler.stopSampling',
      );
      session.disconnect();
      writeFileSync(file, JSON.stringify(profile));
      const sites = new Map<number, string>();
      const walk = (node: ProfileNode, path: string[]): void => {
        const f = node.callFrame;
        const here = [`${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\//, '')}:${f.lineNumber + 1}`, ...path];
        sites.set(node.id, here.slice(0, 3).join(' < '));
        for (const child of node.children) walk(child, here);
      };
      walk(profile.head, []);
      const bytes = new Map<string, number>();
      let total = 0;
      for (const sample of profile.samples) {
        const site = sites.get(sample.nodeId) ?? '?';
        bytes.set(site, (bytes.get(site) ?? 0) + sample.size);
        total += sample.size;
      }
      console.log(`  survived a scavenge (sampled): ${(total / calls).toFixed(0)} B a call; largest sites (${file}):`);
      for (const [site, b] of [...bytes].sort((x, y) => y[1] - x[1]).slice(0, 15)) {
        console.log(`    ${(b / calls).toFixed(0).padStart(6)} B  ${site}`);
      }
    },
  };
}

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
  let snapshotMid: number | null = snapshots === undefined ? null : numberArg('snapshot-mid', 0) || null;
  const survivors = textArg('survivors');
  const dir = mkdtempSync(join(tmpdir(), 'caller-memory-'));
  const distAt = process.argv.indexOf('--dist');
  const distDir = distAt >= 0 ? process.argv[distAt + 1] : undefined;
  const m = await handlerModules(
    distAt < 0 ? false : distDir !== undefined && !distDir.startsWith('--') ? distDir : true,
  );
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
      if (snapshots !== undefined && snapshotMid !== null && n >= snapshotMid) {
        snapshotMid = null;
        writeHeapSnapshot(join(snapshots, `caller-memory-mid-${n}.heapsnapshot`));
      }
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
  const gcs = gcTally();
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
  const sampler = survivors === undefined ? null : await survivorSampler(survivors);
  for (let s = 1; s <= points; s++) {
    gcs.take();
    const cpu0 = threadCpu();
    const t0 = performance.now();
    const count = Math.round(callers / points);
    await calls(count);
    const cpu1 = threadCpu();
    const wall = performance.now() - t0;
    const gcText = gcs.take(); // before the forced collections of measure()
    show(measure(), `step ${s}`);
    console.log(
      `         CPU a call: main ${((cpu1.main - cpu0.main) / count).toFixed(1)} µs, other threads ${((cpu1.other - cpu0.other) / count).toFixed(1)} µs` +
        ` (${(wall / 1000).toFixed(1)} s for ${count} calls); GC during the calls: ${gcText}`,
    );
  }
  gcs.stop();
  await sampler?.stop(n - first.calls);
  if (snapshots !== undefined) writeHeapSnapshot(join(snapshots, `caller-memory-${n}.heapsnapshot`));
  console.log(
    `caller-memory: ${started} → ${new Date().toISOString()}, load ${load0.toFixed(2)} → ${(loadavg()[0] as number).toFixed(2)}`,
  );
  await close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

void main();
