/**
 * Emulation of drachtio-server's proxy (src/sip-proxy-controller.cpp) with a scripted far end.
 *
 * What the app sees matches the server: with fullResponse (drachtio-srf always sets it) each FINAL response from a
 * target is reported as `…|OK|network|…|||continue` + the response; provisional responses are forwarded to the
 * caller but not reported to the app; `…|OK|done` follows a 2xx, or the best final once every target failed.
 * Targets are tried one after another (serial forking also stands in for simultaneous); a 6xx stops the search.
 * A caller's CANCEL while a target rings ends the run without a word to the app (see runProxy).
 * A target that gives no final answer: drachtio's own timers end it (Timer B, 32 s, when it never answered at all;
 * Timer C, 185 s, after a provisional response), with a 408 it generates itself (ServerTransaction::generateResponse):
 * the app gets `done` and no `continue`. drachtio-server ignores the app's finalTimeout (addProxy reads only the
 * provisional one), so nothing shorter applies.
 * The request line becomes the destination only for a Request-URI addressed to drachtio itself and shorter than 255
 * characters; a destination of 255 characters or more is cut there (see rewritesRequestUri, cutDestination). Both
 * seen with drachtio-server v0.9.10.
 */
import type { InjectedRequest, ProxyHandler, ProxyRecord, ProxyTarget, ScriptedResponse } from './injected-request.js';
import { DOUBLE_SIP_ADDRESS, buildResponseFor } from './sip-builders.js';
import {
  type ParsedSipResponse,
  type SipDraft,
  cloneDraft,
  getHeader,
  hostPortOf,
  newBranch,
  parseDraft,
  parseSipRequest,
  parseSipResponse,
  prependHeader,
  randomToken,
  removeHeader,
  renderDraft,
  setHeader,
} from './sip-message.js';
import { proxyContinue, proxyDone } from './wire.js';

export interface ProxyRun {
  appMsgId: string;
  txn: InjectedRequest;
  /** The request as received from the network. */
  received: SipDraft;
  handler: ProxyHandler | undefined;
  /** Sends a message (without id) to the app connection that asked for the proxy. */
  send(message: string): void;
  /** A call detail record, when the double runs with CDRs on (drachtio.conf.xml `<cdrs>true</cdrs>`). */
  cdr?(record: 'cdr:start' | 'cdr:stop', source: 'network' | 'application', detail: string, sip: string): void;
  /** drachtio-server's proxy timers (ms). */
  timers: Pick<DrachtioTimers, 'B' | 'C'>;
}

/** drachtio-server's transaction timers, in ms (drachtio.h TIMER_B_MSECS, TIMER_C_MSECS, TIMER_D_MSECS; sofia's T4). */
export interface DrachtioTimers {
  /** An INVITE target that never answered at all is given up. */
  B: number;
  /** An INVITE target that answered provisionally but never finally is given up. */
  C: number;
  /** An INVITE client transaction stays completed this long after a non-2xx (its proxy core absorbs retransmissions). */
  D: number;
  /** A non-INVITE client transaction stays completed this long after its final (UDP: T4). */
  K: number;
}

export const DRACHTIO_TIMERS: DrachtioTimers = { B: 32_000, C: 185_000, D: 32_000, K: 5_000 };

export function parseProxyCommand(tokens: string[], payload: string, txn: InjectedRequest): ProxyRecord {
  const stub = parseSipRequest(payload);
  const headers = { ...stub.headers };
  delete headers['content-length'];
  return {
    transactionId: tokens[2] ?? '',
    remainInDialog: tokens[3] === 'remainInDialog',
    fullResponse: tokens[4] === 'fullResponse',
    followRedirects: tokens[5] === 'followRedirects',
    forking: tokens[6] === 'simultaneous' ? 'simultaneous' : 'serial',
    provisionalTimeout: tokens[7] ?? '',
    finalTimeout: tokens[8] ?? '',
    destinations: tokens.slice(9).filter((d) => d !== ''),
    stubRequest: stub,
    headers,
    request: txn.request,
    targets: [],
    reportedToApp: [],
    done: false,
  };
}

const RECORD_ROUTE = `<sip:${DOUBLE_SIP_ADDRESS.address}:${DOUBLE_SIP_ADDRESS.port};lr>`;

/**
 * drachtio-server puts the app's destination in the request line only for a Request-URI addressed to drachtio itself
 * and shorter than 255 characters (ClientTransaction::forwardRequest → isLocalSipUri, a 255-byte buffer); any other
 * Request-URI is forwarded as received.
 */
export function rewritesRequestUri(requestUri: string): boolean {
  if (requestUri.length >= URI_LIMIT || !/^sips?:/i.test(requestUri)) return false;
  const m = /^sips?:(?:[^?>@]*@)?(\[[^\]]+\]|[^:;>?]+)(?::(\d+))?/i.exec(requestUri);
  const host = m?.[1]?.toLowerCase();
  return (
    (host === DOUBLE_SIP_ADDRESS.address || host === 'localhost') && Number(m?.[2] ?? 5060) === DOUBLE_SIP_ADDRESS.port
  );
}

/** drachtio-server cuts a destination at this many characters (the same buffers). */
const URI_LIMIT = 255;

/**
 * Where a destination of 255 characters or more ends up once cut: a port cut short sends the request to a wrong
 * port (no answer: Timer B); a host cut short fails its DNS lookup (`sres_send_dns_query(): encoding: too long
 * label`) and the proxy never answers the caller nor tells the app anything.
 */
function cutDestination(uri: string): 'intact' | 'wrong-port' | 'unresolvable' {
  if (uri.length < URI_LIMIT) return 'intact';
  const at = uri.lastIndexOf('@');
  const hostEnd = uri.slice(at + 1).search(/[:;>?]|$/) + at + 1;
  return hostEnd <= URI_LIMIT ? 'wrong-port' : 'unresolvable';
}

function forwardedRequest(record: ProxyRecord, received: SipDraft, uri: string): ProxyTarget {
  const draft = cloneDraft(received);
  if (rewritesRequestUri(record.request.uri)) draft.startLine = `${record.request.method} ${uri} SIP/2.0`;
  prependHeader(
    draft,
    'Via',
    `SIP/2.0/UDP ${DOUBLE_SIP_ADDRESS.address}:${DOUBLE_SIP_ADDRESS.port};branch=${newBranch()};rport`,
  );
  const maxForwards = Number(getHeader(draft, 'max-forwards') ?? '70');
  setHeader(draft, 'Max-Forwards', String(maxForwards - 1));
  if (record.remainInDialog) prependHeader(draft, 'Record-Route', RECORD_ROUTE);
  const stub = parseDraft(record.stubRequest.raw);
  for (const [name] of stub.headers) removeHeader(draft, name);
  for (const [name, value] of stub.headers)
    if (name.toLowerCase() !== 'content-length') draft.headers.push([name, value]);
  const raw = renderDraft(draft);
  return { uri, request: parseSipRequest(raw) };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits `ms` (a drachtio timer), or less if the caller cancels meanwhile or the test makes the timer run out. */
async function sleepUnlessCancelled(txn: InjectedRequest, ms: number): Promise<void> {
  try {
    await txn.waitFor(() => (txn.cancelled || txn.proxyTimerExpired ? true : undefined), ms, 'a CANCEL');
  } catch {
    // the timer ran out: not cancelled
  }
}

async function script(run: ProxyRun, record: ProxyRecord, target: ProxyTarget): Promise<ScriptedResponse[]> {
  if (!run.handler) return [{ status: 100 }, { status: 180 }, { status: 200 }];
  try {
    return await run.handler(record, target);
  } catch {
    return [{ status: 500, reason: 'Proxy Handler Failed' }];
  }
}

function bestFailure(finals: ParsedSipResponse[]): ParsedSipResponse | undefined {
  const global = finals.find((r) => r.status >= 600);
  if (global) return global;
  return [...finals].sort((a, b) => a.status - b.status)[0];
}

export async function runProxy(run: ProxyRun, record: ProxyRecord): Promise<void> {
  const { txn } = run;
  const finals: ParsedSipResponse[] = [];
  const report = (response: ParsedSipResponse, targetUri: string): void => {
    record.reportedToApp.push(response);
    const { address, port } = hostPortOf(targetUri);
    if (record.fullResponse)
      run.send(proxyContinue(run.appMsgId, response.raw, { source: 'network', transport: 'udp', address, port }));
  };
  const finish = (): void => {
    record.done = true;
    record.endedAt ??= Date.now();
    run.send(proxyDone(run.appMsgId));
    txn.changed();
  };

  for (const uri of record.destinations) {
    const target = forwardedRequest(record, run.received, uri);
    const cut = cutDestination(uri);
    if (cut === 'unresolvable') return; // never a word, to the caller or the app
    if (cut === 'intact') record.targets.push(target);
    const toTag = randomToken(10);
    const { address, port } = hostPortOf(uri);
    const build = (spec: ScriptedResponse): ParsedSipResponse => {
      const user = /^sips?:([^@]+)@/.exec(uri)?.[1];
      const draft = buildResponseFor(run.received, {
        ...spec,
        toTag,
        contact:
          spec.status >= 200 && spec.status < 300 ? `<sip:${user ? `${user}@` : ''}${address}:${port}>` : undefined,
        recordRoute: record.remainInDialog && spec.status > 100 ? RECORD_ROUTE : undefined,
      });
      return parseSipResponse(renderDraft(draft));
    };
    let final: ParsedSipResponse | undefined;
    let answered = false;
    for (const spec of cut === 'intact' ? await script(run, record, target) : []) {
      if (spec.delayMs) await sleep(spec.delayMs);
      if (txn.cancelled) break;
      const response = build(spec);
      answered = true;
      if (response.status < 200) {
        if (response.status > 100) txn.record(response, 'far-end');
        continue;
      }
      final = response;
      break;
    }
    if (final === undefined && !txn.cancelled) await sleepUnlessCancelled(txn, answered ? run.timers.C : run.timers.B);
    if (txn.cancelled) {
      // drachtio-server answered the CANCEL and the INVITE (487) itself; for a proxied INVITE it then reports
      // neither a final response nor `done` to the app (seen with 0.9.5-rc3 and 0.9.10): the only trace is the
      // CDR of the 487 it sent the caller.
      const toCaller = txn.responses.find((r) => r.status === 487);
      if (toCaller) run.cdr?.('cdr:stop', 'application', 'call-rejected', toCaller.raw);
      record.done = true;
      record.endedAt = Date.now();
      txn.changed();
      return;
    }
    if (final === undefined) {
      // Timer B or C: drachtio answers the caller 408 itself and tells the app only `done` (forwardBestResponse).
      const timeout = txn.record(
        parseSipResponse(renderDraft(buildResponseFor(run.received, { status: 408, toTag: randomToken(10) }))),
        'server',
      );
      run.cdr?.('cdr:stop', 'application', 'call-rejected', timeout.raw);
      finish();
      return;
    }
    report(final, uri);
    // ClientTransaction::writeCdr, then the 2xx forwarded upstream (SipProxyController, proxy-uas).
    if (final.status < 300) {
      run.cdr?.('cdr:start', 'network', 'proxy-uac', final.raw);
      run.cdr?.('cdr:start', 'application', 'proxy-uas', final.raw);
      txn.record(final, 'far-end');
      finish();
      return;
    }
    run.cdr?.('cdr:stop', 'network', final.status === 487 ? 'call-canceled' : 'call-rejected', final.raw);
    finals.push(final);
    if (final.status >= 600) break;
  }
  const best = bestFailure(finals);
  if (best) txn.record(best, 'far-end');
  else
    txn.record(
      parseSipResponse(renderDraft(buildResponseFor(run.received, { status: 408, toTag: randomToken(10) }))),
      'server',
    );
  finish();
}
