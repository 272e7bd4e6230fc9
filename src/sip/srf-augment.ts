/**
 * What drachtio-srf 5.0.29 does at run time but its shipped typings leave out, declared once here so the rest
 * of the code stays typed under `strict` (no `any`). Each member was read from node_modules/drachtio-srf/lib.
 */
import type Srf from 'drachtio-srf';

export interface ProxyOptions {
  destination: string | string[];
  /** Record-Route: stay in the dialog so ACK/BYE/re-INVITE pass through drachtio (request.js: remainInDialog). */
  remainInDialog?: boolean;
  followRedirects?: boolean;
  forking?: 'sequential' | 'simultaneous';
  provisionalTimeout?: string;
  finalTimeout?: string;
  /** Extra headers for the forwarded request (drachtio-agent.js puts them in the stub request). */
  headers?: Record<string, string>;
}

/** What `req.proxy()` resolves with (request.js). */
export interface ProxyResult {
  connected: boolean;
  finalStatus?: number;
  responses: Array<{ address: string; port: number; msgs: Array<{ time: string; status: number }> }>;
}

/** The request members used by crocetta that the typings lack. */
export interface ProxyableRequest {
  proxy(opts: ProxyOptions): Promise<ProxyResult>;
  /** Set by drachtio-srf on requests received from the network. */
  readonly source_address: string;
  /** The source port and transport (`udp`, `tcp`...) of a request received from the network (request.js). */
  readonly source_port: number;
  readonly protocol: string;
  readonly body: string;
  /** The Srf instance that received the request (srf.js sets `req.srf`): createUAS needs it. */
  readonly srf: Srf;
  /** `address:port` where drachtio-server received the request, when the server says (drachtio-agent.js). */
  readonly receivedOn?: string;
}

export type SrfRequest = Srf.SrfRequest & ProxyableRequest;
export type SrfResponse = Srf.SrfResponse;

/** The members of drachtio-srf's Dialog that crocetta uses (dialog.js); the shipped typings lack some. */
export interface Leg {
  local: { sdp: string };
  remote: { sdp: string };
  connected: boolean;
  on(event: 'destroy', listener: () => void): void;
  on(event: 'modify' | 'info', listener: (req: SrfRequest, res: SrfResponse) => void): void;
  removeAllListeners(event: string): void;
  modify(sdp: string): Promise<string>;
  request(opts: { method: string; headers?: Record<string, string>; body?: string }): Promise<Srf.SrfResponse>;
  destroy(): Promise<void>;
}

export interface ConnectOptions extends Srf.SrfConfig {
  /** wire-protocol.js: without retryMaxDelay the back-off grows 1.7× with no ceiling. */
  reconnect?: { retryMaxDelay: number };
}

/**
 * srf.message() and srf.options() exist at run time (one method per SIP verb, srf.js) but is not typed; connect() returns
 * nothing (drachtio-agent.js), not the Promise the typings promise: its outcome comes as 'connect'/'error'.
 */
export interface SrfWithMessage {
  message(handler: (req: Srf.SrfRequest, res: Srf.SrfResponse) => void): void;
  options(handler: (req: Srf.SrfRequest, res: Srf.SrfResponse) => void): void;
  /** Same for REGISTER (one method per SIP verb); routed only when the PBX registers to crocetta. */
  register(handler: (req: Srf.SrfRequest, res: Srf.SrfResponse) => void): void;
  connect(opts: ConnectOptions): void;
}

export function asProxyable(req: Srf.SrfRequest): SrfRequest {
  return req as SrfRequest;
}

export function withMessage(srf: Srf): Omit<Srf, 'connect'> & SrfWithMessage {
  return srf as unknown as Omit<Srf, 'connect'> & SrfWithMessage;
}
