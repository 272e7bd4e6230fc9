/**
 * State drachtio-srf 5.0.29 keeps per drachtio-server connection that crocetta must let go of itself, reached
 * through the library's internals (lib/drachtio-agent.js: `agent.mapServer.get(socket)`). Read defensively: if a
 * later drachtio-srf changes them, every helper here does nothing and says so (null/false), and calls go on as
 * before (the memory is then held as it always was).
 *
 * - `pendingRequests` (message id → callback): `req.proxy()` puts its callback there (DrachtioAgent#proxy) and only
 *   drachtio-server's `…|done` takes it out. For a proxied INVITE the caller cancelled, or one drachtio-server
 *   failed to proxy without a word, `done` never comes: the callback, and through it the request, the response and
 *   every closure of the call, would stay for the life of the connection.
 * - `pendingNetworkInvites` (Call-ID → {req, res}): every INVITE received, until a final response is sent for it
 *   or it is proxied. A retransmitted INVITE crocetta absorbs (no answer, RFC 6026) would stay there.
 * - The callback `res.send(…, callback)` files in `pendingRequests` parses the copy of the sent response that
 *   drachtio-server echoes back (`new SipMessage`: every header) before it says OK; `sendAnswer` files one that reads
 *   only OK/NOK.
 */
import type Srf from 'drachtio-srf';
import type { ProxyOptions, ProxyResult, SrfRequest } from './srf-augment.js';

type Callback = (...args: unknown[]) => void;

interface ConnectionState {
  pendingRequests: Map<string, Callback>;
  pendingNetworkInvites: Map<string, { req: unknown }>;
}

interface AgentLike {
  mapServer: Map<unknown, ConnectionState>;
}

function isAgent(value: unknown): value is AgentLike {
  return typeof value === 'object' && value !== null && (value as { mapServer?: unknown }).mapServer instanceof Map;
}

function isConnectionState(value: unknown): value is ConnectionState {
  const v = value as Partial<ConnectionState> | undefined;
  return v?.pendingRequests instanceof Map && v.pendingNetworkInvites instanceof Map;
}

/** The state of the connection a request (or its response) came in on, or null. */
function connectionOf(req: SrfRequest | Srf.SrfResponse): ConnectionState | null {
  const { agent, socket } = req as unknown as { agent?: unknown; socket?: unknown };
  if (!isAgent(agent)) return null;
  const state = agent.mapServer.get(socket);
  return isConnectionState(state) ? state : null;
}

/** What the next `pendingRequests.set` of a watched connection files instead of drachtio-srf's callback. */
let filing: ((key: string, value: Callback) => Callback) | null = null;
const watchedMaps = new WeakSet<Map<string, Callback>>();

/**
 * Runs `act` (a drachtio-srf call that files one callback in `pending`, synchronously) with `onFile` told of that
 * filing and choosing what is filed. The connection's map gets its watching `set` once, for its life: defining and
 * deleting an own `set` on the map for each call (as this did before) cost more than drachtio-srf's whole send
 * (~10 µs a call, measured side by side), the map's shape changing twice every time.
 */
function filingOnce<T>(
  pending: Map<string, Callback>,
  onFile: (key: string, value: Callback) => Callback,
  act: () => T,
): T {
  if (!watchedMaps.has(pending)) {
    watchedMaps.add(pending);
    const watch: Map<string, Callback>['set'] = function (this: Map<string, Callback>, key, value) {
      const chosen = filing === null ? value : filing(key, value);
      filing = null;
      return Map.prototype.set.call(this, key, chosen) as Map<string, Callback>;
    };
    Object.defineProperty(pending, 'set', { value: watch, configurable: true, writable: true });
  }
  filing = onFile;
  try {
    return act();
  } finally {
    filing = null;
  }
}

/** A proxy operation that can be let go of: `result` settles with drachtio's outcome, or null once released. */
export interface ReleasableProxy {
  result: Promise<ProxyResult | null>;
  /**
   * Stops waiting for drachtio-server: drops drachtio-srf's callback, so nothing of the call is held any more, and
   * settles `result` with null. Returns false when the callback could not be found (it is then held, as before).
   */
  release(): boolean;
}

/**
 * `req.proxy(opts)`, keeping hold of the callback drachtio-srf files for it. DrachtioAgent#proxy files it
 * synchronously, inside the call, with one `pendingRequests.set(msgId, callback)`: watched for that one call.
 */
export function proxyReleasably(req: SrfRequest, opts: ProxyOptions): ReleasableProxy {
  const pending = connectionOf(req)?.pendingRequests ?? null;
  let filed: [string, Callback] | undefined;
  let proxied: Promise<ProxyResult>;
  if (pending === null) {
    proxied = req.proxy(opts);
  } else {
    proxied = filingOnce(
      pending,
      (key, value) => {
        const lighter: Callback = (tokens: unknown, raw: unknown, meta: unknown) =>
          value(tokens, statusLineOf(tokens, raw), meta);
        filed = [key, lighter];
        return lighter;
      },
      () => req.proxy(opts),
    );
  }
  let stop: (value: null) => void = () => undefined;
  const released = new Promise<null>((resolve) => {
    stop = resolve;
  });
  return {
    result: Promise.race([proxied, released]),
    release() {
      stop(null);
      if (filed === undefined || pending === null || pending.get(filed[0]) !== filed[1]) return false;
      pending.delete(filed[0]);
      return true;
    },
  };
}

/**
 * What drachtio-srf's proxy callback is given of a response the proxied request got: only its status line.
 * Request#proxy parses each response drachtio-server relays (`new SipMessage(raw)`: every header and the SDP, ~20-40
 * µs cold) to read its status, for `finalStatus`, and crocetta reads nothing else of the result; the status line alone
 * parses to the same status (and an empty message). NOK and `done` (no message) go through as they came.
 */
function statusLineOf(tokens: unknown, raw: unknown): unknown {
  if (typeof raw !== 'string' || !Array.isArray(tokens) || tokens[0] === 'NOK' || tokens[1] === 'done') return raw;
  const end = raw.indexOf('\r\n');
  return end > 0 && raw.startsWith('SIP/') ? raw.slice(0, end) : raw;
}

/** Forgets an INVITE that will get no final response from crocetta (an absorbed retransmission). */
export function forgetPendingInvite(req: SrfRequest, callId: string): boolean {
  const invites = connectionOf(req)?.pendingNetworkInvites;
  if (invites?.get(callId)?.req !== req) return false;
  invites.delete(callId);
  return true;
}

/** How many requests drachtio-srf waits on drachtio-server for, over all connections; null if unknown. */
export function pendingRequestCount(srf: Pick<Srf, 'locals'>): number | null {
  const client = (srf as unknown as { _app?: { client?: unknown } })._app?.client;
  if (!isAgent(client)) return null;
  let count = 0;
  for (const state of client.mapServer.values()) if (isConnectionState(state)) count += state.pendingRequests.size;
  return count;
}

/**
 * `res.send(status, reason, opts)`, resolving once drachtio-server sent the response and rejecting when it refused
 * it (NOK: typically the caller's CANCEL came first and the transaction is gone).
 *
 * drachtio-srf calls a send's callback only after parsing the response drachtio-server echoes back (every header of
 * it, `new SipMessage`: ~20 µs on a warm machine, several times that between other processes' work), and crocetta
 * reads only OK or NOK. DrachtioAgent#sendResponse files its callback synchronously, inside res.send, with one
 * `pendingRequests.set(msgId, fn)` (as DrachtioAgent#proxy does, proxyReleasably): that one entry is filed as a
 * function that reads the status token instead (drachtio-srf's handler of `response|…` calls it with the tokens
 * after the message id, `OK`/`NOK` first, and deletes the entry itself). Without the internals, drachtio-srf's own
 * callback is used, as before. Empty `opts.headers` are left out: drachtio-srf copies the whole response to add
 * headers whenever there is a headers object, even an empty one.
 */
export function sendAnswer(
  res: Srf.SrfResponse,
  status: number,
  reason: string,
  opts: { headers?: Record<string, string>; body?: string } = {},
): Promise<void> {
  const options: { headers?: Record<string, string>; body?: string } = {};
  if (opts.headers !== undefined && hasAny(opts.headers)) options.headers = opts.headers;
  if (opts.body !== undefined) options.body = opts.body;
  return new Promise<void>((resolve, reject) => {
    const told = (refusal: unknown): void => {
      if (!refusal) resolve();
      else
        reject(
          refusal instanceof Error
            ? refusal
            : new Error(`drachtio-server refused the response: ${JSON.stringify(refusal)}`),
        );
    };
    const pending = connectionOf(res)?.pendingRequests ?? null;
    if (pending === null) {
      res.send(status, reason, options, told);
      return;
    }
    // drachtio-srf's 'response' handler calls the filed function with the tokens after the message id.
    const light: Callback = (tokens: unknown) => {
      const t = Array.isArray(tokens) ? (tokens as unknown[]) : [];
      told(t[0] === 'OK' ? null : typeof t[1] === 'string' && t[1] !== '' ? t[1] : 'NOK');
    };
    // `told` is still drachtio-srf's callback for the refusals Response#send makes itself (already answered).
    filingOnce(
      pending,
      () => light,
      () => res.send(status, reason, options, told),
    );
  });
}

function hasAny(headers: Record<string, string>): boolean {
  for (const _ in headers) return true;
  return false;
}
