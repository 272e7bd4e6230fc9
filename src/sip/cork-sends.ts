/**
 * crocetta's commands to drachtio-server gathered into at most two write()s per turn of the event loop.
 *
 * drachtio-srf writes each message it sends (a proxy command, a response, a route) with a `socket.write` of its own
 * (WireProtocol#send), and node writes it at once: one write() each. Under load drachtio-server hands the INVITEs
 * over several to a socket read, and crocetta answers each in its handler's synchronous run (handle-request.ts), so
 * one turn sends several commands: at 800 proxied calls/s (session 45, bench/wire-messages.cjs) 14,400 calls' proxy
 * commands were sent in 7,302 turns, up to 22 in one. Each write() is a system call for crocetta and a read and an
 * event-loop wake-up for drachtio-server's one SIP thread, which is what runs out first at those rates.
 *
 * `corkSendsPerTurn` lets a turn's first message go at once, as before, and corks the socket behind it: the turn's
 * later messages wait in the socket's buffer and leave together in one writev(), in order, when `process.nextTick`
 * uncorks it, once the turn's synchronous run and its microtasks are done (before any timer or I/O callback). A lone
 * message is written exactly when it was: corking it too (tried first) held a durable answer back behind the rest of
 * its turn (the index learning the attempt, drachtio-srf's code after the handler; docs/measurements.md, session 45).
 * Nothing is sent earlier than before, so an answer still follows whatever its handler wrote first (a durable
 * attempt's journal line). `socket.end()` (srf.disconnect) writes what is corked before it closes. `beforeWrite` runs
 * before each write() to the socket (a turn's first message, the uncork): sip-app.ts writes the register's update
 * lines gathered so far there, so that no message leaves before a line given before it.
 *
 * Reached through drachtio-srf's internals (`srf._app.client.wp`, as cdr-stop.ts does): read defensively; when they
 * are not where expected it does nothing and says so (false), and every message is written as before.
 */
import type Srf from 'drachtio-srf';

/** What corkSendsPerTurn needs of a socket: node's net.Socket has it. */
interface Corkable {
  cork(): void;
  uncork(): void;
}

interface WireLike {
  send: (socket: unknown, msg: string) => unknown;
}

function isWire(value: unknown): value is WireLike {
  return typeof (value as Partial<WireLike> | null | undefined)?.send === 'function';
}

function isCorkable(value: unknown): value is Corkable {
  const v = value as Partial<Corkable> | null | undefined;
  return typeof v?.cork === 'function' && typeof v.uncork === 'function';
}

/**
 * Makes srf's drachtio connection write each turn's messages after its first together (call it right after
 * `srf.connect()`, which creates the connection; it holds for every socket the connection uses, reconnections
 * included). Returns false, changing nothing, when drachtio-srf's internals are not where expected. Each connection
 * has its own corked sockets and its own `beforeWrite` (two apps in one process, as in tests: each its own hook).
 */
export function corkSendsPerTurn(srf: Pick<Srf, 'locals'>, beforeWrite: () => void = noop): boolean {
  const wire = (srf as unknown as { _app?: { client?: { wp?: unknown } } })._app?.client?.wp;
  if (!isWire(wire)) return false;
  const send = wire.send;
  /** The sockets written to in this turn (the first message went at once, the socket corked behind it). */
  const corked = new Set<Corkable>();
  const uncorkAll = (): void => {
    beforeWrite();
    for (const socket of corked) socket.uncork();
    corked.clear();
  };
  wire.send = function (this: unknown, socket: unknown, msg: string): unknown {
    if (!isCorkable(socket)) {
      beforeWrite();
      return send.call(this, socket, msg);
    }
    if (corked.has(socket)) return send.call(this, socket, msg);
    beforeWrite();
    const sent = send.call(this, socket, msg);
    if (corked.size === 0) process.nextTick(uncorkAll);
    corked.add(socket);
    socket.cork();
    return sent;
  };
  return true;
}

function noop(): void {}
