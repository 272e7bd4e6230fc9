/**
 * The server side of drachtio's wire protocol, for tests: the real app (drachtio-srf in inbound mode) connects,
 * authenticates and registers routes; the test injects raw SIP and reads back what the app answered, proxied or sent.
 */
import net from 'node:net';
import {
  type AppRequest,
  type AppRequestHandler,
  type AppRequestSendingHook,
  type DialogRecord,
  handleAppRequest,
} from './app-requests.js';
import { FrameDecoder, encodeFrame } from './framing.js';
import {
  type InDialogMethod,
  InjectedRequest,
  type ProxyHandler,
  type RecordedResponse,
  type TransactionHost,
} from './injected-request.js';
import { DRACHTIO_TIMERS, type DrachtioTimers, parseProxyCommand, runProxy } from './proxy-run.js';
import {
  DEFAULT_SOURCE,
  DOUBLE_SIP_ADDRESS,
  type SourceAddress,
  buildResponseFor,
  prepareInjected,
} from './sip-builders.js';
import {
  type ParsedSipRequest,
  type SipDraft,
  getHeader,
  getHeaders,
  newBranch,
  parseDraft,
  parseSipRequest,
  parseSipResponse,
  randomToken,
  hostPortOf,
  renderDraft,
  setHeader,
  tagOf,
  uriOf,
} from './sip-message.js';
import { DEFAULT_WAIT_MS, Waiters } from './waiters.js';
import {
  DOUBLE_VERSION,
  type WireCommand,
  apiResponse,
  cdrEvent,
  newMessageId,
  parseCommand,
  sentResponseAck,
  sipEvent,
} from './wire.js';

export interface DrachtioDoubleOptions {
  secret: string;
  /** 0 or absent: a random free port. */
  port?: number;
  /** Send call detail records to apps that route `cdr:start`/`cdr:stop` (drachtio.conf.xml `<cdrs>true</cdrs>`). */
  cdrs?: boolean;
  /**
   * The SIP addresses reported in the authenticate answer (`udp/198.51.100.7:5080,tcp/…`): what drachtio-server
   * listens on, or its external address. Default: DOUBLE_SIP_ADDRESS on UDP and TCP.
   */
  hostports?: string;
  /**
   * When the far end never answers a non-INVITE request the app sent, sofia gives up after timer F (32 s) and
   * drachtio-server passes its own 408 up to the app; tests may shorten it.
   */
  timerFMs?: number;
  /**
   * The far end answers a request the app sent at once, so its first answer reaches drachtio-srf in the same TCP
   * read as the server's acknowledgement, as a registrar on loopback does with the real server. drachtio-srf then
   * emits the answer before a Promise-based `srf.request()` has resolved: only a listener attached in its callback
   * hears it. Off by default (the answer then comes a little later, as over a network).
   */
  immediateAnswers?: boolean;
  /** drachtio-server's transaction timers (ms); tests shorten them. @defaultValue DRACHTIO_TIMERS */
  timers?: Partial<DrachtioTimers>;
}

export interface InjectOptions {
  source?: SourceAddress;
  transport?: 'udp' | 'tcp';
  /** Send as an in-dialog request with this drachtio dialog id (`<Call-ID>;from-tag=<caller tag>`). */
  dialogId?: string;
  /**
   * Deliver to this app connection whatever its routes: drachtio-server gives an UPDATE in an early dialog to the
   * app whose INVITE is in progress (ClientController::route_request_inside_invite), e.g. `txn.connectionId`.
   */
  connectionId?: number;
}

export interface ConnectionInfo {
  id: number;
  authenticated: boolean;
  tags: string[];
  routes: string[];
}

interface AppConnection extends ConnectionInfo {
  socket: net.Socket;
  decoder: FrameDecoder;
  /** SIP arriving "from the network", delivered in order with a little latency (see deliver()). */
  outbox: string[];
  draining: boolean;
}

interface TxnState {
  txn: InjectedRequest;
  received: SipDraft;
  source: SourceAddress;
  transport: 'udp' | 'tcp';
  toTag: string;
}

const HOSTPORTS = `udp/${DOUBLE_SIP_ADDRESS.address}:${DOUBLE_SIP_ADDRESS.port},tcp/${DOUBLE_SIP_ADDRESS.address}:${DOUBLE_SIP_ADDRESS.port}`;
const LOCAL_META = { source: 'application' as const, transport: 'udp', ...DOUBLE_SIP_ADDRESS };

/** drachtio's dialog id for a dialog whose UAC is the caller: `<Call-ID>;from-tag=<From tag>` (SipDialog::getDialogId). */
export function dialogIdFor(request: { headers: Record<string, string[]> }): string {
  return `${request.headers['call-id']?.[0] ?? ''};from-tag=${tagOf(request.headers.from?.[0]) ?? ''}`;
}

export class DrachtioDouble implements TransactionHost {
  /** Every request the app sent (BYE, ACK, srf.request…), as the double sent it on. */
  readonly appRequests: AppRequest[] = [];
  readonly injected: InjectedRequest[] = [];
  /** Secrets presented by clients, in order, and whether they were accepted. */
  readonly authAttempts: Array<{ secret: string; ok: boolean }> = [];
  /** Requests drachtio-server sends on its own (its BYE after a CANCEL that crossed the 200). */
  readonly serverByes: ParsedSipRequest[] = [];
  private readonly connectionsById = new Map<number, AppConnection>();
  private readonly transactions = new Map<string, TxnState>();
  private readonly dialogs = new Map<string, DialogRecord>();
  private readonly waiters = new Waiters();
  private proxyHandler: ProxyHandler | undefined;
  private appRequestHandler: AppRequestHandler | undefined;
  private appRequestSending: AppRequestSendingHook | undefined;
  private nextConnectionId = 1;

  private constructor(
    private readonly server: net.Server,
    private readonly secret: string,
    private readonly cdrs: boolean,
    private readonly hostports: string,
    private readonly timerFMs: number,
    private readonly immediateAnswers: boolean,
    readonly timers: DrachtioTimers,
  ) {
    server.on('connection', (socket) => this.accept(socket));
  }

  static start(opts: DrachtioDoubleOptions): Promise<DrachtioDouble> {
    const server = net.createServer();
    const double = new DrachtioDouble(
      server,
      opts.secret,
      opts.cdrs ?? false,
      opts.hostports ?? HOSTPORTS,
      opts.timerFMs ?? 32_000,
      opts.immediateAnswers ?? false,
      { ...DRACHTIO_TIMERS, ...opts.timers },
    );
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve(double);
      });
    });
  }

  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('drachtio double is not listening');
    return address.port;
  }

  get connections(): ConnectionInfo[] {
    return [...this.connectionsById.values()].map(({ id, authenticated, tags, routes }) => ({
      id,
      authenticated,
      tags: [...tags],
      routes: [...routes],
    }));
  }

  /** Closes the listening socket and every app connection (a drachtio-server crash, as the app sees it). */
  async stop(): Promise<void> {
    for (const conn of this.connectionsById.values()) conn.socket.destroy();
    this.connectionsById.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Resolves when one authenticated connection has registered all these routes (`'invite'`, `'message'`…). */
  waitForRoutes(routes: string[], timeoutMs = DEFAULT_WAIT_MS): Promise<ConnectionInfo> {
    const wanted = routes.map((r) => r.toLowerCase());
    return this.waiters.waitFor(
      () => this.connections.find((c) => c.authenticated && wanted.every((r) => c.routes.includes(r))),
      timeoutMs,
      `routes ${wanted.join(', ')}`,
    );
  }

  waitForNoConnections(timeoutMs = DEFAULT_WAIT_MS): Promise<true> {
    return this.waiters.waitFor(
      () => (this.connectionsById.size === 0 ? true : undefined),
      timeoutMs,
      'all app connections to close',
    );
  }

  /** The n-th (0-based) request with this method the app sent. */
  waitForAppRequest(method: string, timeoutMs = DEFAULT_WAIT_MS, index = 0): Promise<AppRequest> {
    const m = method.toUpperCase();
    return this.waiters.waitFor(
      () => this.appRequests.filter((r) => r.method === m)[index],
      timeoutMs,
      `the app to send ${m}`,
    );
  }

  /** Scripts the far end of proxied requests, called once per target tried. Default: 100, 180, 200. */
  onProxy(handler: ProxyHandler | undefined): void {
    this.proxyHandler = handler;
  }

  /** Scripts the far end of requests the app sends. Default: 200 (180 + 200 with SDP for INVITE). */
  onAppRequest(handler: AppRequestHandler | undefined): void {
    this.appRequestHandler = handler;
  }

  /**
   * Runs `hook` as each new request the app sends goes out, before drachtio-server's acknowledgement reaches the
   * app; when it returns true, the acknowledgement follows what the hook delivered (see AppRequestSendingHook).
   */
  onAppRequestSending(hook: AppRequestSendingHook | undefined): void {
    this.appRequestSending = hook;
  }

  dialogIds(): string[] {
    return [...this.dialogs.keys()];
  }

  /** Delivers a request to the app as drachtio-server does after receiving it from the network. */
  injectRequest(rawSip: string, opts: InjectOptions = {}): InjectedRequest {
    const source = opts.source ?? DEFAULT_SOURCE;
    const transport = opts.transport ?? 'udp';
    const received = prepareInjected(rawSip, source, transport);
    const raw = renderDraft(received);
    const request = parseSipRequest(raw);
    const dialogId = opts.dialogId ?? '';
    const conn = this.connectionsById.get(opts.connectionId ?? -1) ?? this.connectionFor(request.method, dialogId);
    const transactionId = newMessageId();
    const txn = new InjectedRequest(this, transactionId, request, dialogId, conn.id);
    this.transactions.set(transactionId, { txn, received, source, transport, toTag: randomToken(10) });
    this.injected.push(txn);
    const meta = { source: 'network' as const, transport, ...source };
    this.deliver(conn, sipEvent(raw, meta, transactionId, dialogId, dialogId === '' ? DOUBLE_SIP_ADDRESS : undefined));
    return txn;
  }

  /**
   * The caller's transport sends the request of `txn` again, byte for byte (same branch, CSeq, From tag, no To
   * tag), as a UAC does when no response reached it. What drachtio-server does with it
   * (DrachtioController::processMessageStatelessly and sofia's server transactions):
   * - absorbed while the request waits for the app (PendingRequestController::isRetransmission) or while its proxy
   *   core lives (SipProxyController::isRetransmission): until the PBX's 2xx to an INVITE, Timer D after a non-2xx
   *   or a CANCEL, Timer K after a non-INVITE's final. The proxy sends nothing back (a TODO in its source);
   * - absorbed with the last response sent again when the app answered it itself (sofia's server transaction);
   * - otherwise (a proxied INVITE after the PBX's 2xx, a proxied MESSAGE after Timer K) delivered to the app as a
   *   new request with a new transaction id: returned, as the app's new transaction.
   */
  retransmit(txn: InjectedRequest): InjectedRequest | null {
    const state = this.transactions.get(txn.transactionId);
    if (!state || txn.dialogId !== '')
      throw new Error('drachtio double: only a request that started a transaction can be retransmitted');
    const proxy = txn.proxy;
    if (proxy) {
      if (!proxy.done || proxy.endedAt === undefined) return null;
      const final = txn.final;
      const invite = txn.request.method === 'INVITE';
      const coreEnds =
        invite && final !== undefined && final.status < 300 && !txn.cancelled
          ? 0
          : invite
            ? this.timers.D
            : this.timers.K;
      if (Date.now() - proxy.endedAt < coreEnds) return null;
      return this.injectRequest(renderDraft(state.received), { source: state.source, transport: state.transport });
    }
    const last = txn.responses.at(-1);
    if (last && last.status > 100) txn.record(last, 'server');
    return null;
  }

  cancelTransaction(txn: InjectedRequest): RecordedResponse {
    const state = this.transactions.get(txn.transactionId);
    const answered = txn.final !== undefined && txn.final.status >= 200 && txn.final.status < 300;
    if (state && txn.request.method === 'INVITE' && answered) return this.cancelAfterAnswer(txn, state);
    if (!state || txn.request.method !== 'INVITE' || txn.closed) {
      throw new Error('drachtio double: only an INVITE still without final response can be cancelled');
    }
    txn.cancelled = true;
    const response = txn.record(
      parseSipResponse(renderDraft(buildResponseFor(state.received, { status: 487, toTag: state.toTag }))),
      'server',
    );
    const conn = this.connectionsById.get(txn.connectionId);
    if (!txn.proxy && conn) {
      const cancel: SipDraft = { startLine: `CANCEL ${txn.request.uri} SIP/2.0`, headers: [], body: '' };
      cancel.headers.push(['Via', getHeaders(state.received, 'via')[0] ?? '']);
      for (const name of ['Max-Forwards', 'From', 'To', 'Call-ID'])
        cancel.headers.push([name, getHeader(state.received, name) ?? '']);
      cancel.headers.push(['CSeq', `${(getHeader(state.received, 'cseq') ?? '1').split(' ')[0]} CANCEL`]);
      const meta = { source: 'network' as const, transport: state.transport, ...state.source };
      this.deliver(conn, sipEvent(renderDraft(cancel), meta, txn.transactionId, dialogIdFor(txn.request)));
    }
    return response;
  }

  /**
   * The caller's CANCEL crossed the app's 200 (drachtio-server 0.9.10, SipDialogController::processRequestInsideDialog,
   * "received CANCEL after 200 OK; reply 481 and tear down dialog"): the server answers the CANCEL 481, sends the
   * caller a BYE itself (Reason: SIP ;cause=200 ;text="CANCEL after 200 OK") and tells the app with that BYE as an
   * `unsolicited` request in the dialog (drachtio-srf then ends the dialog: 'destroy'). The BYE is in serverByes.
   */
  private cancelAfterAnswer(txn: InjectedRequest, state: TxnState): RecordedResponse {
    this.serverBye(txn, 'CANCEL after 200 OK');
    return parseSipResponse(
      renderDraft(
        buildResponseFor(state.received, {
          status: 481,
          reason: 'Call/Transaction Does Not Exist',
          toTag: state.toTag,
        }),
      ),
    ) as RecordedResponse;
  }

  /**
   * The caller never ACKed the app's 200 to its INVITE `txn`: drachtio-server 0.9.10's timer H
   * (SipDialogController::endRetransmitFinalResponse, 32 s there, at once here) sends the caller a BYE itself
   * (Reason: SIP ;cause=200 ;text="ACK timeout") and tells the app with that BYE as an `unsolicited` request in the
   * dialog (drachtio-srf then ends the dialog: 'destroy'). The BYE is in serverByes.
   */
  ackTimeout(txn: InjectedRequest): void {
    if (!this.serverBye(txn, 'ACK timeout')) throw new Error('drachtio double: no answered dialog for that INVITE');
  }

  /** drachtio-server ends the caller's dialog of `txn` itself, for `reason`; false when there is no such dialog. */
  private serverBye(txn: InjectedRequest, reason: string): boolean {
    const dialog = this.dialogs.get(dialogIdFor(txn.request));
    const conn = this.connectionsById.get(txn.connectionId);
    if (!dialog || !conn) return false;
    const bye: SipDraft = { startLine: `BYE ${dialog.remoteTarget} SIP/2.0`, headers: [], body: '' };
    bye.headers.push(
      ['Via', `SIP/2.0/UDP ${DOUBLE_SIP_ADDRESS.address}:${DOUBLE_SIP_ADDRESS.port};rport;branch=${newBranch()}`],
      ['Max-Forwards', '70'],
      ['From', dialog.local],
      ['To', dialog.remote],
      ['Call-ID', dialog.callId],
      ['CSeq', `${++dialog.localCseq} BYE`],
      ['Reason', `SIP ;cause=200 ;text="${reason}"`],
    );
    const raw = renderDraft(bye);
    this.serverByes.push(parseSipRequest(raw));
    this.dialogs.delete(dialog.id);
    this.deliver(conn, sipEvent(raw, LOCAL_META, 'unsolicited', dialog.id));
    return true;
  }

  injectInDialog(
    txn: InjectedRequest,
    method: InDialogMethod,
    body = '',
    contentType = 'application/sdp',
  ): InjectedRequest | undefined {
    const state = this.transactions.get(txn.transactionId);
    const dialog = this.dialogs.get(dialogIdFor(txn.request));
    if (!state || !dialog) throw new Error(`drachtio double: no dialog for ${method}; did the app answer 2xx?`);
    const cseq = Number((getHeader(state.received, 'cseq') ?? '1').split(' ')[0]);
    const draft: SipDraft = { startLine: `${method} ${dialog.localTarget} SIP/2.0`, headers: [], body };
    // ACK carries its INVITE's number; each new request the caller sends in the dialog the next one.
    let seq = cseq;
    if (method !== 'ACK') {
      seq = Math.max(dialog.remoteCseq ?? cseq, cseq) + 1;
      dialog.remoteCseq = seq;
    }
    draft.headers.push(
      [
        'Via',
        `SIP/2.0/${state.transport.toUpperCase()} ${state.source.address}:${state.source.port};branch=${newBranch()};rport`,
      ],
      ['Max-Forwards', '70'],
      ['From', dialog.remote],
      ['To', dialog.local],
      ['Call-ID', dialog.callId],
      ['CSeq', `${seq} ${method}`],
    );
    if (method === 'INVITE' || method === 'UPDATE')
      draft.headers.push([
        'Contact',
        txn.request.headers.contact?.[0] ?? `<sip:${state.source.address}:${state.source.port}>`,
      ]);
    if (body !== '') draft.headers.push(['Content-Type', contentType]);
    const opts = { source: state.source, transport: state.transport, dialogId: dialog.id };
    if (method !== 'ACK') return this.injectRequest(renderDraft(draft), opts);
    const conn = this.connectionFor('ACK', dialog.id);
    this.deliver(
      conn,
      sipEvent(
        renderDraft(draft),
        { source: 'network', transport: state.transport, ...state.source },
        newMessageId(),
        dialog.id,
      ),
    );
    return undefined;
  }

  /**
   * The far end of a dialog the app set up with an INVITE it sent (createUAC, the B leg of createB2BUA) sends a
   * request in it: BYE (it hangs up) or a re-INVITE. Returns the request, to read the app's answer.
   */
  farEndRequest(
    invite: AppRequest,
    method: 'BYE' | 'INVITE' | 'UPDATE' | 'INFO' | 'OPTIONS',
    body = '',
    contentType = 'application/sdp',
  ): InjectedRequest {
    const { dialog, source, draft } = this.farEndDraft(
      invite,
      method,
      (d) => (d.remoteCseq = (d.remoteCseq ?? 0) + 1),
      body,
    );
    if (method === 'INVITE' || method === 'UPDATE')
      draft.headers.push(['Contact', `<sip:${source.address}:${source.port}>`]);
    if (body !== '') draft.headers.push(['Content-Type', contentType]);
    return this.injectRequest(renderDraft(draft), {
      source: { address: source.address, port: source.port },
      dialogId: dialog.id,
    });
  }

  /**
   * A request from the far end of the dialog the app's INVITE `invite` set up: its start line and the headers every
   * in-dialog request carries (Via from the far end, From/To/Call-ID of the dialog, CSeq `seq(dialog)` and the method).
   */
  private farEndDraft(
    invite: AppRequest,
    method: string,
    seq: (dialog: DialogRecord) => number | string,
    body: string,
  ): { dialog: DialogRecord; source: { address: string; port: number }; draft: SipDraft } {
    const dialog = this.dialogs.get(dialogIdFor(invite.request));
    if (!dialog || dialog.role !== 'uac') throw new Error('drachtio double: no answered dialog for that app INVITE');
    const source = hostPortOf(invite.request.uri);
    const draft: SipDraft = { startLine: `${method} ${dialog.localTarget} SIP/2.0`, headers: [], body };
    draft.headers.push(
      ['Via', `SIP/2.0/UDP ${source.address}:${source.port};branch=${newBranch()};rport`],
      ['Max-Forwards', '70'],
      ['From', dialog.remote],
      ['To', dialog.local],
      ['Call-ID', dialog.callId],
      ['CSeq', `${seq(dialog)} ${method}`],
    );
    return { dialog, source, draft };
  }

  /**
   * The far end of that dialog ACKs the app's 2xx to its re-INVITE `reinvite` (from farEndRequest), with the SDP
   * answer in the ACK when its re-INVITE had no offer.
   */
  farEndAck(invite: AppRequest, reinvite: InjectedRequest, body = ''): void {
    const seq = (reinvite.request.headers.cseq?.[0] ?? '1').split(' ')[0] ?? '1';
    const { dialog, source, draft } = this.farEndDraft(invite, 'ACK', () => seq, body);
    if (body !== '') draft.headers.push(['Content-Type', 'application/sdp']);
    const conn = this.connectionFor('ACK', dialog.id);
    const meta = { source: 'network' as const, transport: 'udp', address: source.address, port: source.port };
    this.deliver(conn, sipEvent(renderDraft(draft), meta, newMessageId(), dialog.id));
  }

  /**
   * One side of a call proxied with Record-Route hangs up: drachtio-server relays the BYE itself (the app never
   * sees it) and, with CDRs on, reports `cdr:stop … normal-release` twice, as received and as sent on
   * (SipProxyController::processRequestWithRouteHeader). Returns the BYE.
   */
  hangUpProxied(txn: InjectedRequest, by: 'caller' | 'pbx' = 'caller'): string {
    const answer = txn.responses.find((r) => r.status >= 200 && r.status < 300);
    if (!txn.proxy?.remainInDialog || !answer)
      throw new Error('drachtio double: hangUpProxied needs a call proxied with Record-Route and answered');
    const caller = txn.request.headers.from?.[0] ?? '';
    const callee = answer.headers.to?.[0] ?? '';
    const cseq = Number((txn.request.headers.cseq?.[0] ?? '1').split(' ')[0]) + 1;
    const target =
      by === 'caller' ? uriOf(answer.headers.contact?.[0] ?? '') : uriOf(txn.request.headers.contact?.[0] ?? '');
    const draft: SipDraft = { startLine: `BYE ${target} SIP/2.0`, headers: [], body: '' };
    draft.headers.push(
      ['Via', `SIP/2.0/UDP ${DOUBLE_SIP_ADDRESS.address}:${DOUBLE_SIP_ADDRESS.port};branch=${newBranch()};rport`],
      ['Max-Forwards', '69'],
      ['From', by === 'caller' ? caller : callee],
      ['To', by === 'caller' ? callee : caller],
      ['Call-ID', txn.request.headers['call-id']?.[0] ?? ''],
      ['CSeq', `${by === 'caller' ? cseq : 1} BYE`],
    );
    const bye = renderDraft(draft);
    this.cdr('cdr:stop', 'network', 'normal-release', bye);
    this.cdr('cdr:stop', 'application', 'normal-release', bye);
    return bye;
  }

  /** Cdr::postCdr: to the one app that routes this record type, only with CDRs on. */
  private cdr(record: 'cdr:start' | 'cdr:stop', source: 'network' | 'application', detail: string, sip: string): void {
    if (!this.cdrs) return;
    const conn = [...this.connectionsById.values()].find((c) => c.authenticated && c.routes.includes(record));
    if (conn) this.deliver(conn, cdrEvent(record, source, detail, sip));
  }

  private connectionFor(method: string, dialogId: string): AppConnection {
    const byDialog = this.connectionsById.get(this.dialogs.get(dialogId)?.connectionId ?? -1);
    if (byDialog) return byDialog;
    const route = method.toLowerCase();
    const conn = [...this.connectionsById.values()].find((c) => c.authenticated && c.routes.includes(route));
    if (!conn) throw new Error(`drachtio double: no connected app has registered a route for ${route}`);
    return conn;
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    const conn: AppConnection = {
      id: this.nextConnectionId++,
      socket,
      decoder: new FrameDecoder(),
      authenticated: false,
      tags: [],
      routes: [],
      outbox: [],
      draining: false,
    };
    this.connectionsById.set(conn.id, conn);
    socket.on('data', (chunk: Buffer) => {
      let messages: string[];
      try {
        messages = conn.decoder.push(chunk);
      } catch {
        socket.destroy(); // the real server drops a client that sends a bad length specifier
        return;
      }
      for (const message of messages) this.handle(conn, parseCommand(message));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.connectionsById.delete(conn.id);
      this.waiters.notify();
    });
    this.waiters.notify();
  }

  private send(conn: AppConnection, message: string): void {
    if (!conn.socket.destroyed && conn.socket.writable) conn.socket.write(encodeFrame(`${newMessageId()}|${message}`));
  }

  /**
   * Sends a message that comes from the network. Everything in one process would otherwise reach drachtio-srf in a
   * single TCP read together with the server's previous answer, and drachtio-srf handles a whole read
   * synchronously: a caller's ACK/BYE right after the 200 would be handled before `createUAS()` resolved, a
   * response to `srf.request()` before the caller could listen for it. A timer plus setImmediate lets the app's
   * poll phase read what was already written before the next network message is written.
   */
  private deliver(conn: AppConnection, message: string): void {
    conn.outbox.push(message);
    if (conn.draining) return;
    conn.draining = true;
    const next = (): void => {
      setTimeout(
        () =>
          setImmediate(() => {
            const m = conn.outbox.shift();
            if (m !== undefined) this.send(conn, m);
            if (conn.outbox.length > 0) next();
            else conn.draining = false;
          }),
        1,
      );
    };
    next();
  }

  private handle(conn: AppConnection, cmd: WireCommand): void {
    switch (cmd.type) {
      case 'authenticate': {
        const secret = cmd.tokens[2] ?? '';
        const ok = secret === this.secret;
        this.authAttempts.push({ secret, ok });
        if (!ok) {
          // BaseClient::createResponseMsg writes "NO" (not "NOK") here, then the server drops the client.
          this.send(conn, apiResponse(cmd.id, 'NO', 'incorrect secret'));
          conn.socket.end();
          return;
        }
        conn.authenticated = true;
        conn.tags = (cmd.tokens[3] ?? '').split(',').filter((t) => t !== '');
        this.send(conn, apiResponse(cmd.id, 'OK', this.hostports, DOUBLE_VERSION, this.hostports));
        break;
      }
      case 'ping':
        this.send(conn, apiResponse(cmd.id, 'OK', 'pong'));
        break;
      case 'route':
      case 'remove_route': {
        const verb = (cmd.tokens[2] ?? '').toLowerCase();
        conn.routes = conn.routes.filter((r) => r !== verb);
        if (cmd.type === 'route') conn.routes.push(verb);
        this.send(conn, apiResponse(cmd.id, 'OK'));
        break;
      }
      case 'sip':
        if (/^SIP\/2\.0 /.test(cmd.payload)) this.handleAppResponse(conn, cmd);
        else this.handleAppRequestCommand(conn, cmd);
        break;
      case 'proxy':
        this.handleProxy(conn, cmd);
        break;
      default:
        this.send(conn, apiResponse(cmd.id, 'NO', 'Unknown message type'));
        conn.socket.end();
    }
    this.waiters.notify();
  }

  private handleAppResponse(conn: AppConnection, cmd: WireCommand): void {
    const transactionId = cmd.tokens[2] ?? '';
    if (transactionId === '') {
      this.send(conn, apiResponse(cmd.id, 'NOK', 'transaction id missing'));
      return;
    }
    const state = this.transactions.get(transactionId);
    if (!state || state.txn.closed || state.txn.proxy) {
      this.send(conn, apiResponse(cmd.id, 'NOK', 'Response not sent due to unknown transaction'));
      return;
    }
    const { txn, received } = state;
    const draft = parseDraft(cmd.payload);
    const status = Number(/^SIP\/2\.0 (\d{3})/.exec(draft.startLine)?.[1] ?? '0');
    const isInvite = txn.request.method === 'INVITE';
    // What sofia puts on the wire: the request's Via, a To-tag above 100, and drachtio's Contact on a 2xx to INVITE.
    if (getHeader(draft, 'via') === undefined)
      draft.headers.unshift(...getHeaders(received, 'via').map((v): [string, string] => ['Via', v]));
    const to = getHeader(draft, 'to') ?? getHeader(received, 'to') ?? '';
    if (status > 100 && !tagOf(to)) setHeader(draft, 'To', `${to};tag=${state.toTag}`);
    if (isInvite && status >= 200 && status < 300 && getHeader(draft, 'contact') === undefined) {
      setHeader(draft, 'Contact', `<sip:${DOUBLE_SIP_ADDRESS.address}:${DOUBLE_SIP_ADDRESS.port}>`);
    }
    const raw = renderDraft(draft);
    const dialogId = txn.dialogId !== '' ? txn.dialogId : isInvite ? dialogIdFor(txn.request) : '';
    const response = txn.record(parseSipResponse(raw), 'app');
    if (isInvite && txn.dialogId === '' && status >= 200 && status < 300) {
      this.dialogs.set(dialogId, {
        id: dialogId,
        role: 'uas',
        callId: txn.request.headers['call-id']?.[0] ?? '',
        local: response.headers.to?.[0] ?? '',
        remote: txn.request.headers.from?.[0] ?? '',
        remoteTarget: uriOf(txn.request.headers.contact?.[0] ?? ''),
        localTarget: uriOf(response.headers.contact?.[0] ?? ''),
        inviteCseq: Number((txn.request.headers.cseq?.[0] ?? '1').split(' ')[0]),
        localCseq: Math.floor(Math.random() * 1000) + 1,
        connectionId: conn.id,
        invite: txn,
      });
    }
    if (txn.request.method === 'BYE' && status >= 200) this.dialogs.delete(txn.dialogId);
    this.send(conn, sentResponseAck(cmd.id, raw, LOCAL_META, transactionId, dialogId));
  }

  private handleAppRequestCommand(conn: AppConnection, cmd: WireCommand): void {
    handleAppRequest({
      appMsgId: cmd.id,
      tokens: cmd.tokens,
      payload: cmd.payload,
      connectionId: conn.id,
      dialogs: this.dialogs,
      appRequests: this.appRequests,
      handler: this.appRequestHandler,
      sending: this.appRequestSending,
      send: (message) => this.send(conn, message),
      deliver: (message) => this.deliver(conn, message),
      recorded: () => this.waiters.notify(),
      timerFMs: this.timerFMs,
      immediateAnswers: this.immediateAnswers,
    });
  }

  private handleProxy(conn: AppConnection, cmd: WireCommand): void {
    const state = this.transactions.get(cmd.tokens[2] ?? '');
    if (!state || state.txn.closed || state.txn.proxy) {
      this.send(conn, apiResponse(cmd.id, 'NOK', 'unknown transaction id'));
      return;
    }
    const record = parseProxyCommand(cmd.tokens, cmd.payload, state.txn);
    state.txn.proxy = record;
    state.txn.changed();
    void runProxy(
      {
        appMsgId: cmd.id,
        txn: state.txn,
        received: state.received,
        handler: this.proxyHandler,
        send: (m) => this.send(conn, m),
        cdr: (kind, source, detail, sip) => this.cdr(kind, source, detail, sip),
        timers: this.timers,
      },
      record,
    );
  }
}
