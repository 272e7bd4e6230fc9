import { describe, expect, it, vi } from 'vitest';
import type Srf from 'drachtio-srf';
import { Writable } from 'node:stream';
import { createLogger } from '../log.js';
import { createMetrics } from '../metrics.js';
import { forwardToPbx, type ForwardDeps } from './forward-call.js';
import { ForwardedCalls } from './forwarded-calls.js';
import { ForwardReaper } from './forward-reaper.js';
import type { SrfRequest } from './srf-augment.js';

describe('forwardToPbx', () => {
  it("follows the call under the Call-ID it is given, without reading the request's headers again", async () => {
    const logger = createLogger('info', new Writable({ write: (_chunk, _enc, done) => done() }));
    const forwarded = new ForwardedCalls({ recordTalk: () => undefined }, logger);
    const reaper = new ForwardReaper(60_000);
    const deps: ForwardDeps = {
      forward: {
        pbxUri: 'sip:pbx.example:5080',
        mode: 'proxy',
        recordRoute: true,
        refusalCodes: [],
        finalTimeout: '60s',
      },
      clock: { now: () => 1_000 },
      logger,
      metrics: createMetrics(),
      forwarded,
      reaper,
    };
    // drachtio-srf's req.get: every header's name lower-cased, process.env read for each, to find one.
    const get = vi.fn(() => 'read-again@example');
    const req = {
      get,
      proxy: () => Promise.resolve({ connected: true, finalStatus: 200, responses: [] }),
    } as unknown as SrfRequest;
    const ended = vi.fn();
    await forwardToPbx(deps, {
      kind: 'call',
      req,
      res: {} as Srf.SrfResponse,
      callId: 'given@example',
      user: '+390612345678',
      headers: {},
      marked: false,
      log: () => logger,
      recorded: () => Promise.resolve(1),
      onEnd: ended,
    });
    reaper.stop();
    expect(ended).toHaveBeenCalledWith('answered', 200);
    // Answered under Record-Route: followed to its cdr:stop (the talk time), by the Call-ID its attempt was read with.
    expect(forwarded.follows('given@example')).toBe(true);
    expect(forwarded.follows('read-again@example')).toBe(false);
    expect(get).not.toHaveBeenCalled();
  });
});
