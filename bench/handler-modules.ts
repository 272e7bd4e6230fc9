/**
 * The service's request handler and what builds it, as bench/sip-handler.ts and bench/caller-memory.ts run it in
 * process: from the sources (tsx) or, with `dist`, from the compiled build `npm start` runs; with drachtio-srf's own
 * SIP parser and Request, to make each request as drachtio-srf makes it from drachtio-server's message. Also what both
 * benches build on them: the handler with the deps the service builds, the INVITE they send, the response drachtio-srf
 * hands a handler, the cdr:stop records drachtio-server sends at a call's end.
 */
import { createRequire } from 'node:module';
import type Srf from 'drachtio-srf';
import type { Config } from '../src/config/index.js';

/** `dist`: true for this tree's dist/, a directory for another build's dist/ (another tree's, read-only). */
export async function handlerModules(dist: boolean | string) {
  const require = createRequire(import.meta.url);
  const src = typeof dist === 'string' ? `${dist}/src` : dist ? '../dist/src' : '../src';
  const { loadConfig } = (await import(`${src}/config/index.js`)) as typeof import('../src/config/index.js');
  const { createLogger } = (await import(`${src}/log.js`)) as typeof import('../src/log.js');
  const { createMetrics } = (await import(`${src}/metrics.js`)) as typeof import('../src/metrics.js');
  const { systemClock } = (await import(`${src}/screening/types.js`)) as typeof import('../src/screening/types.js');
  const { createActionDeps } = (await import(
    `${src}/sip/action-deps.js`
  )) as typeof import('../src/sip/action-deps.js');
  const { createRequestHandler } = (await import(
    `${src}/sip/handle-request.js`
  )) as typeof import('../src/sip/handle-request.js');
  const { openStores } = (await import(
    `${src}/wiring/open-stores.js`
  )) as typeof import('../src/wiring/open-stores.js');
  const { sipHandlerDeps } = (await import(
    `${src}/wiring/build-sip-app.js`
  )) as typeof import('../src/wiring/build-sip-app.js');
  const { readCdrStop } = (await import(`${src}/sip/cdr-stop.js`)) as typeof import('../src/sip/cdr-stop.js');
  return {
    src,
    SipMessage: require('drachtio-srf/lib/sip-parser/message.js') as new (raw: string) => object,
    Request: require('drachtio-srf/lib/request.js') as new (
      msg: object,
      meta: Record<string, unknown>,
    ) => Srf.SrfRequest,
    loadConfig,
    createLogger,
    createMetrics,
    systemClock,
    createActionDeps,
    createRequestHandler,
    openStores,
    sipHandlerDeps,
    readCdrStop,
  };
}

export type HandlerModules = Awaited<ReturnType<typeof handlerModules>>;

/** The environment both benches run the service with: the register at `db`, the PBX at 127.0.0.1:5080. */
export function benchEnv(db: string): Record<string, string> {
  return {
    CROCETTA_DB: db,
    PBX_URI: 'sip:127.0.0.1:5080',
    DRACHTIO_SECRET: 'bench-secret',
    CROCETTA_API_TOKEN: 'bench-token-0123456789',
    ADMIN_PASSWORD: 'bench-password-0123456789',
    NODE_ENV: 'production',
  };
}

/**
 * The service's INVITE handler on `config`, with the deps src/wiring builds (stores, media, logger, metrics);
 * `cdrStops(callId, did)` hands it drachtio-server's two cdr:stop records (network and application side) for the
 * call's BYE, read as src/sip/sip-app.ts reads them (readCdrStop → forwarded.ended); `close()` stops media and stores.
 */
export async function buildHandler(m: HandlerModules, config: Config) {
  const { systemClock: clock } = m;
  const logger = m.createLogger(config.log.level);
  const metrics = m.createMetrics();
  const actions = m.createActionDeps(config, logger.child({ component: 'media' }), metrics);
  const stores = await m.openStores(config, { clock, metrics, logger });
  const deps = m.sipHandlerDeps(config, { stores, actions: actions.deps, clock, metrics, logger });
  // As sip-app.ts once connected: the register's update lines of a run written together (absent in an older build).
  (stores.register as { gatherUpdateLines?: () => () => void }).gatherUpdateLines?.();
  let cdrId = 0;
  const cdrStops = (callId: string, did: string): void => {
    for (const side of ['network', 'application']) {
      const record =
        `${++cdrId}|cdr:stop|${side}|${new Date().toISOString()}|normal-release\r\n` +
        `BYE sip:${did}@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-bye${cdrId}\r\n` +
        `From: <sip:caller@127.0.0.1>;tag=a\r\nTo: <sip:${did}@127.0.0.1>;tag=b\r\nCall-ID: ${callId}\r\n` +
        'CSeq: 2 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n';
      const stop = m.readCdrStop(record);
      if (stop !== null) deps.forwarded.ended(stop.callId, clock.now(), stop.reason, stop.status);
    }
  };
  const close = async (): Promise<void> => {
    await actions.media.stop();
    await stores.close();
  };
  return { handle: m.createRequestHandler('call', deps), cdrStops, close };
}

/** The `i`th call's Call-ID. */
export const benchCallId = (i: number): string => `${i}-${process.pid}@127.0.0.1`;

/**
 * The `i`th INVITE from `from` to `did` (with `sdp` as its body, none by default), as drachtio-srf makes it from
 * drachtio-server's message; `proxy` stands in for drachtio-srf's req.proxy.
 */
export function benchInvite(
  m: HandlerModules,
  i: number,
  from: string,
  did: string,
  proxy: () => Promise<unknown>,
  sdp = '',
  carrier = false,
): Srf.SrfRequest {
  const raw = [
    `INVITE sip:${did}@127.0.0.1:5060 SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-${i}-bench;rport=5061`,
    // carrier: a display name in From and the caller asserted in P-Asserted-Identity, as a carrier's trunk sends them
    // (identifyParsed's identity, not plainFrom's).
    carrier
      ? `From: "Bench Caller ${i % 100}" <sip:${from}@127.0.0.1>;tag=${process.pid}T${i}`
      : `From: <sip:${from}@127.0.0.1>;tag=${process.pid}T${i}`,
    ...(carrier
      ? [
          `P-Asserted-Identity: "Bench Caller ${i % 100}" <sip:${from}@127.0.0.1;user=phone;verstat=TN-Validation-Passed>`,
        ]
      : []),
    `To: <sip:${did}@127.0.0.1:5060>`,
    `Call-ID: ${benchCallId(i)}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:${from}@127.0.0.1:5061>`,
    'Max-Forwards: 70',
    'User-Agent: crocetta-bench',
    'Content-Type: application/sdp',
    `Content-Length: ${sdp.length}`,
    '',
    sdp,
  ].join('\r\n');
  const meta = { source: 'network', address: '127.0.0.1', port: '5061', protocol: 'udp', transactionId: `t${i}` };
  const req = new m.Request(new m.SipMessage(raw), meta);
  (req as unknown as { proxy: (o: object) => Promise<unknown> }).proxy = proxy;
  return req;
}

/** The PBX's 200 to a proxied INVITE, reported on a later turn as drachtio-server's answer comes on a later read. */
export const proxiedOk = (): Promise<unknown> =>
  new Promise((resolve) => setImmediate(resolve, { connected: true, finalStatus: 200, responses: [] }));

/** A response as the handler sees drachtio-srf's: send() with the callback told OK on a later turn; `onFinal` at a final. */
export function benchResponse(onFinal?: () => void): Srf.SrfResponse {
  const res = {
    finalResponseSent: false,
    send(status: number, ...rest: unknown[]) {
      if (status >= 200) {
        res.finalResponseSent = true;
        onFinal?.();
      }
      const cb = rest.find((r) => typeof r === 'function') as ((err: unknown) => void) | undefined;
      if (cb) setImmediate(cb, null);
    },
  };
  return res as unknown as Srf.SrfResponse;
}
