/**
 * bench/wire-messages.cjs: counts what an application says to its drachtio-server and hears from it, on the admin
 * socket, in a node application that bench/sip.ts starts (crocetta or the bare app): preloaded with
 * `--node-flags 'cnt:--require=./bench/wire-messages.cjs WIRE_MESSAGES_OUT=/tmp/wm /path/to/dist/src/main.js'` or
 * `--bare-flags '--require=./bench/wire-messages.cjs'` (then the default output, /tmp/wire-messages).
 *
 * Patches drachtio-srf's WireProtocol (the copy the application's script resolves, so another tree's build counts its
 * own): messages sent by kind (`proxy`, `sip` with its status or method, `route`…), the socket's write calls into the
 * stream (`_write`: one buffer; `_writev`: several, corked), reads (`data` events) with their bytes, and messages
 * received by kind (`sip` with its method or status, `response`, `cdr:stop`…) and per read, INVITEs per read, and
 * messages sent per turn (from the first send to the process.nextTick it queues: what a cork released on the next
 * tick would gather into one write). Every second and at exit it
 * writes `<WIRE_MESSAGES_OUT>-<pid>.json` with the time (ms since the epoch), so that a sampler can take differences
 * over a window. Main thread only. Bench only.
 */
'use strict';
const { isMainThread } = require('node:worker_threads');

if (isMainThread) {
  const fs = require('node:fs');
  const path = require('node:path');
  const net = require('node:net');
  const out = `${process.env.WIRE_MESSAGES_OUT ?? '/tmp/wire-messages'}-${process.pid}.json`;
  const counts = {
    argv: process.argv.slice(1),
    at: 0,
    sent: {},
    sends: 0,
    writes: 0,
    writevs: 0,
    writevChunks: 0,
    reads: 0,
    readBytes: 0,
    received: {},
    messages: 0,
    perRead: {},
    invitesPerRead: {},
    turns: 0,
    sendsPerTurn: {},
  };
  let invites = 0;
  let turn = 0;
  const endTurn = () => {
    add(counts.sendsPerTurn, turn);
    turn = 0;
  };
  const add = (o, k) => (o[k] = (o[k] ?? 0) + 1);
  const tagged = new WeakSet();
  const kindOf = (token, rest) => {
    if (token !== 'sip') return token;
    // a SIP message's first line: "INVITE sip:… SIP/2.0" or "SIP/2.0 200 OK"
    const first = rest.slice(0, rest.indexOf('\r'));
    return first.startsWith('SIP/2.0 ') ? `sip ${first.slice(8, 11)}` : `sip ${first.slice(0, first.indexOf(' '))}`;
  };
  const install = () => {
    // The application's own drachtio-srf: resolved from its script's directory, not this file's.
    const script = process.argv[1] ?? process.cwd();
    const lib = require.resolve('drachtio-srf', { paths: [path.dirname(script), process.cwd()] });
    const WireProtocol = require(path.join(path.dirname(lib), 'wire-protocol.js'));
    const send = WireProtocol.prototype.send;
    WireProtocol.prototype.send = function (socket, msg) {
      tagged.add(socket);
      counts.sends++;
      if (turn++ === 0) {
        counts.turns++;
        process.nextTick(endTurn);
      }
      const bar = msg.indexOf('|');
      const end = msg.indexOf('\r\n');
      const token = bar === -1 ? msg : msg.slice(0, bar);
      add(
        counts.sent,
        token === 'sip' || token === 'proxy'
          ? kindOf('sip', msg.slice(end + 2)) + (token === 'proxy' ? ' (proxy)' : '')
          : token,
      );
      return send.call(this, socket, msg);
    };
    const onData = WireProtocol.prototype._onData;
    WireProtocol.prototype._onData = function (socket, data) {
      tagged.add(socket);
      counts.reads++;
      counts.readBytes += data.length;
      const before = counts.messages;
      invites = 0;
      const r = onData.call(this, socket, data);
      add(counts.perRead, counts.messages - before);
      add(counts.invitesPerRead, invites);
      return r;
    };
    const emit = WireProtocol.prototype.emit;
    WireProtocol.prototype.emit = function (event, socket, msg) {
      if (event === 'msg' && typeof msg === 'string') {
        counts.messages++;
        const nl = msg.indexOf('\r\n');
        const leader = (nl === -1 ? msg : msg.slice(0, nl)).split('|');
        const kind = kindOf(leader[1] ?? '?', nl === -1 ? '' : msg.slice(nl + 2));
        if (kind === 'sip INVITE') invites++;
        add(counts.received, kind);
      }
      return emit.apply(this, arguments);
    };
    const write = net.Socket.prototype._write;
    net.Socket.prototype._write = function (data, encoding, cb) {
      if (tagged.has(this)) counts.writes++;
      return write.call(this, data, encoding, cb);
    };
    const writev = net.Socket.prototype._writev;
    net.Socket.prototype._writev = function (chunks, cb) {
      if (tagged.has(this)) {
        counts.writevs++;
        counts.writevChunks += chunks.length;
      }
      return writev.call(this, chunks, cb);
    };
  };
  try {
    install();
  } catch (err) {
    counts.error = String(err);
  }
  const save = () => {
    counts.at = Date.now();
    fs.writeFileSync(out, JSON.stringify(counts));
  };
  setInterval(save, 1000).unref();
  process.on('exit', save);
}
