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
import { handlerModules } from './handler-modules.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}
const textArg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

const DID = '+390612345678';
const MB = 1048576;

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    console.log('caller-memory: run with node --expose-gc (see the header). Nothing measured.');
    process.exitCode = 2;
    return;
  }
  const warmup = arg('warmup', 60_000);
  const callers = arg('callers', 100_000);
  const rate = arg('rate', 2000);
  const points = arg('points', 4);
  const snapshots = textArg('snapshots');
  const dir = mkdtempSync(join(tmpdir(), 'caller-memory-'));
  const {
    src,
    SipMessage,
    Request,
    loadConfig,
    createLogger,
    createMetrics,
    systemClock,
    createActionDeps,
    createRequestHandler,
    openStores,
    sipHandlerDeps,
    readCdrStop,
  } = await handlerModules(process.argv.includes('--dist'));

  const config = loadConfig({
    env: {
      CROCETTA_DB: join(dir, 'register.sqlite'),
      PBX_URI: 'sip:127.0.0.1:5080',
      DRACHTIO_SECRET: 'bench-secret',
      CROCETTA_API_TOKEN: 'bench-token-0123456789',
      ADMIN_PASSWORD: 'bench-password-0123456789',
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
    },
  });
  const logger = createLogger(config.log.level);
  const metrics = createMetrics();
  const actions = createActionDeps(config, logger.child({ component: 'media' }), metrics);
  const stores = await openStores(config, { clock: systemClock, metrics, logger });
  const deps = sipHandlerDeps(config, { stores, actions: actions.deps, clock: systemClock, metrics, logger });
  const handle = createRequestHandler('call', deps);

  let cdrId = 0;
  const cdrStops = (callId: string): void => {
    for (const side of ['network', 'application']) {
      const record =
        `${++cdrId}|cdr:stop|${side}|${new Date().toISOString()}|normal-release\r\n` +
        `BYE sip:${DID}@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-bye${cdrId}\r\n` +
        `From: <sip:caller@127.0.0.1>;tag=a\r\nTo: <sip:${DID}@127.0.0.1>;tag=b\r\nCall-ID: ${callId}\r\n` +
        'CSeq: 2 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n';
      const stop = readCdrStop(record);
      if (stop !== null) deps.forwarded.ended(stop.callId, systemClock.now(), stop.reason, stop.status);
    }
  };
  const response = (): Srf.SrfResponse => {
    const res = {
      finalResponseSent: false,
      send(status: number, ...rest: unknown[]) {
        if (status >= 200) res.finalResponseSent = true;
        const cb = rest.find((r) => typeof r === 'function') as ((err: unknown) => void) | undefined;
        if (cb) setImmediate(cb, null);
      },
    };
    return res as unknown as Srf.SrfResponse;
  };
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
    const callId = `${i}-${process.pid}@127.0.0.1`;
    const raw = [
      `INVITE sip:${DID}@127.0.0.1:5060 SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-${i}-bench;rport=5061`,
      `From: <sip:${from}@127.0.0.1>;tag=${process.pid}T${i}`,
      `To: <sip:${DID}@127.0.0.1:5060>`,
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      `Contact: <sip:${from}@127.0.0.1:5061>`,
      'Max-Forwards: 70',
      'User-Agent: crocetta-bench',
      'Content-Type: application/sdp',
      `Content-Length: ${sdp.length}`,
      '',
      sdp,
    ].join('\r\n');
    const meta = { source: 'network', address: '127.0.0.1', port: '5061', protocol: 'udp', transactionId: `t${i}` };
    const req = new Request(new SipMessage(raw), meta);
    (req as unknown as { proxy: (o: object) => Promise<unknown> }).proxy = () => {
      setTimeout(() => cdrStops(callId), 5);
      return new Promise((resolve) => setImmediate(resolve, { connected: true, finalStatus: 200, responses: [] }));
    };
    return req;
  };
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  async function calls(count: number): Promise<void> {
    const start = performance.now();
    let sent = 0;
    while (sent < count) {
      const due = Math.min(count, Math.floor(((performance.now() - start) * rate) / 1000));
      for (; sent < due; sent++) handle(request(), response());
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
  await actions.media.stop();
  await stores.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

void main();
