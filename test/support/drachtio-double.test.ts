/** Drives the real drachtio-srf client against the double: the protocol must be right for these to pass. */
import net from 'node:net';
import Srf from 'drachtio-srf';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DrachtioDouble, buildInvite, buildMessage, defaultSdp, dialogIdFor, tagOf } from './drachtio-double.js';

const SECRET = 'cymru';

/** Fields drachtio-srf 5.0.29 supports but its shipped typings omit. */
interface ProxyResult {
  finalStatus: number;
  connected: boolean;
  responses: Array<{ address: string; port: number; msgs: Array<{ status: number }> }>;
}
type ProxyingRequest = Srf.SrfRequest & {
  proxy(opts: {
    destination: string[];
    remainInDialog?: boolean;
    headers?: Record<string, string>;
  }): Promise<ProxyResult>;
};
interface UacRequest {
  on(event: 'response', listener: (res: { status: number }) => void): void;
}
interface Requester {
  request(uri: string, opts: { method: string }): Promise<UacRequest>;
}
interface RegisterRequester {
  request(uri: string, opts: { method: string; headers: Record<string, string> }): Promise<UacRequest>;
}
type ConnectConfig = Srf.SrfConfig & { reconnect?: { retryMaxDelay?: number; maxAttempts?: number } };

const apps: Srf[] = [];
const doubles: DrachtioDouble[] = [];

async function startDouble(port?: number): Promise<DrachtioDouble> {
  const double = await DrachtioDouble.start({ secret: SECRET, port });
  doubles.push(double);
  return double;
}

function connectApp(double: DrachtioDouble, setup: (srf: Srf) => void, config: Partial<ConnectConfig> = {}): Srf {
  const srf = new Srf();
  srf.on('error', () => undefined); // refused reconnects must not kill the test process
  setup(srf);
  const opts: ConnectConfig = {
    host: '127.0.0.1',
    port: double.port,
    secret: SECRET,
    reconnect: { retryMaxDelay: 100 },
    ...config,
  };
  void srf.connect(opts); // typed as a Promise, returns the app
  apps.push(srf);
  return srf;
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function within<T>(promise: Promise<T>, ms = 3000): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms)),
  ]);
}

afterEach(async () => {
  for (const srf of apps.splice(0)) {
    try {
      srf.disconnect();
    } catch {
      /* already disconnected */
    }
  }
  for (const double of doubles.splice(0)) await double.stop();
});

describe('drachtio double with the real drachtio-srf', () => {
  it('authenticates the app and records its routes', async () => {
    const double = await startDouble();
    const connected = deferred<string>();
    const srf = connectApp(double, (app) => {
      app.invite((_req, res) => res.send(480));
      app.use('message', (_req, res) => res.send(200));
    });
    srf.on('connect', (_err, hostport) => connected.resolve(hostport));
    const conn = await double.waitForRoutes(['invite', 'message']);
    expect(conn.authenticated).toBe(true);
    expect(double.authAttempts).toEqual([{ secret: SECRET, ok: true }]);
    expect(await within(connected.promise)).toBe('udp/127.0.0.1:5060,tcp/127.0.0.1:5060');
  });

  it('refuses a wrong secret with NO and drops the connection', async () => {
    const double = await startDouble();
    const result = deferred<Error | null>();
    const srf = connectApp(double, () => undefined, { secret: 'wrong', reconnect: { maxAttempts: 1 } });
    srf.on('connect', (err) => result.resolve(err));
    expect(await within(result.promise)).toBeInstanceOf(Error);
    expect(double.authAttempts).toEqual([{ secret: 'wrong', ok: false }]);
    await double.waitForNoConnections();
  });

  it('drops a client whose length prefix the real server would refuse', async () => {
    const double = await startDouble();
    const socket = net.connect(double.port, '127.0.0.1');
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.write('100000#x');
    await within(closed);
  });

  it('delivers an INVITE and returns the app’s 486, parsed', async () => {
    const double = await startDouble();
    let seen: { method: string; callingNumber: string; source: string } | undefined;
    connectApp(double, (app) =>
      app.invite((req, res) => {
        seen = { method: req.method, callingNumber: req.callingNumber, source: req.source_address };
        res.send(486);
      }),
    );
    await double.waitForRoutes(['invite']);
    const invite = double.injectRequest(
      buildInvite({ from: '+393331234567', to: '+390612345678', pai: 'sip:+393331234567@carrier.example' }),
    );
    const final = await invite.waitForFinal();
    expect(final).toMatchObject({ status: 486, reason: 'Busy Here', origin: 'app', byServer: false });
    expect(final.headers['call-id']).toEqual(invite.request.headers['call-id']);
    expect(tagOf(final.headers.to?.[0])).toBeTruthy();
    expect(final.headers.via).toEqual(invite.request.headers.via);
    expect(seen).toEqual({ method: 'INVITE', callingNumber: '+393331234567', source: '203.0.113.10' });
  });

  it('proxies with remainInDialog and resolves req.proxy() with the far end’s final status', async () => {
    const double = await startDouble();
    const result = deferred<ProxyResult>();
    connectApp(double, (app) =>
      app.invite((req) => {
        void (req as ProxyingRequest)
          .proxy({ destination: ['sip:127.0.0.1:5080'], remainInDialog: true, headers: { 'X-Screening': 'clean' } })
          .then(result.resolve);
      }),
    );
    await double.waitForRoutes(['invite']);
    double.onProxy(() => [
      { status: 100 },
      { status: 180, delayMs: 10 },
      { status: 200, body: defaultSdp('10.0.0.5') },
    ]);
    const invite = double.injectRequest(buildInvite({ from: '+393331234567', to: '+390612345678' }));
    const proxy = await invite.waitForProxy();
    expect(proxy).toMatchObject({
      destinations: ['sip:127.0.0.1:5080'],
      remainInDialog: true,
      fullResponse: true,
      followRedirects: false,
      forking: 'serial',
    });
    expect(proxy.headers['x-screening']).toEqual(['clean']);
    const forwarded = proxy.targets[0]?.request;
    expect(forwarded?.uri).toBe('sip:127.0.0.1:5080');
    expect(forwarded?.headers['record-route']).toEqual(['<sip:127.0.0.1:5060;lr>']);
    expect(forwarded?.headers['x-screening']).toEqual(['clean']);
    expect(invite.responses.map((r) => r.status)).toEqual([180, 200]);
    const outcome = await within(result.promise);
    expect(outcome.finalStatus).toBe(200);
    expect(outcome.connected).toBe(true);
    expect(proxy.reportedToApp.map((r) => r.status)).toEqual([200]);
  });

  it('carries any status through a proxy, 607 included, trying targets in order', async () => {
    const double = await startDouble();
    const result = deferred<ProxyResult>();
    connectApp(double, (app) =>
      app.invite((req) => {
        void (req as ProxyingRequest)
          .proxy({ destination: ['sip:a@127.0.0.1:5080', 'sip:b@127.0.0.1:5081'] })
          .then(result.resolve);
      }),
    );
    await double.waitForRoutes(['invite']);
    double.onProxy((_proxy, target) => (target.uri.includes('5080') ? [{ status: 486 }] : [{ status: 607 }]));
    const invite = double.injectRequest(buildInvite({ from: '+393331234567', to: '+390612345678' }));
    const final = await invite.waitForFinal();
    expect(final).toMatchObject({ status: 607, reason: 'Unwanted', origin: 'far-end' });
    const outcome = await within(result.promise);
    expect(outcome.finalStatus).toBe(607);
    expect(outcome.connected).toBe(false);
    expect(invite.proxy?.remainInDialog).toBe(false);
  });

  it('ends a proxy whose far end never answers with its own 408 after Timer B: `done` and no `continue` to the app', async () => {
    const double = await DrachtioDouble.start({ secret: SECRET, timers: { B: 100 } });
    doubles.push(double);
    const result = deferred<ProxyResult>();
    connectApp(double, (app) =>
      app.invite((req) => {
        void (req as ProxyingRequest).proxy({ destination: ['sip:127.0.0.1:5080'] }).then(result.resolve);
      }),
    );
    await double.waitForRoutes(['invite']);
    double.onProxy(() => []);
    const invite = double.injectRequest(buildInvite({ from: '+393331234567', to: '+390612345678' }));
    expect(await invite.waitForFinal()).toMatchObject({ status: 408, byServer: true });
    const outcome = await within(result.promise);
    expect(outcome.finalStatus).toBeUndefined();
    expect(outcome.responses).toEqual([]);
  });

  it('absorbs retransmissions while the app or the proxy holds the request, and hands over a late one as new', async () => {
    const double = await DrachtioDouble.start({ secret: SECRET, timers: { D: 60 } });
    doubles.push(double);
    const hold = deferred();
    const received: string[] = [];
    connectApp(double, (app) =>
      app.invite((req, res) => {
        received.push(req.get('Call-ID'));
        if (req.get('Call-ID') === 'held') void hold.promise.then(() => res.send(486));
        else void (req as ProxyingRequest).proxy({ destination: ['sip:127.0.0.1:5080'] });
      }),
    );
    await double.waitForRoutes(['invite']);
    const held = double.injectRequest(buildInvite({ from: '+393331234567', to: '+390612345678', callId: 'held' }));
    await new Promise((r) => setTimeout(r, 50));
    expect(double.retransmit(held), 'pending with the app: absorbed').toBeNull();
    hold.resolve();
    await held.waitForFinal();
    expect(double.retransmit(held), 'answered by the app: absorbed, the 486 sent again').toBeNull();
    expect(held.responses.map((r) => [r.status, r.origin])).toEqual([
      [486, 'app'],
      [486, 'server'],
    ]);

    double.onProxy(() => [{ status: 180 }, { status: 200, delayMs: 100 }]);
    const proxied = double.injectRequest(
      buildInvite({ from: '+393331234567', to: '+390612345678', callId: 'proxied' }),
    );
    await proxied.waitForResponse(180);
    expect(double.retransmit(proxied), 'while the proxy runs: absorbed').toBeNull();
    await proxied.waitForProxy();
    const late = double.retransmit(proxied);
    expect(late?.request.headers.via, 'after the 2xx: a new request, byte for byte').toEqual(
      proxied.request.headers.via,
    );
    expect(late?.transactionId).not.toBe(proxied.transactionId);
    await new Promise((r) => setTimeout(r, 50));
    expect(received).toEqual(['held', 'proxied', 'proxied']);

    double.onProxy(() => [{ status: 603 }]);
    const refused = double.injectRequest(
      buildInvite({ from: '+393331234567', to: '+390612345678', callId: 'refused' }),
    );
    await refused.waitForProxy();
    expect(double.retransmit(refused), 'within Timer D after a non-2xx: absorbed').toBeNull();
    await new Promise((r) => setTimeout(r, 80));
    expect(double.retransmit(refused), 'after Timer D: new').not.toBeNull();
  });

  it('answers via createUAS with a Dialog that ACK, BYE and destroy() work in', async () => {
    const double = await startDouble();
    const dialogReady = deferred<Srf.Dialog>();
    const srf = connectApp(double, (app) =>
      app.invite((req, res) => {
        void app.createUAS(req, res, { localSdp: defaultSdp('127.0.0.1', 20000) }).then(dialogReady.resolve);
      }),
    );
    await double.waitForRoutes(['invite']);
    const invite = double.injectRequest(buildInvite({ from: '+393331234567', to: '+390612345678' }));
    const final = await invite.waitForFinal();
    expect(final.status).toBe(200);
    expect(final.headers.contact).toEqual(['<sip:127.0.0.1:5060>']);
    expect(final.body).toContain('m=audio 20000');
    const dialog = await within(dialogReady.promise);
    expect((dialog as unknown as { id: string }).id).toBe(dialogIdFor(invite.request));
    expect(srf).toBeDefined();

    const acked = deferred();
    dialog.on('ack', () => acked.resolve());
    invite.ack();
    await within(acked.promise);

    dialog.destroy();
    const bye = await double.waitForAppRequest('BYE');
    expect(bye.dialogId).toBe(dialogIdFor(invite.request));
    expect(bye.request.uri).toBe(invite.request.headers.contact?.[0]?.replace(/[<>]/g, ''));
    expect(bye.request.headers.to).toEqual(invite.request.headers.from);
    await vi.waitFor(() => expect(double.dialogIds()).toEqual([]), { timeout: 2000 });
  });

  it('lets the caller hang up an answered call: the Dialog emits destroy and the BYE gets 200', async () => {
    const double = await startDouble();
    const destroyed = deferred();
    connectApp(double, (app) =>
      app.invite((req, res) => {
        void app
          .createUAS(req, res, { localSdp: defaultSdp('127.0.0.1') })
          .then((d) => d.on('destroy', () => destroyed.resolve()));
      }),
    );
    await double.waitForRoutes(['invite']);
    const invite = double.injectRequest(buildInvite({ from: '+393331234567', to: '+390612345678' }));
    await invite.waitForFinal();
    invite.ack();
    const bye = invite.bye();
    expect((await bye.waitForFinal()).status).toBe(200);
    await within(destroyed.promise);
  });

  it('emulates a caller CANCEL: 487 by the server, cancel event in the app, NOK for the late response', async () => {
    const double = await startDouble();
    const cancelled = deferred();
    const release = deferred();
    const lateResult = deferred<unknown>();
    connectApp(double, (app) =>
      app.invite((req, res) => {
        req.on('cancel', () => cancelled.resolve());
        res.send(180);
        void release.promise.then(() => res.send(486, 'Busy Here', {}, (err: unknown) => lateResult.resolve(err)));
      }),
    );
    await double.waitForRoutes(['invite']);
    const invite = double.injectRequest(buildInvite({ from: '+393331234567', to: '+390612345678' }));
    await invite.waitForResponse(180);
    const terminated = invite.cancel();
    expect(terminated).toMatchObject({ status: 487, reason: 'Request Terminated', byServer: true, origin: 'server' });
    await within(cancelled.promise);
    release.resolve();
    expect(await within(lateResult.promise)).toBe('Response not sent due to unknown transaction');
    expect(invite.responses.map((r) => r.status)).toEqual([180, 487]);
  });

  it('is reconnected to, routes and all, after a restart on the same port', async () => {
    const first = await startDouble();
    connectApp(first, (app) => app.invite((_req, res) => res.send(486)));
    await first.waitForRoutes(['invite']);
    const port = first.port;
    await first.stop();
    const second = await startDouble(port);
    await second.waitForRoutes(['invite'], 5000);
    const invite = second.injectRequest(buildInvite({ from: '+393331234567', to: '+390612345678' }));
    expect((await invite.waitForFinal()).status).toBe(486);
  });

  it('routes a MESSAGE and returns the app’s answer', async () => {
    const double = await startDouble();
    let body = '';
    connectApp(double, (app) =>
      app.use('message', (req, res) => {
        body = req.body;
        res.send(202);
      }),
    );
    await double.waitForRoutes(['message']);
    const message = double.injectRequest(buildMessage({ from: '+393331234567', to: '+390612345678', body: 'ciao è' }), {
      transport: 'tcp',
    });
    expect((await message.waitForFinal()).status).toBe(202);
    expect(body).toBe('ciao è');
  });

  it('records requests the app originates and answers them with scripted responses', async () => {
    const double = await startDouble();
    const srf = connectApp(double, (app) => app.invite((_req, res) => res.send(480)));
    await double.waitForRoutes(['invite']);
    double.onAppRequest(() => [{ status: 404 }]);
    const sent = await (srf as unknown as Requester).request('sip:pbx@198.51.100.20:5060', { method: 'OPTIONS' });
    const status = deferred<number>();
    sent.on('response', (res) => status.resolve(res.status));
    expect(await within(status.promise)).toBe(404);
    const recorded = await double.waitForAppRequest('OPTIONS');
    expect(recorded.request.uri).toBe('sip:pbx@198.51.100.20:5060');
    expect(recorded.request.headers.via?.[0]).toMatch(/branch=z9hG4bK/);
  });

  it('reports its SIP addresses on connect, and answers an unanswered REGISTER with the stack’s 408 after timer F', async () => {
    const double = await DrachtioDouble.start({
      secret: SECRET,
      hostports: 'udp/192.0.2.10:5080,tcp/192.0.2.10:5081',
      timerFMs: 200,
    });
    doubles.push(double);
    const hostports = deferred<string>();
    const srf = connectApp(double, (app) => app.invite((_req, res) => res.send(480)));
    srf.on('connect', (_err, hp) => hostports.resolve(hp));
    expect(await within(hostports.promise)).toBe('udp/192.0.2.10:5080,tcp/192.0.2.10:5081');
    double.onAppRequest(() => []);
    const sent = await (srf as unknown as RegisterRequester).request('sip:127.0.0.1:5090', {
      method: 'REGISTER',
      headers: {
        From: '<sip:u@carrier.example>;tag=abc',
        To: '<sip:u@carrier.example>',
        'Call-ID': 'reg-1@crocetta',
        CSeq: '7 REGISTER',
        Contact: '<sip:u@192.0.2.10:5080>',
        Expires: '600',
      },
    });
    const status = deferred<{ status: number; from: unknown }>();
    sent.on('response', (res) =>
      status.resolve({ status: res.status, from: (res as unknown as { source_address: unknown }).source_address }),
    );
    // The stack's own answer: no source address, as drachtio-server 0.9.10 passes it up.
    expect(await within(status.promise)).toEqual({ status: 408, from: '' });
    const recorded = await double.waitForAppRequest('REGISTER');
    // The app's own Call-ID, CSeq, tags and Contact go out as given (drachtio-server adds no Contact to a REGISTER).
    expect(recorded.request.headers['call-id']).toEqual(['reg-1@crocetta']);
    expect(recorded.request.headers.cseq).toEqual(['7 REGISTER']);
    expect(recorded.request.headers.contact).toEqual(['<sip:u@192.0.2.10:5080>']);
  });

  it('lets the far end of an app INVITE hang up and re-INVITE in its dialog', async () => {
    const double = await startDouble();
    const srf = connectApp(double, (app) => app.invite((_req, res) => res.send(480)));
    await double.waitForRoutes(['invite']);
    const uac = await within(
      srf.createUAC('sip:1234@198.51.100.20:5060', { localSdp: defaultSdp('127.0.0.1', 30000) }),
    );
    const invite = await double.waitForAppRequest('INVITE');
    const modified = deferred<string>();
    uac.on('modify', (req: Srf.SrfRequest, res: Srf.SrfResponse) => {
      modified.resolve(req.body);
      res.send(200, { body: defaultSdp('127.0.0.1', 30002) });
    });
    const reinvite = double.farEndRequest(invite, 'INVITE', defaultSdp('198.51.100.20', 40002));
    expect(await within(modified.promise)).toContain('m=audio 40002');
    expect((await reinvite.waitForFinal()).status).toBe(200);
    const destroyed = deferred();
    uac.on('destroy', () => destroyed.resolve());
    const bye = double.farEndRequest(invite, 'BYE');
    await within(destroyed.promise);
    expect((await bye.waitForFinal()).status).toBe(200);
  });
});
