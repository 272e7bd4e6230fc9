/** Carrier-shaped SIP text for tests, and the responses the double (or the far end) generates. */
import {
  type SipDraft,
  canonicalHeaderName,
  getHeader,
  getHeaders,
  newBranch,
  parseDraft,
  prependHeader,
  randomToken,
  renderDraft,
  setHeader,
  tagOf,
} from './sip-message.js';

export interface SourceAddress {
  address: string;
  port: number;
}

/** A carrier SBC on TEST-NET-3 (RFC 5737), where injected calls come from unless the test says otherwise. */
export const DEFAULT_SOURCE: SourceAddress = { address: '203.0.113.10', port: 5060 };
/** The SIP address the double pretends to listen on (what drachtio-server would put in Contact and Via). */
export const DOUBLE_SIP_ADDRESS: SourceAddress = { address: '127.0.0.1', port: 5060 };

export type ExtraHeaders = Record<string, string | string[]> | Array<[string, string]>;

export interface BuildRequestOptions {
  /** A number (`+393331234567`), a URI (`sip:…`, `tel:…`) or a full name-addr (`"Name" <sip:…>`). */
  from: string;
  to: string;
  requestUri?: string;
  callId?: string;
  fromTag?: string;
  cseq?: number;
  source?: SourceAddress;
  transport?: 'udp' | 'tcp';
  extraHeaders?: ExtraHeaders;
}

export interface BuildInviteOptions extends BuildRequestOptions {
  pai?: string | string[];
  privacy?: string;
  /** Remote-Party-ID: a number, URI or name-addr; `;party=calling;screen=yes;privacy=off` is added to bare values. */
  rpid?: string;
  /** A STIR/SHAKEN Identity header value, verbatim. */
  identity?: string;
  /** SDP by default; `''` for an INVITE without body. */
  body?: string;
}

export interface BuildMessageOptions extends BuildRequestOptions {
  body?: string;
  contentType?: string;
}

function userOf(party: string): string {
  const m = /^(?:sips?|tel):([^@;>]+)/.exec(party.replace(/^.*</, ''));
  return m?.[1] ?? party;
}

/** Turns a number / URI / name-addr into a name-addr. */
export function nameAddr(party: string, host: string): string {
  if (party.includes('<')) return party;
  if (/^(sips?|tel):/i.test(party)) return `<${party}>`;
  return `<sip:${party}@${host}>`;
}

function appendExtra(draft: SipDraft, extra: ExtraHeaders | undefined): void {
  if (!extra) return;
  const pairs = Array.isArray(extra)
    ? extra
    : Object.entries(extra).flatMap(([n, v]) =>
        Array.isArray(v) ? v.map((x): [string, string] => [n, x]) : [[n, v] as [string, string]],
      );
  for (const [n, v] of pairs) draft.headers.push([n, v]);
}

/** A realistic audio offer from a carrier media gateway. */
export function defaultSdp(address: string = DEFAULT_SOURCE.address, port = 30000): string {
  const session = Math.floor(Math.random() * 1e9);
  return [
    'v=0',
    `o=- ${session} ${session} IN IP4 ${address}`,
    's=-',
    `c=IN IP4 ${address}`,
    't=0 0',
    `m=audio ${port} RTP/AVP 8 0 101`,
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-15',
    'a=ptime:20',
    'a=sendrecv',
    '',
  ].join('\r\n');
}

function baseRequest(method: string, opts: BuildRequestOptions): SipDraft {
  const source = opts.source ?? DEFAULT_SOURCE;
  const transport = (opts.transport ?? 'udp').toUpperCase();
  const toUser = userOf(opts.to);
  const requestUri = opts.requestUri ?? `sip:${toUser}@${DOUBLE_SIP_ADDRESS.address}:${DOUBLE_SIP_ADDRESS.port}`;
  const callId = opts.callId ?? `${randomToken(20)}@${source.address}`;
  return {
    startLine: `${method} ${requestUri} SIP/2.0`,
    headers: [
      ['Via', `SIP/2.0/${transport} ${source.address}:${source.port};branch=${newBranch()};rport`],
      ['Max-Forwards', '69'],
      ['From', `${nameAddr(opts.from, source.address)};tag=${opts.fromTag ?? randomToken(10)}`],
      ['To', nameAddr(opts.to, DOUBLE_SIP_ADDRESS.address)],
      ['Call-ID', callId],
      ['CSeq', `${opts.cseq ?? 102} ${method}`],
    ],
    body: '',
  };
}

export function buildInvite(opts: BuildInviteOptions): string {
  const source = opts.source ?? DEFAULT_SOURCE;
  const draft = baseRequest('INVITE', opts);
  const transport = opts.transport ?? 'udp';
  draft.headers.push(['Contact', `<sip:${userOf(opts.from)}@${source.address}:${source.port};transport=${transport}>`]);
  for (const pai of [opts.pai ?? []].flat()) draft.headers.push(['P-Asserted-Identity', nameAddr(pai, source.address)]);
  if (opts.privacy !== undefined) draft.headers.push(['Privacy', opts.privacy]);
  if (opts.rpid !== undefined) {
    const rpid = opts.rpid.includes(';')
      ? opts.rpid
      : `${nameAddr(opts.rpid, source.address)};party=calling;screen=yes;privacy=off`;
    draft.headers.push(['Remote-Party-ID', rpid]);
  }
  if (opts.identity !== undefined) draft.headers.push(['Identity', opts.identity]);
  draft.headers.push(
    ['Allow', 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE, PRACK'],
    ['Supported', 'timer, replaces'],
    ['Session-Expires', '1800'],
    ['Min-SE', '90'],
  );
  appendExtra(draft, opts.extraHeaders);
  draft.body = opts.body ?? defaultSdp(source.address);
  if (draft.body !== '') draft.headers.push(['Content-Type', 'application/sdp']);
  return renderDraft(draft);
}

export function buildMessage(opts: BuildMessageOptions): string {
  const draft = baseRequest('MESSAGE', opts);
  appendExtra(draft, opts.extraHeaders);
  draft.body = opts.body ?? 'Hello from the carrier';
  if (draft.body !== '') draft.headers.push(['Content-Type', opts.contentType ?? 'text/plain;charset=UTF-8']);
  return renderDraft(draft);
}

/**
 * What an injected request must look like on the wire: CRLF line ends, a top Via with a branch (one is added for
 * the source when missing), and a Content-Length matching the body's bytes.
 */
export function prepareInjected(rawSip: string, source: SourceAddress, transport: 'udp' | 'tcp'): SipDraft {
  const draft = parseDraft(rawSip);
  const via = getHeader(draft, 'via');
  if (via === undefined) {
    prependHeader(
      draft,
      'Via',
      `SIP/2.0/${transport.toUpperCase()} ${source.address}:${source.port};branch=${newBranch()};rport`,
    );
  } else if (!/;\s*branch=/i.test(via)) {
    setHeaderAt(draft, 'via', `${via};branch=${newBranch()}`);
  }
  return draft;
}

/** Rewrites the first line of a header in place (setHeader would drop the other Via lines). */
function setHeaderAt(draft: SipDraft, name: string, value: string): void {
  const entry = draft.headers.find(([n]) => canonicalHeaderName(n) === name);
  if (entry) entry[1] = value;
}

const REASONS: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  200: 'OK',
  202: 'Accepted',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  500: 'Server Internal Error',
  503: 'Service Unavailable',
  600: 'Busy Everywhere',
  603: 'Decline',
  604: 'Does Not Exist Anywhere',
  606: 'Not Acceptable',
  607: 'Unwanted',
  608: 'Rejected',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? 'Unknown';
}

export interface ResponseSpec {
  status: number;
  reason?: string;
  /** Added to (or replacing) the copied headers; a `To` with a tag replaces the generated one. */
  headers?: Record<string, string | string[]>;
  body?: string;
  toTag?: string;
  contact?: string;
  recordRoute?: string;
}

/** A response to `request` as a UAS builds it: Via/From/To/Call-ID/CSeq copied, To-tag added above 100. */
export function buildResponseFor(request: SipDraft, spec: ResponseSpec): SipDraft {
  const draft: SipDraft = {
    startLine: `SIP/2.0 ${spec.status} ${spec.reason ?? reasonPhrase(spec.status)}`,
    headers: [],
    body: spec.body ?? '',
  };
  for (const via of getHeaders(request, 'via')) draft.headers.push(['Via', via]);
  if (spec.recordRoute) draft.headers.push(['Record-Route', spec.recordRoute]);
  draft.headers.push(['From', getHeader(request, 'from') ?? '']);
  const to = getHeader(request, 'to') ?? '';
  draft.headers.push(['To', spec.status > 100 && !tagOf(to) && spec.toTag ? `${to};tag=${spec.toTag}` : to]);
  draft.headers.push(['Call-ID', getHeader(request, 'call-id') ?? '']);
  draft.headers.push(['CSeq', getHeader(request, 'cseq') ?? '']);
  if (spec.contact) draft.headers.push(['Contact', spec.contact]);
  for (const [name, value] of Object.entries(spec.headers ?? {})) {
    const values = [value].flat();
    if (values.length === 1 && values[0] !== undefined) setHeader(draft, name, values[0]);
    else for (const v of values) draft.headers.push([name, v]);
  }
  if (draft.body !== '' && getHeader(draft, 'content-type') === undefined) {
    draft.headers.push(['Content-Type', draft.body.startsWith('v=0') ? 'application/sdp' : 'text/plain']);
  }
  return draft;
}
