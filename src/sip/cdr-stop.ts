/**
 * drachtio-server's `cdr:stop` records, read for what crocetta needs of them (the Call-ID, the stop reason and the
 * status of the SIP response the record carries) without drachtio-srf's full parse of the SIP message.
 *
 * drachtio-server sends one or two records for every call it sees end (two for a BYE it relays: network and
 * application side; one for a call an application refused), so at hundreds of calls per second drachtio-srf's
 * `new SipMessage(raw)` of each (every header parsed, ~1.6 s of main thread over a 30-s proxied run at 450 calls/s,
 * profiled) cost crocetta more than a bare application, which routes no CDRs, spends on the call itself.
 *
 * `readCdrStop` reads the wire message; `interceptCdrStops` puts it in front of drachtio-srf's handler of the
 * connection's messages (DrachtioAgent#_onMsg, reached through internals as srf-internals.ts does: read
 * defensively; when they are not where expected nothing is intercepted and drachtio-srf's own `cdr:stop` event
 * keeps working as before). The route itself is still registered through `srf.on('cdr:stop')`.
 */
import type Srf from 'drachtio-srf';

export interface CdrStop {
  callId: string;
  /** drachtio's stop reason: normal-release, call-rejected, call-canceled... */
  reason: string;
  /** The status of the SIP response the record was made from; null for a request (a BYE). */
  status: number | null;
}

const CALL_ID = /^(?:call-id|i)[ \t]*:[ \t]*([^\r\n]*?)[ \t]*$/im;
const STATUS_LINE = /^SIP\/2\.0[ \t]+(\d{3})\b/;

/**
 * A wire message `<msgid>|cdr:stop|<source>|<time>|<reason>\r\n<SIP message>` read as a CdrStop; null when it is
 * not a `cdr:stop` (or not shaped like one).
 */
export function readCdrStop(msg: string): CdrStop | null {
  const eol = msg.indexOf('\r\n');
  if (eol < 0) return null;
  const token = msg.slice(0, eol).split('|');
  if (token[1] !== 'cdr:stop') return null;
  const sip = msg.slice(eol + 2);
  const blank = sip.indexOf('\r\n\r\n');
  const head = blank < 0 ? sip : sip.slice(0, blank);
  const status = STATUS_LINE.exec(head);
  return {
    callId: CALL_ID.exec(head)?.[1] ?? '',
    reason: token[4] ?? '',
    status: status ? Number(status[1]) : null,
  };
}

type MsgListener = (socket: unknown, msg: string) => void;

interface WireLike {
  listeners(event: 'msg'): MsgListener[];
  removeAllListeners(event: 'msg'): void;
  on(event: 'msg', fn: MsgListener): void;
}

function isWire(value: unknown): value is WireLike {
  const v = value as Partial<WireLike> | null | undefined;
  return typeof v?.listeners === 'function' && typeof v.removeAllListeners === 'function' && typeof v.on === 'function';
}

/**
 * Hands every `cdr:stop` on srf's drachtio connection to `onStop` instead of drachtio-srf's parser (call it right
 * after `srf.connect()`, which creates the connection). Returns false, intercepting nothing, when drachtio-srf's
 * internals are not where expected.
 */
export function interceptCdrStops(srf: Pick<Srf, 'locals'>, onStop: (stop: CdrStop) => void): boolean {
  const client = (srf as unknown as { _app?: { client?: { wp?: unknown } } })._app?.client;
  const wire = client?.wp;
  if (!isWire(wire)) return false;
  const handlers = wire.listeners('msg');
  if (handlers.length !== 1) return false;
  const [agentHandler] = handlers as [MsgListener];
  wire.removeAllListeners('msg');
  wire.on('msg', (socket, msg) => {
    // The record's name is the leader's second field: one comparison for every other message.
    const stop = typeof msg === 'string' && msg.startsWith('cdr:stop|', msg.indexOf('|') + 1) ? readCdrStop(msg) : null;
    if (stop === null) agentHandler(socket, msg);
    else onStop(stop);
  });
  return true;
}
