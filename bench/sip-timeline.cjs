/**
 * bench/sip-timeline.cjs: bench/sip.ts --timeline preloads this (`node --require`) into every application it starts,
 * crocetta and the bare app alike, to time one INVITE's way through the process in stages (process.hrtime, µs):
 *
 *   data     drachtio-srf's WireProtocol gets the socket's bytes (`_onData`)
 *   msg      the framed message reaches DrachtioAgent#_onMsg
 *   handle   drachtio-srf's middleware starts (app.handle: the SIP message parsed, Request/Response made)
 *   handler  the application's INVITE handler is called
 *   (any)    a stage the handler stamps itself, `globalThis.__sipTimelineStamp?.('name')` (a local build only)
 *   return   the handler's synchronous part returned without an answer (the answer comes in a later turn)
 *   send     the answer is asked for: Response#send (a final response) or Request#proxy
 *   write    drachtio-srf's socket.write of that answer returned
 *
 * It patches drachtio-srf's prototypes only, nothing of the application's code. When asked (bench/sip.ts creates
 * $SIP_TIMELINE_FILE.want; looked for every 250 ms, a stat), it writes, per kind of answer (status or `proxy`), the µs
 * between consecutive stages (p50/p90/p99) to $SIP_TIMELINE_FILE (JSON) and removes the .want; SIGUSR2 starts
 * counting afresh. Bench only.
 *
 * Beside it, NAME.stalls.json: every INVITE whose data → msg took 1 ms or more (500 at most), with the socket chunk's
 * size and what drachtio-srf handled from that chunk before it (each message's kind, its start after the chunk's and
 * its µs, handlers included: drachtio-srf frames and handles a chunk's messages one after the other, synchronously)
 * and the garbage collections that overlapped. A long data → msg is an INVITE that waited behind others of the same
 * chunk: the chunk held several because the event loop had not read the socket for a while before.
 */
'use strict';
const { writeFileSync } = require('node:fs');

const file = process.env.SIP_TIMELINE_FILE;
// Worker threads (crocetta's RTP worker) get the preload too: only the main thread answers SIP, and only it writes.
if (file && require('node:worker_threads').isMainThread) install(file);

function install(out) {
  const lib = require.resolve('drachtio-srf');
  const dir = require('node:path').dirname(lib);
  const WireProtocol = require(`${dir}/wire-protocol.js`);
  const Agent = require(`${dir}/drachtio-agent.js`);
  const proto = require(`${dir}/proto.js`);
  const Request = require(`${dir}/request.js`);
  const Response = require(`${dir}/response.js`);
  const now = () => Number(process.hrtime.bigint()) / 1000;
  /** Finished INVITEs: { kind, stamps: [[stage, µs], …] }. */
  const done = [];
  let lastData = 0;
  /** The INVITE whose message is being handled (between _onMsg and app.handle). */
  let arriving = null;
  /** The INVITE whose handler is running (its synchronous part): what globalThis.__sipTimelineStamp stamps. */
  let handling = null;
  /** The INVITE whose answer is being written (between send/proxy and the socket write). */
  let sending = null;
  const stamp = (t, stage) => t.stamps.push([stage, now()]);
  // An application may stamp stages of its own inside its handler (a bench build only): `__sipTimelineStamp(name)`.
  globalThis.__sipTimelineStamp = (stage) => {
    if (handling !== null && handling.kind === undefined) stamp(handling, stage);
  };
  // …and by its request, after the handler's synchronous part too (a journaled refusal answers in a microtask).
  globalThis.__sipTimelineStampOf = (req, stage) => {
    const t = req && req.__timeline;
    if (t && t.kind === undefined) stamp(t, stage);
  };

  // What ran inside the same socket chunk before an INVITE's message was framed (the messages emitted before it,
  // each with its kind and µs), and the garbage collections that overlapped: why data→msg is long when it is.
  /** The socket chunk being handled: its start and the messages emitted from it so far. */
  let chunk = null;
  /** INVITEs whose data→msg took STALL_US or more: what came before them in their chunk. */
  const stalls = [];
  const STALL_US = 1000;
  /** Recent garbage collections: [start µs, duration µs, kind] on the same clock as the stamps. */
  const gcs = [];
  const { PerformanceObserver, performance } = require('node:perf_hooks');
  const origin = Number(process.hrtime.bigint()) / 1000 - performance.now() * 1000;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcs.push([origin + e.startTime * 1000, e.duration * 1000, e.detail?.kind ?? e.kind]);
      if (gcs.length > 4096) gcs.splice(0, 2048);
    }
  }).observe({ entryTypes: ['gc'] });
  /** A wire message's kind: its leader's type, and for SIP the method or status. */
  const kindOf = (msg) => {
    if (typeof msg !== 'string') return '?';
    const token = msg.slice(0, msg.indexOf('\r\n')).split('|');
    if (token[1] === 'sip') {
      const line = msg.slice(msg.indexOf('\r\n') + 2, msg.indexOf('\r\n') + 60);
      return `sip ${token[2]} ${/^SIP\/2\.0 (\d+)/.exec(line)?.[1] ?? line.split(' ')[0]}`;
    }
    return token[1] === 'response' ? `response ${token[3] ?? ''}` : (token[1] ?? '?');
  };

  const onData = WireProtocol.prototype._onData;
  WireProtocol.prototype._onData = function (socket, msg) {
    lastData = now();
    const outer = chunk;
    chunk = { at: lastData, bytes: msg.length, msgs: [] };
    try {
      return onData.call(this, socket, msg);
    } finally {
      chunk = outer;
    }
  };
  const emit = WireProtocol.prototype.emit;
  WireProtocol.prototype.emit = function (event, ...args) {
    if (event !== 'msg' || chunk === null) return emit.call(this, event, ...args);
    const current = chunk;
    const t0 = now();
    try {
      return emit.call(this, event, ...args);
    } finally {
      current.msgs.push([kindOf(args[1]), +(t0 - current.at).toFixed(1), +(now() - t0).toFixed(1)]);
    }
  };
  const onMsg = Agent.prototype._onMsg;
  Agent.prototype._onMsg = function (socket, msg) {
    if (typeof msg === 'string' && msg.includes('|sip|network|') && /\r\nINVITE /.test(msg.slice(0, 400))) {
      arriving = { kind: undefined, stamps: [['data', lastData]] };
      stamp(arriving, 'msg');
      const waited = arriving.stamps[1][1] - lastData;
      if (waited >= STALL_US && chunk !== null && stalls.length < 500) {
        const from = lastData;
        const to = arriving.stamps[1][1];
        stalls.push({
          us: +waited.toFixed(1),
          bytes: chunk.bytes,
          before: chunk.msgs.slice(),
          gc: gcs.filter(([at, d]) => at < to && at + d > from).map(([, d, k]) => [+d.toFixed(1), k]),
        });
      }
    }
    try {
      return onMsg.call(this, socket, msg);
    } finally {
      arriving = null;
    }
  };
  const handle = proto.handle;
  proto.handle = function (req, res, out) {
    if (arriving !== null && req.method === 'INVITE' && req.__timeline === undefined) {
      stamp(arriving, 'handle');
      req.__timeline = arriving;
      arriving = null;
    }
    return handle.call(this, req, res, out);
  };
  const use = proto.use;
  proto.use = function (method, ...fns) {
    if (method !== 'invite') return use.call(this, method, ...fns);
    return use.call(
      this,
      method,
      ...fns.map((fn) =>
        typeof fn === 'function' && typeof fn.handle !== 'function'
          ? function (req, res, next) {
              const t = req.__timeline;
              if (t) {
                stamp(t, 'handler');
                handling = t;
              }
              try {
                return fn.call(this, req, res, next);
              } finally {
                handling = null;
                // Not answered in the handler's synchronous part: the answer comes from a later turn.
                if (t && t.kind === undefined) stamp(t, 'return');
              }
            }
          : fn,
      ),
    );
  };
  const answering = (req, kind) => {
    const t = req && req.__timeline;
    if (!t || t.kind !== undefined) return;
    t.kind = kind;
    stamp(t, 'send');
    sending = t;
  };
  const send = Response.prototype.send;
  Response.prototype.send = function (...args) {
    const status = args[0];
    // A provisional first answer (an announcement's 183) is that INVITE's answer: its final, seconds later, is not.
    if (typeof status === 'number' && status > 100) answering(this.req, String(status));
    return send.apply(this, args);
  };
  const proxy = Request.prototype.proxy;
  Request.prototype.proxy = function (...args) {
    answering(this, 'proxy');
    return proxy.apply(this, args);
  };
  const wpSend = WireProtocol.prototype.send;
  WireProtocol.prototype.send = function (socket, msg) {
    const id = wpSend.call(this, socket, msg);
    if (sending !== null) {
      stamp(sending, 'write');
      done.push(sending);
      sending = null;
    }
    return id;
  };

  // SIGUSR2 (bench/sip.ts, after the warm-up): start counting afresh.
  process.on('SIGUSR2', () => {
    done.length = 0;
    stalls.length = 0;
  });
  const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  const percentiles = (values) => {
    const d = [...values].sort((a, b) => a - b);
    return { p50: +pct(d, 50).toFixed(1), p90: +pct(d, 90).toFixed(1), p99: +pct(d, 99).toFixed(1) };
  };
  /** Per transition (stage → next stage, in the order first seen), the µs between them; the total data → write. */
  const summarize = (rows) => {
    const steps = new Map();
    const total = [];
    for (const stamps of rows) {
      for (let i = 1; i < stamps.length; i++) {
        const key = `${stamps[i - 1][0]}→${stamps[i][0]}`;
        if (!steps.has(key)) steps.set(key, []);
        steps.get(key).push(stamps[i][1] - stamps[i - 1][1]);
      }
      total.push(stamps[stamps.length - 1][1] - stamps[0][1]);
    }
    const stages = {};
    for (const [key, values] of steps) stages[key] = { count: values.length, ...percentiles(values) };
    return { count: rows.length, stages, total: rows.length ? percentiles(total) : null };
  };
  // The summary is made when bench/sip.ts asks for it (it creates NAME.json.want), not every second: sorting every
  // stamp of the run each second held each application's event loop 10-50 ms once a second (a CPU profile of
  // 2 Dec 2026 at 100 calls/s: ~1 s of a 10-s round's main thread), a stall in the very latencies it times.
  const want = `${out}.want`;
  const { existsSync, rmSync } = require('node:fs');
  setInterval(() => {
    if (!existsSync(want)) return;
    const byKind = {};
    for (const t of done) (byKind[t.kind] ??= []).push(t.stamps);
    const summary = {};
    for (const [kind, rows] of Object.entries(byKind)) summary[kind] = summarize(rows);
    try {
      writeFileSync(out.replace(/(\.json)?$/, '.stalls.json'), JSON.stringify(stalls));
      writeFileSync(out, JSON.stringify(summary));
      rmSync(want, { force: true });
    } catch {
      // bench only: a summary not written is seen missing by bench/sip.ts
    }
  }, 250).unref();
}
