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
/** A response's status line, read where the SIP message starts (lastIndex). */
const STATUS_LINE = /SIP\/2\.0[ \t]+(\d{3})\b/y;
/** The Call-ID header as drachtio-server writes it (sofia-sip's canonical name): found without a regular expression. */
const CANONICAL_CALL_ID = '\r\nCall-ID:';

/** Whether the character code is a space or a tab. */
const blank = (c: number): boolean => c === 0x20 || c === 0x09;

/**
 * The Call-ID of the SIP message after the leader (which ends at `eol`): the canonical header found with indexOf, the
 * regular expression over the headers for any other spelling (a compact `i:`, another case); '' when there is none.
 */
function callIdOf(msg: string, eol: number): string {
  const end = msg.indexOf('\r\n\r\n', eol + 2);
  const at = msg.indexOf(CANONICAL_CALL_ID, eol);
  if (at >= 0 && (end < 0 || at < end)) {
    let from = at + CANONICAL_CALL_ID.length;
    let to = msg.indexOf('\r\n', from);
    if (to < 0) to = msg.length;
    while (from < to && blank(msg.charCodeAt(from))) from++;
    while (to > from && blank(msg.charCodeAt(to - 1))) to--;
    return msg.slice(from, to);
  }
  return CALL_ID.exec(msg.slice(eol + 2, end < 0 ? msg.length : end))?.[1] ?? '';
}

/** The record of `callId` read whole: its stop reason (the leader's fifth field) and its response's status. */
function stopOf(msg: string, eol: number, callId: string): CdrStop {
  STATUS_LINE.lastIndex = eol + 2;
  const status = STATUS_LINE.exec(msg);
  return {
    callId,
    reason: msg.slice(0, eol).split('|')[4] ?? '',
    status: status ? Number(status[1]) : null,
  };
}

/**
 * A wire message `<msgid>|cdr:stop|<source>|<time>|<reason>\r\n<SIP message>` read as a CdrStop; null when it is
 * not a `cdr:stop` (or not shaped like one).
 */
export function readCdrStop(msg: string): CdrStop | null {
  const eol = msg.indexOf('\r\n');
  if (eol < 0) return null;
  if (msg.slice(0, eol).split('|')[1] !== 'cdr:stop') return null;
  return stopOf(msg, eol, callIdOf(msg, eol));
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

/** Where interceptCdrStops hands the records: `follows` first, with the Call-ID alone; `ended` the followed calls'. */
export interface CdrStopSink {
  /** Whether a call of this Call-ID is followed (a record of any other is dropped unread). */
  follows(callId: string): boolean;
  ended(stop: CdrStop): void;
}

/**
 * Hands every `cdr:stop` on srf's drachtio connection to `sink` instead of drachtio-srf's parser (call it right
 * after `srf.connect()`, which creates the connection). Returns false, intercepting nothing, when drachtio-srf's
 * internals are not where expected.
 *
 * A record is read by its Call-ID first, the one field a call is found by: most records are of no call followed (the
 * second record of every relayed BYE, its call ended by the first; the one record of every call crocetta refused),
 * and those are dropped there, without the leader's split and the status line's regular expression.
 */
export function interceptCdrStops(srf: Pick<Srf, 'locals'>, sink: CdrStopSink): boolean {
  const client = (srf as unknown as { _app?: { client?: { wp?: unknown } } })._app?.client;
  const wire = client?.wp;
  if (!isWire(wire)) return false;
  const handlers = wire.listeners('msg');
  if (handlers.length !== 1) return false;
  const [agentHandler] = handlers as [MsgListener];
  wire.removeAllListeners('msg');
  wire.on('msg', (socket, msg) => {
    // The record's name is the leader's second field: one comparison for every other message.
    const eol = typeof msg === 'string' && msg.startsWith('cdr:stop|', msg.indexOf('|') + 1) ? msg.indexOf('\r\n') : -1;
    if (eol < 0) {
      agentHandler(socket, msg);
      return;
    }
    const callId = callIdOf(msg, eol);
    if (sink.follows(callId)) sink.ended(stopOf(msg, eol, callId));
  });
  return true;
}
