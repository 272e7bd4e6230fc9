/**
 * A drachtio-server stand-in for integration tests: the app connects with drachtio-srf (inbound mode) as it would
 * to the real server; the test injects SIP and reads back, parsed, what the app answered, proxied or sent.
 * See test/support/drachtio/ for the pieces (framing, SIP text, wire messages, proxy and UAC emulation).
 */
export { DrachtioDouble, dialogIdFor } from './drachtio/double.js';
export type { ConnectionInfo, DrachtioDoubleOptions, InjectOptions } from './drachtio/double.js';
export { InjectedRequest } from './drachtio/injected-request.js';
export { DRACHTIO_TIMERS } from './drachtio/proxy-run.js';
export type { DrachtioTimers } from './drachtio/proxy-run.js';
export type {
  ProxyDetails,
  ProxyHandler,
  ProxyRecord,
  ProxyTarget,
  RecordedResponse,
  ResponseOrigin,
  ScriptedResponse,
} from './drachtio/injected-request.js';
export type { AppRequest, AppRequestHandler, AppRequestSendingHook } from './drachtio/app-requests.js';
export {
  DEFAULT_SOURCE,
  DOUBLE_SIP_ADDRESS,
  buildInvite,
  buildMessage,
  defaultSdp,
  reasonPhrase,
} from './drachtio/sip-builders.js';
export type { BuildInviteOptions, BuildMessageOptions, SourceAddress } from './drachtio/sip-builders.js';
export { headerOf, parseSip, tagOf, uriOf } from './drachtio/sip-message.js';
export type { ParsedSipMessage, ParsedSipRequest, ParsedSipResponse, SipHeaders } from './drachtio/sip-message.js';
