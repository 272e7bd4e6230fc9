/**
 * crocetta as the PBX's registrar: the drachtio adapter of `pbx-register/`. A REGISTER is checked against the
 * failed-login limiter, then its digest credentials, then applied to the bindings (stored before the answer);
 * every path sends a final answer. Only `pbx.register.*` turns this on: without it REGISTER is not routed here.
 */
import type Srf from 'drachtio-srf';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../log.js';
import type { LoginLimiter } from '../login-limiter.js';
import { contactsHeader, type DigestAuth, type PbxRegistry } from '../pbx-register/index.js';
import type { Clock } from '../screening/types.js';
import { asProxyable } from './srf-augment.js';
import { FORBIDDEN, markedHeaders, type RefusalMark } from './verdict-to-sip.js';

export interface PbxRegisterMetrics {
  requests: Counter<'result'>;
  unavailable: Counter;
}

/** The PBX registration's metrics, on crocetta's registry; the bindings gauge reads `live()` when scraped. */
export function pbxRegisterMetrics(registry: Registry, live: () => number): PbxRegisterMetrics {
  new Gauge({
    name: 'crocetta_pbx_bindings',
    help: 'Live registrations (contacts) of the PBX registered to crocetta',
    registers: [registry],
    collect() {
      this.set(live());
    },
  });
  return {
    requests: new Counter({
      name: 'crocetta_pbx_register_requests_total',
      help: 'REGISTERs from the PBX by result: ok, challenged, forbidden, malformed, rate_limited, refused, store_error',
      labelNames: ['result'],
      registers: [registry],
    }),
    unavailable: new Counter({
      name: 'crocetta_pbx_unavailable_total',
      help: 'Allowed calls answered 480 because no PBX was registered (pbx.uri empty)',
      registers: [registry],
    }),
  };
}

export interface PbxRegistrarDeps {
  auth: DigestAuth;
  registry: PbxRegistry;
  limiter: LoginLimiter;
  clock: Clock;
  logger: Logger;
  metrics: PbxRegisterMetrics;
}

function send(
  res: Srf.SrfResponse,
  status: number,
  reason: string,
  headers: Record<string, string> = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    res.send(status, reason, { headers }, (err: unknown) => {
      if (err)
        reject(err instanceof Error ? err : new Error(`drachtio-server refused the response: ${JSON.stringify(err)}`));
      else resolve();
    });
  });
}

/** What drachtio-srf calls for each REGISTER. */
export function createRegisterHandler(deps: PbxRegistrarDeps) {
  return (rawReq: Srf.SrfRequest, res: Srf.SrfResponse): void => {
    handleRegister(rawReq, res, deps).catch((err: unknown) => {
      deps.logger.error({ err }, 'REGISTER handling failed');
      if (!res.finalResponseSent) send(res, 500, 'Server Internal Error').catch(() => undefined);
    });
  };
}

async function handleRegister(rawReq: Srf.SrfRequest, res: Srf.SrfResponse, deps: PbxRegistrarDeps): Promise<void> {
  const req = asProxyable(rawReq);
  // Set on every request drachtio-server relays from the network; guarded anyway (a typed field is no promise at run time).
  const client = typeof req.source_address === 'string' ? req.source_address : '';
  const port = typeof req.source_port === 'number' ? req.source_port : 0;
  const now = deps.clock.now();
  const log = deps.logger.child({ source: `${client}:${port}`, callId: req.get('Call-ID') ?? '' });
  const count = (result: string) => deps.metrics.requests.inc({ result });

  if (deps.limiter.blocked(client)) {
    count('rate_limited');
    log.debug('REGISTER refused: too many failed attempts from this address');
    await send(res, 403, 'Forbidden');
    return;
  }
  const auth = deps.auth.verify(req.get('Authorization'), 'REGISTER', client, now);
  if (auth.kind === 'challenge') {
    count('challenged');
    log.debug({ why: auth.why, stale: auth.stale }, 'REGISTER challenged');
    await send(res, 401, 'Unauthorized', { 'WWW-Authenticate': deps.auth.challenge(client, now, auth.stale) });
    return;
  }
  if (auth.kind !== 'ok') {
    deps.limiter.fail(client);
    const lockedOut = deps.limiter.blocked(client);
    if (lockedOut) log.warn('too many failed REGISTERs from this address: refused for the next 15 minutes');
    if (auth.kind === 'malformed') {
      count('malformed');
      log.warn({ why: auth.why, lockedOut }, 'REGISTER refused: unreadable credentials');
      await send(res, 400, 'Bad Request');
    } else {
      count('forbidden');
      // The user name is what the client sent (no secret); the password is never logged.
      log.warn(
        { why: auth.why, username: auth.username.slice(0, 64), lockedOut },
        'REGISTER refused: wrong user name or password',
      );
      await send(res, 403, 'Forbidden');
    }
    return;
  }
  deps.limiter.succeed(client);

  const before = new Set(deps.registry.live().map((b) => b.contact));
  let result;
  try {
    result = await deps.registry.apply({
      to: req.get('To') ?? '',
      callId: req.get('Call-ID') ?? '',
      cseq: req.get('CSeq') ?? '',
      contact: req.get('Contact'),
      expires: req.get('Expires'),
      source: {
        address: client,
        port,
        transport: typeof req.protocol === 'string' && req.protocol !== '' ? req.protocol.toLowerCase() : 'udp',
      },
      userAgent: req.get('User-Agent') ?? null,
    });
  } catch (err) {
    count('store_error');
    log.error({ err }, 'PBX registration could not be stored in the register');
    await send(res, 500, 'Server Internal Error');
    return;
  }
  if (result.kind === 'refused') {
    count('refused');
    log.warn({ status: result.status, detail: result.detail }, 'REGISTER refused');
    await send(
      res,
      result.status,
      result.reason,
      result.minExpires !== undefined ? { 'Min-Expires': String(result.minExpires) } : {},
    );
    return;
  }
  count('ok');
  const added = result.current.filter((b) => !before.has(b.contact));
  const fields = {
    aor: result.aor,
    contacts: result.current.map((b) => b.contact),
    userAgent: req.get('User-Agent') ?? null,
  };
  if (result.action === 'unregister') log.info(fields, 'PBX un-registered');
  else if (added.length > 0)
    log.info(
      { ...fields, expiresAt: new Date(Math.max(...added.map((b) => b.expiresAt))).toISOString() },
      'PBX registered',
    );
  else log.debug(fields, 'PBX registration refreshed');
  const headers: Record<string, string> = {};
  const contact = contactsHeader(result.current, deps.clock.now());
  if (contact !== '') headers.Contact = contact;
  await send(res, 200, 'OK', headers);
}

/**
 * An INVITE from where the registered PBX is, that is not an outbound call crocetta can place (no outbound trunk
 * configured, so `isOutbound` let it through): answered 403 at once. Screened, it would be sent back to the PBX as
 * if somebody had called the number the office dialled. Returns true when it answered.
 */
export function refusedFromPbx(
  pbx: { isPbxAddress(address: string): boolean } | undefined,
  req: Srf.SrfRequest,
  res: Srf.SrfResponse,
  logger: Logger,
  markRefusals: boolean | RefusalMark,
): boolean {
  // No registered PBX (PBX_URI set): its source address is not read (a getter of drachtio-srf's) before a forward.
  if (pbx === undefined) return false;
  const source = asProxyable(req).source_address;
  if (typeof source !== 'string' || !pbx.isPbxAddress(source)) return false;
  logger.warn(
    { callId: req.get('Call-ID') ?? '', source },
    'outbound call from the registered PBX refused (403): no outbound trunk is configured (TRUNK_URI or a registration trunk)',
  );
  send(res, FORBIDDEN, 'Outbound Calls Not Configured', markedHeaders(FORBIDDEN, markRefusals)).catch((err: unknown) =>
    logger.warn({ err }, '403 not delivered'),
  );
  return true;
}
