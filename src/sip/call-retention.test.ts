import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type Srf from 'drachtio-srf';
import { loadConfig } from '../config/index.js';
import { createLogger } from '../log.js';
import { createMetrics } from '../metrics.js';
import { systemClock } from '../screening/types.js';
import { Connection } from '../store/sqlite/connection.js';
import { tempDir, type TempDir } from '../store/test-tmp.js';
import { openStores, type Stores } from '../wiring/open-stores.js';
import { sipHandlerDeps } from '../wiring/build-sip-app.js';
import { createActionDeps } from './action-deps.js';
import { createRequestHandler, type HandlerDeps } from './handle-request.js';

/**
 * What a forwarded call leaves held once it was answered: the service's request handler (the deps the service builds,
 * its register with the journal) given drachtio-srf's own Request, the PBX's 200 reported on a later turn, and the
 * call still talking (no cdr:stop yet: ForwardedCalls keeps the attempt's promise for its talk time, for minutes in a
 * real call). Nothing of the request may be held by then: at 1,500 calls/s whatever a call leaves reachable past a
 * scavenge (~250 ms) is promoted to the old generation, where only a mark-compact frees it (docs/measurements.md,
 * session 22).
 */

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const require = createRequire(import.meta.url);
const SipMessage = require('drachtio-srf/lib/sip-parser/message.js') as new (raw: string) => object;
const Request = require('drachtio-srf/lib/request.js') as new (msg: object, meta: object) => Srf.SrfRequest;

const DID = '+390612345678';

let dir: TempDir;
let file: string;
let stores: Stores;
let stopMedia: () => Promise<void>;
let deps: HandlerDeps;

beforeEach(async () => {
  dir = tempDir('crocetta-retention-');
  file = dir.file('register.sqlite');
  const config = loadConfig({
    env: {
      CROCETTA_DB: file,
      PBX_URI: 'sip:127.0.0.1:5080',
      DRACHTIO_SECRET: 'test-secret',
      CROCETTA_API_TOKEN: 'test-token-0123456789',
      ADMIN_PASSWORD: 'test-password-0123456789',
      NODE_ENV: 'production',
    },
  });
  const logger = createLogger('info', new Writable({ write: (_chunk, _enc, done) => done() }));
  const metrics = createMetrics();
  const actions = createActionDeps(config, logger, metrics);
  stopMedia = () => actions.media.stop();
  stores = await openStores(config, { clock: systemClock, metrics, logger });
  deps = sipHandlerDeps(config, { stores, actions: actions.deps, clock: systemClock, metrics, logger });
});

afterEach(async () => {
  await stopMedia();
  await stores.close();
  dir.remove();
});

/** A new caller's INVITE as drachtio-srf hands it over; its proxy answered 200 by the PBX on a later turn. */
function invite(i: number, proxied: () => void): { req: Srf.SrfRequest; res: Srf.SrfResponse } {
  const from = `+39333${String(i).padStart(7, '0')}`;
  const raw = [
    `INVITE sip:${DID}@127.0.0.1:5060 SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-${i}-retention;rport=5061`,
    `From: <sip:${from}@127.0.0.1>;tag=retention${i}`,
    `To: <sip:${DID}@127.0.0.1:5060>`,
    `Call-ID: ${i}-retention@127.0.0.1`,
    'CSeq: 1 INVITE',
    `Contact: <sip:${from}@127.0.0.1:5061>`,
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const req = new Request(new SipMessage(raw), {
    source: 'network',
    address: '127.0.0.1',
    port: '5061',
    protocol: 'udp',
    transactionId: `t${i}`,
  });
  (req as unknown as { proxy: () => Promise<unknown> }).proxy = () => {
    proxied();
    return new Promise((resolve) => setImmediate(resolve, { connected: true, finalStatus: 200, responses: [] }));
  };
  const res = {
    finalResponseSent: false,
    send: () => undefined,
  } as unknown as Srf.SrfResponse;
  return { req, res };
}

const turns = async (ms: number): Promise<void> => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  await new Promise((resolve) => setImmediate(resolve));
};

/** Handles `calls` INVITEs, each proxied and answered; returns a WeakRef to each request, taken from no frame. */
async function forwardCalls(calls: number): Promise<Array<WeakRef<object>>> {
  const handle = createRequestHandler('call', deps);
  const refs: Array<WeakRef<object>> = [];
  let proxied = 0;
  const hand = (i: number): void => {
    const { req, res } = invite(i, () => proxied++);
    refs.push(new WeakRef(req));
    handle(req, res);
  };
  for (let i = 0; i < calls; i++) hand(i);
  // The journal's write (a microtask), the proxy, the PBX's 200 (setImmediate), the work after the answer (a 1-ms timer).
  await turns(5);
  expect(proxied).toBe(calls);
  return refs;
}

const alive = (refs: Array<WeakRef<object>>): number => refs.filter((r) => r.deref() !== undefined).length;

describe("a forwarded call's request once answered", () => {
  it('is collectable once its attempt is committed, while the call still talks (its promise kept for the talk time)', async () => {
    const refs = await forwardCalls(3);
    await stores.register.flush();
    await turns(5);
    expect(deps.forwarded.openCalls).toBe(3); // answered, not ended: each attempt's promise is kept
    gc();
    expect(alive(refs)).toBe(0);
  });

  it('is collectable while its attempt waits for its commit (journaled: the call was answered)', async () => {
    // Another connection holds the register's write lock: the attempts' commit waits for it (SQLite's busy timeout),
    // as a commit waits for the one before it, or for the writer's interval, at a steady call rate.
    const other = await Connection.open(file);
    await other.exec('BEGIN IMMEDIATE');
    const refs = await forwardCalls(3);
    const committed = stores.register.flush();
    let done = false;
    void committed.then(() => (done = true));
    await turns(5);
    gc();
    expect(done).toBe(false);
    expect(alive(refs)).toBe(0);
    await other.exec('ROLLBACK');
    await other.close();
    await committed;
    expect(await stores.register.attempts({ limit: 10 })).toHaveLength(3);
  });
});
