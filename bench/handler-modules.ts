/**
 * The service's request handler and what builds it, as bench/sip-handler.ts and bench/caller-memory.ts run it in
 * process: from the sources (tsx) or, with `dist`, from the compiled build `npm start` runs; with drachtio-srf's own
 * SIP parser and Request, to make each request as drachtio-srf makes it from drachtio-server's message.
 */
import { createRequire } from 'node:module';
import type Srf from 'drachtio-srf';

export async function handlerModules(dist: boolean) {
  const require = createRequire(import.meta.url);
  const src = dist ? '../dist/src' : '../src';
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
