/**
 * The text of drachtio's messages, as drachtio-server writes them (src/client.cpp, src/sip-dialog-controller.cpp,
 * src/sip-proxy-controller.cpp) and drachtio-srf reads them (lib/drachtio-agent.js `_onMsg`).
 */
import { randomUUID } from 'node:crypto';

export const CRLF = '\r\n';
/** What the double reports as its version in the authenticate answer (drachtio-srf only parses `vX.Y.Z`). */
export const DOUBLE_VERSION = 'v0.9.4';

export interface WireCommand {
  id: string;
  type: string;
  /** All `|`-separated fields of the first line, including id and type. */
  tokens: string[];
  /** What follows the first CRLF (a SIP message), or ''. */
  payload: string;
}

export function parseCommand(message: string): WireCommand {
  const eol = message.indexOf(CRLF);
  const leader = eol === -1 ? message : message.slice(0, eol);
  const tokens = leader.split('|');
  return { id: tokens[0] ?? '', type: tokens[1] ?? '', tokens, payload: eol === -1 ? '' : message.slice(eol + 2) };
}

export function newMessageId(): string {
  return randomUUID();
}

/** sofia's timestamp as drachtio formats it: `HH:MM:SS.uuuuuu` (UTC). */
export function stackTime(date: Date = new Date()): string {
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(date.getUTCMilliseconds() * 1000, 6)}`;
}

export interface MsgMeta {
  source: 'network' | 'application';
  transport: string;
  address: string;
  port: number;
}

/** `SipMsgData_t::toMessageFormat`: source|bytes|transport|address|port|time. */
export function metaFields(meta: MsgMeta, sip: string): string {
  return `${meta.source}|${Buffer.byteLength(sip, 'utf8')}|${meta.transport}|${meta.address}|${meta.port}|${stackTime()}`;
}

/**
 * A SIP message for the app (`BaseClient::sendSipMessageToClient`), without the leading message id. New requests
 * carry an empty dialog id and, when known, the receiving address and port.
 */
export function sipEvent(
  sip: string,
  meta: MsgMeta,
  transactionId: string,
  dialogId: string,
  receivedOn?: { address: string; port: number },
): string {
  const tail = receivedOn ? `${receivedOn.address}|${receivedOn.port}|` : '';
  return `sip|${metaFields(meta, sip)}|${transactionId}|${dialogId}|${tail}${CRLF}${sip}`;
}

/** `route_api_response`: response|<app msg id>|OK|… or NOK|<reason>. */
export function apiResponse(appMsgId: string, status: 'OK' | 'NOK' | 'NO', ...fields: string[]): string {
  return [`response|${appMsgId}|${status}`, ...fields].join('|');
}

/** The echo of a response the app sent (`doRespondToSipRequest`). */
export function sentResponseAck(
  appMsgId: string,
  sip: string,
  meta: MsgMeta,
  transactionId: string,
  dialogId: string,
): string {
  return `${apiResponse(appMsgId, 'OK', metaFields(meta, sip), transactionId, dialogId, '', 'Msg sent:', '')}${CRLF}${sip}`;
}

/** The echo of a request the app sent (`doSendRequestOutsideDialog` / `doSendRequestInsideDialog`). */
export function sentRequestAck(appMsgId: string, sip: string, meta: MsgMeta, transactionId: string): string {
  return `${apiResponse(appMsgId, 'OK', metaFields(meta, sip), transactionId, 'Msg sent:', '')}${CRLF}${sip}`;
}

/** A final response seen by the proxy (`ClientTransaction::processResponse` with fullResponse). */
export function proxyContinue(appMsgId: string, sip: string, meta: MsgMeta): string {
  return `${apiResponse(appMsgId, 'OK', metaFields(meta, sip), '', '', 'continue')}${CRLF}${sip}`;
}

/**
 * A call detail record (`Cdr::encodeMetaData` + `BaseClient::sendCdrToClient`): `cdr:start|<source>|<time>|<role>`
 * or `cdr:stop|<source>|<time>|<reason>`, then the SIP message the record was made from.
 */
export function cdrEvent(
  record: 'cdr:start' | 'cdr:stop',
  source: 'network' | 'application',
  detail: string,
  sip: string,
): string {
  return `${record}|${source}|${stackTime()}|${detail}${CRLF}${sip}`;
}

export function proxyDone(appMsgId: string): string {
  return apiResponse(appMsgId, 'OK', 'done');
}
