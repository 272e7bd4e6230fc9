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
 * It patches drachtio-srf's prototypes only, nothing of the application's code. Every second it writes, per kind of
 * answer (status or `proxy`), the µs between consecutive stages (p50/p90/p99) to $SIP_TIMELINE_FILE (JSON,
 * rewritten); SIGUSR2 starts counting afresh. Bench only.
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

  const onData = WireProtocol.prototype._onData;
  WireProtocol.prototype._onData = function (socket, msg) {
    lastData = now();
    return onData.call(this, socket, msg);
  };
  const onMsg = Agent.prototype._onMsg;
  Agent.prototype._onMsg = function (socket, msg) {
    if (typeof msg === 'string' && msg.includes('|sip|network|') && /\r\nINVITE /.test(msg.slice(0, 400))) {
      arriving = { kind: undefined, stamps: [['data', lastData]] };
      stamp(arriving, 'msg');
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
    if (typeof status === 'number' && status >= 200) answering(this.req, String(status));
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
  setInterval(() => {
    const byKind = {};
    for (const t of done) (byKind[t.kind] ??= []).push(t.stamps);
    const summary = {};
    for (const [kind, rows] of Object.entries(byKind)) summary[kind] = summarize(rows);
    try {
      writeFileSync(out, JSON.stringify(summary));
    } catch {
      // bench only: a summary not written is seen missing by bench/sip.ts
    }
  }, 1000).unref();
}
