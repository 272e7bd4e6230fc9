import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import type Srf from 'drachtio-srf';
import { loadConfig } from '../config/index.js';
import { createLogger } from '../log.js';
import { createMetrics } from '../metrics.js';
import { systemClock } from '../screening/types.js';
import { tempDir, type TempDir } from '../store/test-tmp.js';
import { openStores, type Stores } from '../wiring/open-stores.js';
import { sipHandlerDeps } from '../wiring/build-sip-app.js';
import { createActionDeps } from './action-deps.js';
import { createRequestHandler, type HandlerDeps } from './handle-request.js';
import { headerSource } from './request-headers.js';
import { marksRefusals, RefusalMark } from './verdict-to-sip.js';

/**
 * What an unknown caller's forward reads before its proxy, answering first (store.durableBeforeAnswer false): what the
 * forward's decision and the forward need, not what only the register's row needs (the request's source address, a
 * getter of drachtio-srf's Request) nor what only a refusal needs (the headers the refusal mark is read from:
 * Route, X-Crocetta-Front). Both are read after the proxy, and the row says the same.
 */

const require = createRequire(import.meta.url);
const SipMessage = require('drachtio-srf/lib/sip-parser/message.js') as new (raw: string) => {
  headers: Record<string, unknown>;
};
const Request = require('drachtio-srf/lib/request.js') as new (msg: object, meta: object) => Srf.SrfRequest;

const DID = '+390612345678';
const CALLER = '+393331234567';

let dir: TempDir;
let stores: Stores;
let stopMedia: () => Promise<void>;
let deps: HandlerDeps;

async function start(durableBeforeAnswer: boolean): Promise<void> {
  const config = loadConfig({
    env: {
      CROCETTA_DB: dir.file('register.sqlite'),
      PBX_URI: 'sip:127.0.0.1:5080',
      DRACHTIO_SECRET: 'test-secret',
      CROCETTA_API_TOKEN: 'test-token-0123456789',
      ADMIN_PASSWORD: 'test-password-0123456789',
      NODE_ENV: 'production',
    },
  });
  Object.assign(config.store, { durableBeforeAnswer });
  const logger = createLogger('info', new Writable({ write: (_chunk, _enc, done) => done() }));
  const metrics = createMetrics();
  const actions = createActionDeps(config, logger, metrics);
  stopMedia = () => actions.media.stop();
  stores = await openStores(config, { clock: systemClock, metrics, logger });
  deps = sipHandlerDeps(config, { stores, actions: actions.deps, clock: systemClock, metrics, logger });
}

beforeEach(() => {
  dir = tempDir('crocetta-before-forward-');
});

afterEach(async () => {
  await stopMedia();
  await stores.close();
  dir.remove();
});

/**
 * A new caller's INVITE as drachtio-srf hands it over, whose reads of its source address and of the mark's headers,
 * and whose proxy, are noted in `events` in their order; the proxy answered 200 on a later turn.
 */
function invite(events: string[]): { req: Srf.SrfRequest; res: Srf.SrfResponse } {
  const raw = [
    `INVITE sip:${DID}@127.0.0.1:5060 SIP/2.0`,
    'Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-before-forward;rport=5061',
    `From: <sip:${CALLER}@127.0.0.1>;tag=before-forward`,
    `To: <sip:${DID}@127.0.0.1:5060>`,
    'Call-ID: before-forward@127.0.0.1',
    'CSeq: 1 INVITE',
    `Contact: <sip:${CALLER}@127.0.0.1:5061>`,
    'User-Agent: before-forward-phone',
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const msg = new SipMessage(raw);
  const MARK_HEADERS = new Set(['route', 'x-crocetta-front', 'X-Crocetta-Front']);
  msg.headers = new Proxy(msg.headers, {
    get(table, name, receiver) {
      if (typeof name === 'string' && MARK_HEADERS.has(name)) events.push('mark');
      return Reflect.get(table, name, receiver) as unknown;
    },
  });
  const req = new Request(msg, {
    source: 'network',
    address: '127.0.0.1',
    port: '5061',
    protocol: 'udp',
    transactionId: 'before-forward',
  });
  Object.defineProperty(req, 'source_address', {
    get: () => {
      events.push('source');
      return '127.0.0.1';
    },
  });
  (req as unknown as { proxy: () => Promise<unknown> }).proxy = () => {
    events.push('proxy');
    return new Promise((resolve) => setImmediate(resolve, { connected: true, finalStatus: 200, responses: [] }));
  };
  const res = { finalResponseSent: false, send: () => undefined } as unknown as Srf.SrfResponse;
  return { req, res };
}

const turns = async (ms: number): Promise<void> => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  await new Promise((resolve) => setImmediate(resolve));
};

describe("an unknown caller's forward, answering first", () => {
  it('reads neither its source address nor the refusal mark’s headers before its proxy; its row has them', async () => {
    await start(false);
    const events: string[] = [];
    const { req, res } = invite(events);
    createRequestHandler('call', deps)(req, res);
    // The handler's synchronous run: the proxy, and nothing only the row or a refusal needs before it.
    expect(events[0]).toBe('proxy');
    // The work after the answer (a 1-ms timer), the PBX's 200.
    await turns(5);
    await stores.register.flush();
    expect(events.indexOf('source')).toBeGreaterThan(0);
    expect(events).not.toContain('mark'); // a forward is no refusal: no mark is read at all
    const [row] = await stores.register.attempts({ callerKey: CALLER });
    expect(row).toMatchObject({
      callerKey: CALLER,
      sourceAddress: '127.0.0.1',
      userAgent: 'before-forward-phone',
      action: 'allow',
      outcome: 'answered',
    });
  });

  it('durable first, the row is built before the proxy, its source address with it', async () => {
    await start(true);
    const events: string[] = [];
    const { req, res } = invite(events);
    createRequestHandler('call', deps)(req, res);
    await turns(5);
    expect(events.indexOf('source')).toBeLessThan(events.indexOf('proxy'));
    expect(events).not.toContain('mark');
    await stores.register.flush();
    const [row] = await stores.register.attempts({ callerKey: CALLER });
    expect(row).toMatchObject({ sourceAddress: '127.0.0.1', userAgent: 'before-forward-phone', outcome: 'answered' });
  });
});

describe('RefusalMark', () => {
  it('is marksRefusals of the request, read once, at its first use', () => {
    const events: string[] = [];
    const table = (route: string | null) => {
      const { req } = invite(events);
      if (route !== null)
        (req as unknown as { msg: { headers: Record<string, unknown> } }).msg.headers['route'] = route;
      return headerSource(req);
    };
    for (const route of [null, '<sip:127.0.0.1;lr;crocetta-front>', '<sip:127.0.0.1;lr>']) {
      for (const always of [false, true]) {
        const headers = table(route);
        events.length = 0;
        const mark = new RefusalMark(headers, always);
        expect(events).toEqual([]);
        const first = mark.marks();
        if (!always && route !== null) expect(events).not.toEqual([]); // read at the first ask
        const reads = events.length;
        expect(mark.marks()).toBe(first);
        expect(events.length).toBe(reads); // the second ask reads nothing
        expect(first).toBe(marksRefusals(headers, always));
      }
    }
  });
});
