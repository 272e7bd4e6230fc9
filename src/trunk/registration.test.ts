import { describe, expect, it } from 'vitest';
import { FakeTime } from '../../test/support/fake-time.js';
import { parseChallenges } from './digest.js';
import { noAnswer, type RegistrarResponse } from './registrar-response.js';
import { Registration, type RegisterRequest, type RegistrationEvent, type TrunkStatus } from './registration.js';
import { trunkSettings, type TrunkSettings } from './settings.js';
import { trunkInput } from './test-fixtures.js';

const CONTACT = 'sip:0612345678@198.51.100.7:5080';
const CHALLENGE = 'Digest realm="carrier", nonce="n1", qop="auth", algorithm=MD5';

function settings(over: Partial<TrunkSettings> = {}): TrunkSettings {
  const s = trunkSettings(trunkInput({ password: 'secret', domain: 'carrier.example', keepaliveSeconds: 0 }));
  if (s === null) throw new Error('settings');
  return { ...s, ...over };
}

function response(status: number, over: Partial<RegistrarResponse> = {}): RegistrarResponse {
  return {
    ...noAnswer(''),
    status,
    reason:
      {
        200: 'OK',
        401: 'Unauthorized',
        403: 'Forbidden',
        407: 'Proxy Authentication Required',
        423: 'Interval Too Brief',
        503: 'Service Unavailable',
      }[status] ?? 'X',
    ...over,
  };
}

type Registrar = (req: RegisterRequest) => RegistrarResponse | Promise<RegistrarResponse>;

/** A digest registrar: challenges every REGISTER without credentials, accepts any answer, grants `grant` s. */
function challenging(
  grant: (req: RegisterRequest) => RegistrarResponse = () => response(200, { contact: [`<${CONTACT}>;expires=600`] }),
): Registrar {
  return (req) => (req.authorization === null ? response(401, { wwwAuthenticate: [CHALLENGE] }) : grant(req));
}

interface Rig {
  time: FakeTime;
  reg: Registration;
  sent: Array<RegisterRequest & { at: number }>;
  options: number[];
  events: RegistrationEvent[];
  statuses: TrunkStatus[];
  registrar: { handle: Registrar; options: () => number | Promise<number> };
}

function rig(
  handle: Registrar,
  opts: { settings?: Partial<TrunkSettings>; options?: () => number | Promise<number> } = {},
): Rig {
  const time = new FakeTime();
  const sent: Rig['sent'] = [];
  const options: number[] = [];
  const events: RegistrationEvent[] = [];
  const registrar = { handle, options: opts.options ?? (() => 200) };
  let seed = 1;
  const reg = new Registration(settings(opts.settings), {
    now: time.now,
    timers: time,
    random: () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    },
    sendRegister: (req) => {
      sent.push({ ...req, at: time.now() });
      return Promise.resolve(registrar.handle(req));
    },
    sendOptions: () => {
      options.push(time.now());
      return Promise.resolve(registrar.options());
    },
    observe: (e) => events.push(e),
  });
  return {
    time,
    reg,
    sent,
    options,
    events,
    registrar,
    get statuses() {
      return events.flatMap((e) => (e.type === 'status' ? [e.status] : []));
    },
  };
}

function never(): Promise<never> {
  return new Promise<never>(() => undefined);
}

async function started(r: Rig): Promise<void> {
  r.reg.setContact(CONTACT);
  r.reg.start();
  await r.time.advance(0);
}

describe('registration to the carrier', () => {
  it('answers the 401 with digest credentials, same Call-ID and CSeq+1, and is registered', async () => {
    const r = rig(challenging());
    await started(r);
    expect(r.sent).toHaveLength(2);
    const [first, second] = r.sent;
    expect(first?.authorization).toBeNull();
    expect(second?.callId).toBe(first?.callId);
    expect(second?.cseq).toBe((first?.cseq ?? 0) + 1);
    expect(second?.authorization?.header).toBe('Authorization');
    const p = parseChallenges(second?.authorization?.value ?? '')[0]?.params;
    expect(p?.get('username')).toBe('0612345678');
    expect(p?.get('uri')).toBe('sip:127.0.0.1:5090');
    expect(p?.get('qop')).toBe('auth');
    expect(r.reg.status).toMatchObject({ state: 'registered', grantedSeconds: 600, contact: CONTACT });
  });

  it('uses the auth user name when the carrier gives one, and Proxy-Authorization for a 407', async () => {
    const r = rig(
      (req) => (req.authorization === null ? response(407, { proxyAuthenticate: [CHALLENGE] }) : response(200)),
      {
        settings: { credentials: { username: 'auth-user', password: 'secret' } },
      },
    );
    await started(r);
    expect(r.sent[1]?.authorization?.header).toBe('Proxy-Authorization');
    expect(parseChallenges(r.sent[1]?.authorization?.value ?? '')[0]?.params.get('username')).toBe('auth-user');
    expect(r.reg.status.state).toBe('registered');
  });

  it('takes the expiry of OUR contact among every binding listed, and a 40 s grant never lapses', async () => {
    const bindings = [
      `<sip:0612345678@10.0.0.9:5060>;expires=3600`,
      `<${CONTACT};transport=udp>;expires=40;q=0.5`,
      '<sip:other@203.0.113.1>;expires=120',
    ];
    const r = rig(challenging(() => response(200, { contact: [bindings.join(', ')], expires: '3600' })));
    await started(r);
    expect(r.reg.status.grantedSeconds).toBe(40);
    const registeredAt = r.time.now();
    await r.time.advance(19_999);
    expect(r.sent).toHaveLength(2);
    await r.time.advance(1);
    expect(r.sent).toHaveLength(4); // the refresh, challenged again
    expect(r.sent[2]?.callId).toBe(r.sent[0]?.callId);
    expect(r.sent[2]?.cseq).toBe(3);
    expect(r.sent[2]?.at).toBe(registeredAt + 20_000);
    // Ten minutes of 40 s grants: registered the whole time, one status change in all.
    for (let i = 0; i < 60; i++) {
      await r.time.advance(10_000);
      expect(r.reg.status.state).toBe('registered');
    }
    expect(r.statuses.filter((s) => s.state === 'registered')).toHaveLength(1);
  });

  it('falls back to the Expires header, then to what it asked, when no contact of ours carries expires', async () => {
    const r = rig(challenging(() => response(200, { contact: ['<sip:someone@else>;expires=99'], expires: '300' })));
    await started(r);
    expect(r.reg.status.grantedSeconds).toBe(300);
    const g = rig(challenging(() => response(200, { contact: [`<${CONTACT}>;expires=soon`], expires: 'garbage' })));
    await started(g);
    expect(g.reg.status.grantedSeconds).toBe(600);
  });

  it('retries a 423 with Min-Expires, and asks for that from then on', async () => {
    const r = rig(
      challenging((req) =>
        req.expires < 1800
          ? response(423, { minExpires: '1800' })
          : response(200, { contact: [`<${CONTACT}>;expires=1800`] }),
      ),
    );
    await started(r);
    expect(r.sent.map((s) => [s.expires, s.authorization === null])).toEqual([
      [600, true],
      [600, false],
      [1800, true],
      [1800, false],
    ]);
    expect(r.reg.status).toMatchObject({ state: 'registered', grantedSeconds: 1800 });
    await r.time.advance(900_000);
    expect(r.sent[4]?.expires).toBe(1800);
  });

  it('does not follow a 423 that asks for weeks, or for less than it asked, or for nothing', async () => {
    for (const minExpires of ['99999999999', '300', 'soon', null]) {
      const r = rig(challenging(() => response(423, { minExpires })));
      await started(r);
      expect(r.reg.status).toMatchObject({ state: 'not-registered', problem: 'refused' });
      expect(r.sent).toHaveLength(2);
    }
  });

  it('takes a second 401 after credentials as a wrong password: says so once, backs off, never loops', async () => {
    const r = rig(() => response(401, { wwwAuthenticate: [CHALLENGE] }));
    await started(r);
    expect(r.sent).toHaveLength(2);
    expect(r.reg.status).toMatchObject({ state: 'not-registered', problem: 'auth' });
    expect(r.reg.status.reason).toContain('TRUNK_PASSWORD');
    await r.time.advance(3_600_000);
    const attempts = r.sent.filter((s) => s.authorization === null);
    // 5 s, 10 s, 20 s … capped at 5 min (±25%): about 17 attempts in an hour, never a flood.
    expect(attempts.length).toBeGreaterThan(10);
    expect(attempts.length).toBeLessThan(25);
    for (let i = 1; i < attempts.length; i++)
      expect((attempts[i]?.at ?? 0) - (attempts[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(2000);
    expect(r.statuses.filter((s) => s.problem === 'auth')).toHaveLength(1);
    expect(r.events.filter((e) => e.type === 'failure').length).toBe(attempts.length);
  });

  it('answers stale=true again instead of calling the password wrong', async () => {
    let round = 0;
    const r = rig((req) => {
      if (req.authorization === null) return response(401, { wwwAuthenticate: [CHALLENGE] });
      round++;
      return round === 1
        ? response(401, { wwwAuthenticate: ['Digest realm="carrier", nonce="n2", stale=true, qop="auth"'] })
        : response(200);
    });
    await started(r);
    expect(r.sent).toHaveLength(3);
    expect(r.sent[2]?.authorization?.value).toContain('nonce="n2"');
    expect(r.reg.status.state).toBe('registered');
  });

  it('backs off with growing, jittered waits capped at the maximum when the registrar does not answer', async () => {
    const r = rig(() => never(), { settings: { retry: { minMs: 5000, maxMs: 60_000 } } });
    await started(r);
    await r.time.advance(3_600_000);
    const gaps = r.sent.slice(1).map((s, i) => s.at - (r.sent[i]?.at ?? 0) - 35_000); // minus the 35 s wait for an answer
    expect(gaps[0]).toBeGreaterThanOrEqual(3750);
    expect(gaps[0]).toBeLessThanOrEqual(6250);
    expect(gaps[2]).toBeGreaterThan(gaps[0] ?? 0);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(75_000);
    expect(gaps.slice(-5).every((g) => g >= 45_000)).toBe(true);
    expect(new Set(gaps.slice(-5)).size).toBeGreaterThan(1); // jitter
    expect(r.reg.status).toMatchObject({ state: 'not-registered', problem: 'unreachable' });
    expect(r.reg.status.reason).toBe('no answer within 35 s');
  });

  it('honours Retry-After on a 503, within the maximum', async () => {
    const r = rig(challenging(() => response(503, { retryAfter: '120' })));
    await started(r);
    await r.time.advance(119_000);
    expect(r.sent).toHaveLength(2);
    await r.time.advance(40_000);
    expect(r.sent.length).toBeGreaterThan(2);
  });

  it('survives hostile answers: a 401 without challenge, a 200 granting nothing, a registrar that throws', async () => {
    const bare = rig(() => response(401));
    await started(bare);
    expect(bare.reg.status).toMatchObject({ state: 'not-registered', problem: 'refused' });
    const zero = rig(challenging(() => response(200, { contact: [`<${CONTACT}>;expires=0`] })));
    await started(zero);
    expect(zero.reg.status.state).toBe('not-registered');
    expect(zero.reg.status.reason).toContain('expires=0');
    const broken = rig(() => {
      throw new Error('socket gone');
    });
    await started(broken);
    expect(broken.reg.status).toMatchObject({ state: 'not-registered', problem: 'unreachable', reason: 'socket gone' });
  });

  it('stays registered while a failed refresh can still be retried, and says so when the grant lapses', async () => {
    let up = true;
    const r = rig(challenging(() => (up ? response(200, { contact: [`<${CONTACT}>;expires=120`] }) : response(503))));
    await started(r);
    up = false;
    await r.time.advance(60_000); // the refresh fails
    expect(r.reg.status.state).toBe('registered');
    await r.time.advance(59_000);
    expect(r.reg.status.state).toBe('registered');
    await r.time.advance(1_000);
    expect(r.reg.status).toMatchObject({ state: 'not-registered', reason: '503 Service Unavailable' });
    up = true;
    await r.time.advance(300_000);
    expect(r.reg.status.state).toBe('registered');
  });

  it('notices with OPTIONS a carrier that went away, and registers as soon as it answers again', async () => {
    let carrierUp = true;
    const r = rig(challenging(), { settings: { keepaliveMs: 30_000 }, options: () => (carrierUp ? 200 : never()) });
    await started(r);
    await r.time.advance(30_000);
    expect(r.options).toHaveLength(1);
    carrierUp = false;
    r.registrar.handle = () => never();
    await r.time.advance(40_000); // OPTIONS at 60 s, unanswered for 8 s
    expect(r.reg.status).toMatchObject({ state: 'not-registered', problem: 'unreachable' });
    expect(r.reg.status.reason).toBe('the registrar stopped answering OPTIONS');
    await r.time.advance(300_000); // REGISTERs time out meanwhile, backing off; OPTIONS every 10 s
    const probes = r.options.filter((t) => t > r.time.now() - 100_000);
    expect(probes.length).toBeGreaterThanOrEqual(8);
    carrierUp = true;
    r.registrar.handle = challenging();
    const backAt = r.time.now();
    // The backoff has reached minutes by now; the first answered OPTIONS (within 10 s) brings the REGISTER as soon
    // as the one in flight while the carrier was down has timed out (over UDP sofia's retransmissions of that one
    // would be answered by a carrier that is back).
    await r.time.advance(45_000);
    const registered = r.events.find(
      (e) => e.type === 'status' && e.status.state === 'registered' && e.status.since > backAt,
    );
    expect(registered).toBeDefined();
    const failures = r.events.filter((e) => e.type === 'failure');
    expect((failures.at(-1) as { retryInMs: number }).retryInMs).toBeGreaterThan(45_000);
  });

  it('keeps its registration with a carrier that never answers OPTIONS at all', async () => {
    const r = rig(challenging(), { settings: { keepaliveMs: 30_000 }, options: () => never() });
    await started(r);
    await r.time.advance(600_000);
    expect(r.options.length).toBeGreaterThan(10);
    expect(r.reg.status.state).toBe('registered');
  });

  it('re-registers at once when drachtio-server comes back, and lets the binding lapse while it is gone', async () => {
    const r = rig(challenging(() => response(200, { contact: [`<${CONTACT}>;expires=60`] })));
    await started(r);
    r.reg.setContact(null);
    await r.time.advance(59_000);
    expect(r.reg.status.state).toBe('registered');
    await r.time.advance(1000);
    expect(r.reg.status).toMatchObject({ state: 'not-registered', reason: 'drachtio-server not connected' });
    const before = r.sent.length;
    r.reg.setContact('sip:0612345678@198.51.100.8:5080');
    await r.time.advance(0);
    expect(r.sent[before]?.contact).toBe('sip:0612345678@198.51.100.8:5080');
    expect(r.reg.status.state).toBe('registered');
  });

  it('un-registers on stop with Expires 0, answering the challenge, and stops every timer', async () => {
    const r = rig(challenging(), { settings: { keepaliveMs: 30_000 } });
    await started(r);
    await r.time.advance(5000);
    const stopping = r.reg.stop();
    await r.time.advance(0);
    await stopping;
    const last = r.sent.slice(-2);
    expect(last.map((s) => s.expires)).toEqual([0, 0]);
    expect(last[1]?.authorization).not.toBeNull();
    expect(last[1]?.callId).toBe(r.sent[0]?.callId);
    expect(last[1]?.cseq).toBe(4);
    expect(r.events).toContainEqual({ type: 'unregistered', confirmed: true, reason: '200 OK' });
    expect(r.reg.status).toMatchObject({ state: 'stopped', reason: 'stopped: un-registered' });
    expect(r.time.count).toBe(0);
  });

  it('keeps the 2 s gap before the un-REGISTER, and gives up on it within its budget', async () => {
    const r = rig(challenging());
    await started(r);
    r.registrar.handle = () => never();
    const stopping = r.reg.stop();
    await r.time.advance(3000);
    await stopping;
    expect(r.sent[2]?.at).toBe((r.sent[1]?.at ?? 0) + 2000);
    expect(r.reg.status.reason).toContain('un-register not confirmed');
    expect(r.time.count).toBe(0);
  });

  it('sends nothing on stop when it never registered', async () => {
    const r = rig(() => response(403));
    await started(r);
    await r.reg.stop();
    expect(r.sent).toHaveLength(1);
    expect(r.reg.status.state).toBe('stopped');
  });
});
