/**
 * Minimal SIP text handling for the drachtio double: enough to read what the app sent, fill in what the server
 * would add, and render it back. Not a general SIP parser.
 */

/** Lower-cased header name → every value, in order (one entry per header line; commas are not split). */
export type SipHeaders = Record<string, string[]>;

export interface ParsedSipRequest {
  kind: 'request';
  method: string;
  uri: string;
  headers: SipHeaders;
  body: string;
  raw: string;
}

export interface ParsedSipResponse {
  kind: 'response';
  status: number;
  reason: string;
  headers: SipHeaders;
  body: string;
  raw: string;
}

export type ParsedSipMessage = ParsedSipRequest | ParsedSipResponse;

/** RFC 3261 §7.3.3 compact header forms (plus RFC 8224's `y` for Identity) → full lower-case names. */
export const COMPACT: Record<string, string> = {
  a: 'accept-contact',
  b: 'referred-by',
  c: 'content-type',
  d: 'request-disposition',
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact',
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  o: 'event',
  r: 'refer-to',
  s: 'subject',
  t: 'to',
  u: 'allow-events',
  v: 'via',
  x: 'session-expires',
  y: 'identity',
};

export function canonicalHeaderName(name: string): string {
  const lower = name.trim().toLowerCase();
  return COMPACT[lower] ?? lower;
}

/** An editable SIP message: start line, header lines in order (names as written), body. */
export interface SipDraft {
  startLine: string;
  headers: Array<[name: string, value: string]>;
  body: string;
}

export class SipParseError extends Error {
  override name = 'SipParseError';
}

/** Accepts CRLF or bare-LF text (tests write template literals); the body is kept byte for byte after LF→CRLF. */
export function parseDraft(text: string): SipDraft {
  const normalized = text.replace(/\r?\n/g, '\r\n');
  const split = normalized.indexOf('\r\n\r\n');
  const head = split === -1 ? normalized.replace(/(\r\n)+$/, '') : normalized.slice(0, split);
  const body = split === -1 ? '' : normalized.slice(split + 4);
  const lines = head.split('\r\n');
  const startLine = lines.shift()?.trim() ?? '';
  if (!/^SIP\/2\.0 \d{3}/.test(startLine) && !/^[A-Za-z]+ \S+ SIP\/2\.0$/.test(startLine)) {
    throw new SipParseError(`not a SIP start line: '${startLine}'`);
  }
  const headers: Array<[string, string]> = [];
  for (const line of lines) {
    if (line === '') continue;
    const last = headers[headers.length - 1];
    if (/^[ \t]/.test(line) && last) {
      last[1] = `${last[1]} ${line.trim()}`; // folded continuation line
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SipParseError(`malformed header line: '${line}'`);
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return { startLine, headers, body };
}

export function getHeaders(draft: SipDraft, name: string): string[] {
  const wanted = canonicalHeaderName(name);
  return draft.headers.filter(([n]) => canonicalHeaderName(n) === wanted).map(([, v]) => v);
}

export function getHeader(draft: SipDraft, name: string): string | undefined {
  return getHeaders(draft, name)[0];
}

/** Replaces the first line of that header (keeping its place) and drops the others; appends when absent. */
export function setHeader(draft: SipDraft, name: string, value: string): void {
  const wanted = canonicalHeaderName(name);
  const index = draft.headers.findIndex(([n]) => canonicalHeaderName(n) === wanted);
  if (index === -1) {
    draft.headers.push([name, value]);
    return;
  }
  const kept = draft.headers[index];
  draft.headers = draft.headers.filter(([n], i) => i === index || canonicalHeaderName(n) !== wanted);
  if (kept) kept[1] = value;
}

export function removeHeader(draft: SipDraft, name: string): void {
  const wanted = canonicalHeaderName(name);
  draft.headers = draft.headers.filter(([n]) => canonicalHeaderName(n) !== wanted);
}

export function prependHeader(draft: SipDraft, name: string, value: string): void {
  draft.headers.unshift([name, value]);
}

/** Renders with CRLF and a Content-Length equal to the body's UTF-8 byte length (placed last, as sofia does). */
export function renderDraft(draft: SipDraft): string {
  const headers = draft.headers.filter(([n]) => canonicalHeaderName(n) !== 'content-length');
  headers.push(['Content-Length', String(Buffer.byteLength(draft.body, 'utf8'))]);
  return `${draft.startLine}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n${draft.body}`;
}

export function cloneDraft(draft: SipDraft): SipDraft {
  return { startLine: draft.startLine, headers: draft.headers.map(([n, v]) => [n, v]), body: draft.body };
}

export function toParsed(draft: SipDraft, raw: string): ParsedSipMessage {
  const headers: SipHeaders = {};
  for (const [n, v] of draft.headers) (headers[canonicalHeaderName(n)] ??= []).push(v);
  const response = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(draft.startLine);
  if (response) {
    return { kind: 'response', status: Number(response[1]), reason: response[2] ?? '', headers, body: draft.body, raw };
  }
  const [method = '', uri = ''] = draft.startLine.split(' ');
  return { kind: 'request', method: method.toUpperCase(), uri, headers, body: draft.body, raw };
}

export function parseSip(text: string): ParsedSipMessage {
  return toParsed(parseDraft(text), text);
}

export function parseSipRequest(text: string): ParsedSipRequest {
  const parsed = parseSip(text);
  if (parsed.kind !== 'request') throw new SipParseError('expected a SIP request');
  return parsed;
}

export function parseSipResponse(text: string): ParsedSipResponse {
  const parsed = parseSip(text);
  if (parsed.kind !== 'response') throw new SipParseError('expected a SIP response');
  return parsed;
}

/** First value of a header in a parsed message. */
export function headerOf(msg: { headers: SipHeaders }, name: string): string | undefined {
  return msg.headers[canonicalHeaderName(name)]?.[0];
}

/** The `tag` parameter of a From/To value (looked for after the `>` when the URI is bracketed). */
export function tagOf(nameAddr: string | undefined): string | undefined {
  if (!nameAddr) return undefined;
  const close = nameAddr.lastIndexOf('>');
  const params = close === -1 ? nameAddr : nameAddr.slice(close + 1);
  return /;\s*tag=([^;\s,]+)/i.exec(params)?.[1];
}

/** The URI of a name-addr (`"x" <sip:a@b>;p` → `sip:a@b`) or of a bare addr-spec. */
export function uriOf(nameAddr: string): string {
  const bracketed = /<([^>]*)>/.exec(nameAddr);
  if (bracketed?.[1] !== undefined) return bracketed[1];
  return (nameAddr.split(';')[0] ?? '').trim();
}

/** Host and port of a SIP URI (`sip:u@h:p;params`), port defaulting to 5060. */
export function hostPortOf(uri: string): { address: string; port: number } {
  const afterScheme = uri.replace(/^[a-z]+:/i, '');
  const hostPart = (afterScheme.split('@').pop() ?? '').split(/[;?]/)[0] ?? '';
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPart);
  if (v6) return { address: v6[1] ?? '', port: v6[2] ? Number(v6[2]) : 5060 };
  const [address = '', port] = hostPart.split(':');
  return { address, port: port ? Number(port) : 5060 };
}

export function randomToken(length = 10): string {
  let s = '';
  while (s.length < length) s += Math.random().toString(36).slice(2);
  return s.slice(0, length);
}

export function newBranch(): string {
  return `z9hG4bK${randomToken(16)}`;
}
