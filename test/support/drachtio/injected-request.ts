/** A request the test injected as if from the network, and everything that came back for its transaction. */
import type { ParsedSipRequest, ParsedSipResponse, SipHeaders } from './sip-message.js';
import { DEFAULT_WAIT_MS, Waiters } from './waiters.js';

/** Who produced a response the caller received: the app, the server itself (e.g. 487 after CANCEL), or the far end via the proxy. */
export type ResponseOrigin = 'app' | 'server' | 'far-end';

export interface RecordedResponse extends ParsedSipResponse {
  origin: ResponseOrigin;
  /** True for responses drachtio-server generates itself (487 to a cancelled INVITE). */
  byServer: boolean;
}

export interface ScriptedResponse {
  status: number;
  reason?: string;
  headers?: Record<string, string | string[]>;
  body?: string;
  /** Wait this long before sending it (counted from the previous scripted response). */
  delayMs?: number;
  /**
   * Send it only once this settles (after `delayMs`): the far end holds it until the test lets it go, e.g. a carrier
   * that rings and answers only when told (its 200 crossing the caller's CANCEL). Never settling: never sent.
   */
  after?: Promise<unknown>;
  /**
   * Made by drachtio-server (sofia) itself, not by the far end: its 503 when the far end's port is closed (ICMP
   * port unreachable) or its name does not resolve. It reaches the app with an empty source address and port 0.
   */
  byServer?: boolean;
}

/** The fields of the app's `proxy` command, as drachtio-server reads them (src/client.cpp). */
export interface ProxyDetails {
  transactionId: string;
  destinations: string[];
  /** The Record-Route flag (`remainInDialog`, `recordRoute` or `path` in drachtio-srf). */
  remainInDialog: boolean;
  fullResponse: boolean;
  followRedirects: boolean;
  forking: 'simultaneous' | 'serial';
  provisionalTimeout: string;
  finalTimeout: string;
  /** The stub request drachtio-srf sends after the command line. */
  stubRequest: ParsedSipRequest;
  /** Headers the app asked to set on the forwarded request (the stub's headers minus Content-Length). */
  headers: SipHeaders;
  /** The request being proxied, as received. */
  request: ParsedSipRequest;
}

export interface ProxyTarget {
  uri: string;
  /** The request as forwarded to this target: new Request-URI, proxy Via on top, Record-Route, the app's headers. */
  request: ParsedSipRequest;
}

export type ProxyHandler = (
  proxy: ProxyDetails,
  target: ProxyTarget,
) => ScriptedResponse[] | Promise<ScriptedResponse[]>;

export interface ProxyRecord extends ProxyDetails {
  targets: ProxyTarget[];
  /** Final responses reported to the app (`…|continue`), in order. */
  reportedToApp: ParsedSipResponse[];
  /** Set once `…|done` was sent (or, for a cancelled proxy, once it ended without a word to the app). */
  done: boolean;
  /**
   * When (Date.now()) the caller's side of the proxy got its final answer or the caller's CANCEL: the proxy core
   * outlives it by Timer D (INVITE, non-2xx) or Timer K (non-INVITE) and absorbs retransmissions meanwhile.
   */
  endedAt?: number;
}

/** What the caller can send in the dialog of an INVITE the app answered. */
export type InDialogMethod = 'ACK' | 'BYE' | 'INVITE' | 'INFO' | 'UPDATE' | 'OPTIONS';

export interface TransactionHost {
  cancelTransaction(txn: InjectedRequest): RecordedResponse;
  injectInDialog(
    txn: InjectedRequest,
    method: InDialogMethod,
    body?: string,
    contentType?: string,
  ): InjectedRequest | undefined;
}

export class InjectedRequest {
  readonly responses: RecordedResponse[] = [];
  proxy: ProxyRecord | undefined;
  cancelled = false;
  /** drachtio's proxy timer for this request (B or C, whichever runs) was made to run out now: expireProxyTimer. */
  proxyTimerExpired = false;
  /** A final response went out, or the transaction was cancelled: later app responses get NOK. */
  closed = false;
  private readonly waiters = new Waiters();

  constructor(
    private readonly host: TransactionHost,
    readonly transactionId: string,
    readonly request: ParsedSipRequest,
    /** The dialog id it was sent to the app with ('' for a new request). */
    readonly dialogId: string,
    readonly connectionId: number,
  ) {}

  get final(): RecordedResponse | undefined {
    return this.responses.find((r) => r.status >= 200);
  }

  waitForFinal(timeoutMs = DEFAULT_WAIT_MS): Promise<RecordedResponse> {
    return this.waiters.waitFor(() => this.final, timeoutMs, `a final response to ${this.describe()}`);
  }

  waitForResponse(status: number, timeoutMs = DEFAULT_WAIT_MS): Promise<RecordedResponse> {
    return this.waiters.waitFor(
      () => this.responses.find((r) => r.status === status),
      timeoutMs,
      `a ${status} to ${this.describe()}`,
    );
  }

  /** Resolves when the app proxied this request and drachtio reported `done` to it. */
  waitForProxy(timeoutMs = DEFAULT_WAIT_MS): Promise<ProxyRecord> {
    return this.waiters.waitFor(
      () => (this.proxy?.done ? this.proxy : undefined),
      timeoutMs,
      `the proxying of ${this.describe()}`,
    );
  }

  /**
   * drachtio-server's proxy timer for this request runs out now: Timer B (the target never answered) or Timer C (it
   * answered provisionally and never finally), whichever the proxy waits on; the double then answers the caller 408
   * itself and tells the app `done`, as when the timer fires. Lets a test end a proxy at a moment it chose (after
   * moving crocetta's clock by what the timer stands for) without waiting 32 or 185 seconds.
   */
  expireProxyTimer(): void {
    this.proxyTimerExpired = true;
    this.changed();
  }

  /**
   * The caller CANCELs: the double answers 487 itself (recorded with byServer), tells the app with a `sip` CANCEL
   * event unless the request is being proxied, and refuses later app responses with NOK.
   */
  cancel(): RecordedResponse {
    return this.host.cancelTransaction(this);
  }

  /**
   * The caller ACKs the 2xx (in-dialog ACK event with the dialog id); `sdp`: the answer it carries, after a 2xx
   * that brought an offer (a re-INVITE without SDP).
   */
  ack(sdp = ''): void {
    this.host.injectInDialog(this, 'ACK', sdp);
  }

  /**
   * The caller sends a re-INVITE in the answered dialog (new SDP, or `''` for one without offer: the 2xx brings an
   * offer and ack() carries the answer); ack() the returned request after its 200.
   */
  reinvite(sdp: string): InjectedRequest {
    const reinvite = this.host.injectInDialog(this, 'INVITE', sdp);
    if (!reinvite) throw new Error('drachtio double: no dialog to send a re-INVITE in');
    return reinvite;
  }

  /** The caller sends INFO in the answered dialog (a key as `application/dtmf-relay` or `application/dtmf`). */
  info(contentType: string, body: string): InjectedRequest {
    const info = this.host.injectInDialog(this, 'INFO', body, contentType);
    if (!info) throw new Error('drachtio double: no dialog to send INFO in');
    return info;
  }

  /** The caller sends UPDATE in the answered dialog (an SDP offer, or `''`: a session refresh, RFC 4028). */
  update(sdp: string): InjectedRequest {
    const update = this.host.injectInDialog(this, 'UPDATE', sdp);
    if (!update) throw new Error('drachtio double: no dialog to send UPDATE in');
    return update;
  }

  /** The caller sends OPTIONS in the answered dialog (a keepalive). */
  options(): InjectedRequest {
    const options = this.host.injectInDialog(this, 'OPTIONS');
    if (!options) throw new Error('drachtio double: no dialog to send OPTIONS in');
    return options;
  }

  /** The caller hangs up an answered call: injects a BYE in the dialog and returns its transaction. */
  bye(): InjectedRequest {
    const bye = this.host.injectInDialog(this, 'BYE');
    if (!bye) throw new Error('drachtio double: no dialog to send BYE in');
    return bye;
  }

  /** @internal */
  record(response: ParsedSipResponse, origin: ResponseOrigin): RecordedResponse {
    const recorded: RecordedResponse = { ...response, origin, byServer: origin === 'server' };
    this.responses.push(recorded);
    if (recorded.status >= 200) this.closed = true;
    this.waiters.notify();
    return recorded;
  }

  /** Resolves when `check` gives a value, re-checked whenever this transaction changes; rejects after `timeoutMs`. */
  waitFor<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return this.waiters.waitFor(check, timeoutMs, `${what} on ${this.describe()}`);
  }

  /** @internal */
  changed(): void {
    this.waiters.notify();
  }

  private describe(): string {
    return `${this.request.method} ${this.request.headers['call-id']?.[0] ?? ''}`;
  }
}
