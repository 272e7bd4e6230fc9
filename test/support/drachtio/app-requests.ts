/**
 * Requests the app sends (`sip` commands whose payload is a request): new out-of-dialog requests (srf.request,
 * createUAC), in-dialog requests with a dialog id (dialog.destroy() → BYE, ACK) and CANCEL of an app INVITE.
 * Answered like drachtio-server (`…|OK|application|…|<txn id>|Msg sent:|` + the request as sent), then the far end
 * answers with scripted responses sent as `sip|network|…|<txn id>|<dialog id>|` events.
 */
import type { InjectedRequest, ScriptedResponse } from './injected-request.js';
import { DOUBLE_SIP_ADDRESS, buildResponseFor, defaultSdp } from './sip-builders.js';
import {
  type ParsedSipRequest,
  type ParsedSipResponse,
  type SipDraft,
  canonicalHeaderName,
  getHeader,
  hostPortOf,
  newBranch,
  parseDraft,
  parseSipRequest,
  parseSipResponse,
  prependHeader,
  randomToken,
  renderDraft,
  setHeader,
  tagOf,
  uriOf,
} from './sip-message.js';
import { type MsgMeta, apiResponse, newMessageId, sentRequestAck, sipEvent } from './wire.js';

export interface DialogRecord {
  id: string;
  role: 'uas' | 'uac';
  callId: string;
  /** Our side's name-addr with tag (From of our requests). */
  local: string;
  /** The peer's name-addr with tag (To of our requests). */
  remote: string;
  /** Where in-dialog requests go (the peer's Contact URI). */
  remoteTarget: string;
  /** The app's Contact URI (where the peer's in-dialog requests go). */
  localTarget: string;
  inviteCseq: number;
  localCseq: number;
  /** The last CSeq the peer used for a request of its own in the dialog. */
  remoteCseq?: number;
  connectionId: number;
  invite?: InjectedRequest;
}

export interface AppRequest {
  method: string;
  /** The request as the double "sent" it (Via, Call-ID, tags, CSeq filled in like the server does). */
  request: ParsedSipRequest;
  transactionId: string;
  dialogId: string;
  /** Far-end responses delivered to the app. */
  responses: ParsedSipResponse[];
  cancelled: boolean;
}

export type AppRequestHandler = (req: AppRequest) => ScriptedResponse[] | Promise<ScriptedResponse[]>;

/**
 * Called as the app's new request goes out, before drachtio-server's acknowledgement (`Msg sent`) goes back to the
 * app. Returning true queues that acknowledgement behind what the hook delivered from the network (a caller's
 * CANCEL), so the app hears it first, as when it crosses the server's acknowledgement.
 */
export type AppRequestSendingHook = (req: AppRequest) => boolean | void;

export interface AppRequestContext {
  appMsgId: string;
  tokens: string[];
  payload: string;
  connectionId: number;
  dialogs: Map<string, DialogRecord>;
  appRequests: AppRequest[];
  handler: AppRequestHandler | undefined;
  sending: AppRequestSendingHook | undefined;
  /** Sends an API answer at once. */
  send(message: string): void;
  /** Sends a SIP message from the far end (ordered, with network-like latency). */
  deliver(message: string): void;
  recorded(): void;
  /** sofia's timer F: a non-INVITE the far end never answers gets the stack's own 408 after this long. */
  timerFMs: number;
  /** The far end's first answer goes out right behind the acknowledgement (see DrachtioDoubleOptions). */
  immediateAnswers: boolean;
}

const LOCAL: MsgMeta = { source: 'application', transport: 'udp', ...DOUBLE_SIP_ADDRESS };
const FAR_END_SDP_ADDRESS = '198.51.100.20';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function defaultScript(method: string): ScriptedResponse[] {
  if (method === 'INVITE') return [{ status: 180 }, { status: 200, body: defaultSdp(FAR_END_SDP_ADDRESS, 40000) }];
  return [{ status: 200 }];
}

export function handleAppRequest(ctx: AppRequestContext): void {
  const txnToken = ctx.tokens[2] ?? '';
  const dialogToken = ctx.tokens[3] ?? '';
  const outboundProxy = ctx.tokens[4];
  const draft = parseDraft(ctx.payload);
  const method = (draft.startLine.split(' ')[0] ?? '').toUpperCase();
  let dialog: DialogRecord | undefined;

  if (dialogToken !== '') {
    dialog = ctx.dialogs.get(dialogToken);
    if (!dialog) {
      ctx.send(apiResponse(ctx.appMsgId, 'NOK', 'unable to find dialog for dialog id provided'));
      return;
    }
    fillInDialog(draft, method, dialog);
  } else if (txnToken !== '' && method === 'CANCEL') {
    cancelAppRequest(ctx, draft, txnToken);
    return;
  } else {
    fillOutOfDialog(draft, method);
  }
  prependHeader(
    draft,
    'Via',
    `SIP/2.0/UDP ${DOUBLE_SIP_ADDRESS.address}:${DOUBLE_SIP_ADDRESS.port};branch=${newBranch()};rport`,
  );
  const raw = renderDraft(draft);
  const transactionId = newMessageId();
  const appRequest: AppRequest = {
    method,
    request: parseSipRequest(raw),
    transactionId,
    dialogId: dialog?.id ?? '',
    responses: [],
    cancelled: false,
  };
  const acknowledgement = sentRequestAck(ctx.appMsgId, raw, LOCAL, transactionId);
  if (ctx.sending?.(appRequest) === true) ctx.deliver(acknowledgement);
  else ctx.send(acknowledgement);
  ctx.appRequests.push(appRequest);
  ctx.recorded();
  if (method === 'ACK') return;
  const target = hostPortOf(outboundProxy ? outboundProxy : appRequest.request.uri);
  void answer(ctx, draft, appRequest, dialog, target);
}

function fillInDialog(draft: SipDraft, method: string, dialog: DialogRecord): void {
  const [, uri = ''] = draft.startLine.split(' ');
  if (uri === 'sip:placeholder') draft.startLine = `${method} ${dialog.remoteTarget} SIP/2.0`;
  if (getHeader(draft, 'from') === undefined) setHeader(draft, 'From', dialog.local);
  if (getHeader(draft, 'to') === undefined) setHeader(draft, 'To', dialog.remote);
  if (getHeader(draft, 'call-id') === undefined) setHeader(draft, 'Call-ID', dialog.callId);
  if (getHeader(draft, 'cseq') === undefined) {
    const seq = method === 'ACK' || method === 'PRACK' ? dialog.inviteCseq : ++dialog.localCseq;
    setHeader(draft, 'CSeq', `${seq} ${method}`);
  }
  if (getHeader(draft, 'max-forwards') === undefined) setHeader(draft, 'Max-Forwards', '70');
}

function fillOutOfDialog(draft: SipDraft, method: string): void {
  if (getHeader(draft, 'max-forwards') === undefined) setHeader(draft, 'Max-Forwards', '70');
  const from = getHeader(draft, 'from') ?? `<sip:drachtio@${DOUBLE_SIP_ADDRESS.address}>`;
  if (!tagOf(from)) setHeader(draft, 'From', `${from};tag=${randomToken(10)}`);
  if (getHeader(draft, 'to') === undefined) setHeader(draft, 'To', `<${draft.startLine.split(' ')[1] ?? ''}>`);
  if (getHeader(draft, 'call-id') === undefined)
    setHeader(draft, 'Call-ID', `${randomToken(20)}@${DOUBLE_SIP_ADDRESS.address}`);
  if (getHeader(draft, 'cseq') === undefined) setHeader(draft, 'CSeq', `1 ${method}`);
  if (method === 'INVITE' && getHeader(draft, 'contact') === undefined) {
    setHeader(draft, 'Contact', `<sip:${DOUBLE_SIP_ADDRESS.address}:${DOUBLE_SIP_ADDRESS.port}>`);
  }
}

function cancelAppRequest(ctx: AppRequestContext, draft: SipDraft, txnToken: string): void {
  const target = ctx.appRequests.find((r) => r.transactionId === txnToken);
  if (!target) {
    ctx.send(apiResponse(ctx.appMsgId, 'NOK', `unable to cancel unknown transaction id: ${txnToken}`));
    return;
  }
  const cancel = parseDraft(target.request.raw);
  cancel.startLine = `CANCEL ${target.request.uri} SIP/2.0`;
  const keep = new Set(['via', 'from', 'to', 'call-id', 'max-forwards', 'route']);
  cancel.headers = cancel.headers.filter(([n]) => keep.has(canonicalHeaderName(n)));
  const seq = (target.request.headers.cseq?.[0] ?? '1').split(' ')[0] ?? '1';
  setHeader(cancel, 'CSeq', `${seq} CANCEL`);
  for (const [n, v] of draft.headers) {
    if (canonicalHeaderName(n) !== 'content-length' && getHeader(cancel, n) === undefined) cancel.headers.push([n, v]);
  }
  cancel.body = '';
  const raw = renderDraft(cancel);
  const transactionId = newMessageId();
  ctx.send(sentRequestAck(ctx.appMsgId, raw, LOCAL, transactionId));
  ctx.appRequests.push({
    method: 'CANCEL',
    request: parseSipRequest(raw),
    transactionId,
    dialogId: '',
    responses: [],
    cancelled: false,
  });
  ctx.recorded();
  if (target.responses.some((r) => r.status >= 200)) return;
  target.cancelled = true;
  const response = parseSipResponse(
    renderDraft(buildResponseFor(parseDraft(target.request.raw), { status: 487, toTag: randomToken(10) })),
  );
  target.responses.push(response);
  const { address, port } = hostPortOf(target.request.uri);
  ctx.deliver(sipEvent(response.raw, { source: 'network', transport: 'udp', address, port }, target.transactionId, ''));
  ctx.recorded();
}

async function answer(
  ctx: AppRequestContext,
  draft: SipDraft,
  req: AppRequest,
  dialog: DialogRecord | undefined,
  target: { address: string; port: number },
): Promise<void> {
  const script = await Promise.resolve(ctx.handler ? ctx.handler(req) : defaultScript(req.method)).catch(
    (): ScriptedResponse[] => [{ status: 500 }],
  );
  const toTag = randomToken(10);
  let first = true;
  for (const spec of script) {
    if (spec.delayMs) await sleep(spec.delayMs);
    if (spec.after) await spec.after;
    const immediate = first && ctx.immediateAnswers && !spec.delayMs;
    first = false;
    if (req.cancelled) return;
    const success = spec.status >= 200 && spec.status < 300;
    const contact = req.method === 'INVITE' && success ? `<sip:${target.address}:${target.port}>` : undefined;
    const response = parseSipResponse(renderDraft(buildResponseFor(draft, { ...spec, toTag, contact })));
    let dialogId = dialog?.id ?? '';
    if (!dialog && req.method === 'INVITE' && success) {
      dialogId = `${req.request.headers['call-id']?.[0] ?? ''};from-tag=${tagOf(req.request.headers.from?.[0]) ?? ''}`;
      ctx.dialogs.set(dialogId, {
        id: dialogId,
        role: 'uac',
        callId: req.request.headers['call-id']?.[0] ?? '',
        local: req.request.headers.from?.[0] ?? '',
        remote: response.headers.to?.[0] ?? '',
        remoteTarget: uriOf(response.headers.contact?.[0] ?? `<${req.request.uri}>`),
        localTarget: uriOf(req.request.headers.contact?.[0] ?? ''),
        inviteCseq: Number((req.request.headers.cseq?.[0] ?? '1').split(' ')[0]),
        localCseq: 1,
        connectionId: ctx.connectionId,
      });
    }
    // drachtio-server 0.9.10 keeps the dialog after a 401/407 to a BYE, for the app to send it again with
    // credentials (SipDialogController::processResponseInsideDialog); any other final answer ends it.
    if (dialog && req.method === 'BYE' && spec.status >= 200 && spec.status !== 401 && spec.status !== 407)
      ctx.dialogs.delete(dialog.id);
    req.responses.push(response);
    const from = spec.byServer ? { address: '', port: 0 } : target;
    const event = sipEvent(response.raw, { source: 'network', transport: 'udp', ...from }, req.transactionId, dialogId);
    if (immediate) ctx.send(event);
    else ctx.deliver(event);
    ctx.recorded();
    if (spec.status >= 200) return;
  }
  if (req.method === 'INVITE') return; // an INVITE without answer stays pending (the app CANCELs it or gives up)
  // No final answer from the far end: sofia's transaction times out (timer F) and drachtio-server passes the
  // stack's own 408 to the app, with an empty source address and port 0 (as it does for its 503 on an ICMP
  // "port unreachable", seen with drachtio-server 0.9.10).
  await new Promise((resolve) => setTimeout(resolve, ctx.timerFMs).unref());
  if (req.responses.some((r) => r.status >= 200)) return;
  const timeout = parseSipResponse(
    renderDraft(buildResponseFor(draft, { status: 408, reason: 'Request Timeout', toTag })),
  );
  req.responses.push(timeout);
  ctx.deliver(
    sipEvent(timeout.raw, { source: 'network', transport: 'udp', address: '', port: 0 }, req.transactionId, ''),
  );
  ctx.recorded();
}
