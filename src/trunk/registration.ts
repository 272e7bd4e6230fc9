/**
 * The registration to the carrier, as a small state machine with its timers. No SIP library, no IO: REGISTER and
 * OPTIONS go out through ports (src/sip/trunk-adapter.ts sends them with drachtio-srf), time comes from a clock and
 * timers that tests replace with fakes.
 *
 *            start / contact known
 *   idle ──────────────────────────▶ registering ──2xx──▶ bound ──half the grant──▶ registering (refresh)
 *    ▲                                │   ▲  401/407: answer once (again on stale=true)      │
 *    │ drachtio gone                  │   └─ 423: again with Min-Expires                     │ OPTIONS unanswered
 *    │                         failure│                                                      ▼ (it used to answer)
 *    └──────────────────────────── waiting (backoff, jitter, never gives up) ◀──────────────┘
 *                                      └── OPTIONS (every 10 s while nobody answers) answered: register now
 *   stop(): un-REGISTER (Expires: 0) when bound, within a time budget → stopped
 *
 * Seen from outside there are two states, registered or not (plus stopped), each with a reason; `observe` hears of
 * every change once, and of each failure. A refresh that fails leaves us registered until the grant lapses.
 * Rate: an attempt starts at least 2 s after the previous REGISTER; inside one attempt the answer to a challenge
 * and the retry after a 423 go at once (RFC 3261 §22.2, §10.2.8), and an attempt sends at most 6 REGISTERs.
 */
import { backoffMs, MIN_REGISTER_GAP_MS } from './backoff.js';
import { digestAnswer, pickChallenge } from './digest.js';
import {
  deltaSeconds,
  grantedExpiry,
  minExpiresFrom,
  noAnswer,
  refreshDelayMs,
  type RegistrarResponse,
} from './registrar-response.js';
import type { TrunkSettings } from './settings.js';

export type TrunkState = 'registered' | 'not-registered' | 'stopped';
/** What kind of trouble: wrong credentials, the registrar said no, nobody answered, our own setup. */
export type TrunkProblem = 'auth' | 'refused' | 'unreachable' | 'config';

export interface TrunkStatus {
  state: TrunkState;
  /** When the current state began (clock ms). */
  since: number;
  reason: string;
  problem: TrunkProblem | null;
  /** Seconds the registrar granted in its last 2xx, while registered. */
  grantedSeconds: number | null;
  /** Failures in a row since the last success. */
  failures: number;
  contact: string | null;
}

export interface RegisterRequest {
  callId: string;
  fromTag: string;
  cseq: number;
  /** 0 = un-register. */
  expires: number;
  contact: string;
  authorization: { header: 'Authorization' | 'Proxy-Authorization'; value: string } | null;
}

export type RegistrationEvent =
  | { type: 'status'; status: TrunkStatus; previous: TrunkStatus }
  | {
      type: 'registered';
      grantedSeconds: number;
      from: 'contact' | 'expires' | 'requested';
      refreshInMs: number;
      cseq: number;
    }
  | { type: 'failure'; problem: TrunkProblem; reason: string; retryInMs: number; stillBoundMs: number }
  | { type: 'unregistered'; confirmed: boolean; reason: string };

export interface TimerPort {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface RegistrationPorts {
  now: () => number;
  timers: TimerPort;
  /** In [0, 1): the backoff's jitter. */
  random: () => number;
  /** Sends a REGISTER and resolves with the final answer; never rejects (no answer → status 0). */
  sendRegister(req: RegisterRequest): Promise<RegistrarResponse>;
  /** Sends an OPTIONS to the registrar; resolves with the final status, 0 when nobody answered. */
  sendOptions(): Promise<number>;
  observe(event: RegistrationEvent): void;
}

export interface RegistrationTiming {
  /** Give up waiting for a REGISTER's answer after this long (sofia's own timer F is 32 s). */
  registerTimeoutMs: number;
  optionsTimeoutMs: number;
  /** Budget of stop() for the un-REGISTER. */
  unregisterBudgetMs: number;
}

export const DEFAULT_TIMING: RegistrationTiming = {
  registerTimeoutMs: 35_000,
  optionsTimeoutMs: 8000,
  unregisterBudgetMs: 3000,
};

type Phase = 'idle' | 'registering' | 'bound' | 'waiting' | 'stopping' | 'stopped';

const MAX_REGISTERS_PER_ATTEMPT = 6;
const MAX_CHALLENGES_PER_ATTEMPT = 3;
const MAX_423_PER_ATTEMPT = 2;
/** OPTIONS interval while the registrar does not answer. */
const DOWN_PROBE_MS = 10_000;

function token(random: () => number, length: number): string {
  let out = '';
  while (out.length < length)
    out += Math.floor(random() * 36 ** 6)
      .toString(36)
      .padStart(6, '0');
  return out.slice(0, length);
}

export class Registration {
  private phase: Phase = 'idle';
  private started = false;
  private contact: string | null = null;
  private contactNote = 'waiting for drachtio-server';
  private readonly callId: string;
  private readonly fromTag: string;
  private cseq = 0;
  /** Expires we ask for; raised for good by a 423. */
  private asked: number;
  private boundUntil = 0;
  private failures = 0;
  private lastProblem: TrunkProblem | null = null;
  private lastFailure = '';
  private lastRegisterAt = Number.NEGATIVE_INFINITY;
  /** Bumped whenever what is in flight must be forgotten (stop, drachtio gone, a newer attempt). */
  private run = 0;
  private attemptTimer: unknown = null;
  private lapseTimer: unknown = null;
  private keepaliveTimer: unknown = null;
  private pinging = false;
  /** Finishers of the exchanges in flight: stop() ends them so no timer outlives it. */
  private readonly inflight = new Set<(res: RegistrarResponse) => void>();
  private optionsAnswered = false;
  private current: TrunkStatus;

  constructor(
    private readonly settings: TrunkSettings,
    private readonly ports: RegistrationPorts,
    private readonly timing: RegistrationTiming = DEFAULT_TIMING,
  ) {
    this.callId = `${token(ports.random, 24)}@crocetta`;
    this.fromTag = token(ports.random, 12);
    this.asked = settings.expires;
    this.current = {
      state: 'not-registered',
      since: ports.now(),
      reason: 'not started',
      problem: null,
      grantedSeconds: null,
      failures: 0,
      contact: null,
    };
  }

  get status(): TrunkStatus {
    return this.current;
  }

  /** The Call-ID every REGISTER of this run reuses. */
  get registrationCallId(): string {
    return this.callId;
  }

  start(): void {
    if (this.started || this.phase === 'stopped') return;
    this.started = true;
    this.setStatus(
      'not-registered',
      this.contact === null ? this.contactNote : 'registering',
      this.contact === null ? 'config' : null,
    );
    this.armKeepalive();
    if (this.contact !== null) this.scheduleAttempt(0);
  }

  /**
   * Where the carrier must send calls (null: drachtio-server gone, or no usable address, said in `note`). A new
   * address registers at once; losing it leaves the binding to lapse.
   */
  setContact(uri: string | null, note = 'drachtio-server not connected'): void {
    if (this.phase === 'stopping' || this.phase === 'stopped') return;
    if (uri === this.contact) return;
    this.contact = uri;
    this.contactNote = note;
    this.run++;
    this.clearAttemptTimer();
    if (uri === null) {
      this.phase = 'idle';
      if (!this.started) return;
      if (this.boundUntil > this.ports.now()) this.armLapse(note, 'config');
      else this.setStatus('not-registered', note, 'config');
      return;
    }
    if (this.started) this.scheduleAttempt(0);
  }

  /** Un-registers (Expires: 0) when bound, within the time budget, then stops every timer. Never rejects. */
  async stop(): Promise<void> {
    if (this.phase === 'stopping' || this.phase === 'stopped') return;
    const bound = this.contact !== null && (this.boundUntil > this.ports.now() || this.phase === 'registering');
    this.phase = 'stopping';
    this.run++;
    this.clearAttemptTimer();
    this.clearLapse();
    if (this.keepaliveTimer !== null) this.ports.timers.clear(this.keepaliveTimer);
    this.keepaliveTimer = null;
    let reason = 'stopped';
    if (bound && this.contact !== null) {
      const contact = this.contact;
      let budget: unknown = null;
      const outcome = await Promise.race([
        this.unregister(contact),
        new Promise<{ confirmed: boolean; reason: string }>((resolve) => {
          budget = this.ports.timers.set(
            () => resolve({ confirmed: false, reason: `no answer within ${this.timing.unregisterBudgetMs} ms` }),
            this.timing.unregisterBudgetMs,
          );
        }),
      ]);
      if (budget !== null) this.ports.timers.clear(budget);
      this.ports.observe({ type: 'unregistered', ...outcome });
      reason = outcome.confirmed ? 'stopped: un-registered' : `stopped: un-register not confirmed (${outcome.reason})`;
    }
    for (const finish of [...this.inflight]) finish(noAnswer('stopped'));
    this.phase = 'stopped';
    this.boundUntil = 0;
    this.setStatus('stopped', reason, null);
  }

  // ── attempts ────────────────────────────────────────────────────────────────────────────────────────────────

  private scheduleAttempt(delayMs: number): void {
    this.clearAttemptTimer();
    const gap = this.lastRegisterAt + MIN_REGISTER_GAP_MS - this.ports.now();
    const wait = Math.max(0, delayMs, gap);
    this.attemptTimer = this.ports.timers.set(() => {
      this.attemptTimer = null;
      this.attempt().catch((err: unknown) =>
        this.failed('refused', `internal error: ${err instanceof Error ? err.message : String(err)}`, null),
      );
    }, wait);
  }

  private async attempt(): Promise<void> {
    const contact = this.contact;
    if (contact === null || this.phase === 'stopping' || this.phase === 'stopped') return;
    const run = ++this.run;
    this.phase = 'registering';
    let expires = this.asked;
    let authorization: RegisterRequest['authorization'] = null;
    let challenges = 0;
    let intervals = 0;
    for (let sent = 0; sent < MAX_REGISTERS_PER_ATTEMPT; sent++) {
      const cseq = ++this.cseq;
      this.lastRegisterAt = this.ports.now();
      const res = await this.exchange({
        callId: this.callId,
        fromTag: this.fromTag,
        cseq,
        expires,
        contact,
        authorization,
      });
      if (run !== this.run) return; // stopped, or drachtio changed under us: this answer no longer matters
      const label = `${res.status} ${res.reason}`.trim();
      if (res.status >= 200 && res.status < 300) {
        this.succeeded(res, contact, expires, cseq);
        return;
      }
      if (res.status === 401 || res.status === 407) {
        const challenge = pickChallenge(res.status === 401 ? res.wwwAuthenticate : res.proxyAuthenticate);
        if (challenge === null)
          return this.failed(
            'refused',
            `${label} without a challenge crocetta can answer (Digest MD5 or SHA-256)`,
            res,
          );
        if (authorization !== null && !challenge.stale) {
          return this.failed('auth', `${label} to our credentials: check ${this.settings.credentialsHint}`, res);
        }
        if (++challenges > MAX_CHALLENGES_PER_ATTEMPT)
          return this.failed('auth', `${label}: challenged ${challenges} times in a row`, res);
        const value = digestAnswer(challenge, this.settings.credentials, {
          method: 'REGISTER',
          uri: this.settings.registrar.uri,
        });
        authorization = { header: res.status === 401 ? 'Authorization' : 'Proxy-Authorization', value };
        continue;
      }
      if (res.status === 423) {
        const min = minExpiresFrom(res, expires);
        if ('problem' in min) return this.failed('refused', min.problem, res);
        if (++intervals > MAX_423_PER_ATTEMPT)
          return this.failed('refused', `${label} again after asking for ${expires} s`, res);
        expires = min.seconds;
        this.asked = min.seconds;
        authorization = null;
        continue;
      }
      // 408: nobody answered (sofia's own timeout, or a proxy's); the OPTIONS keepalive may cut the wait short.
      if (res.status === 0 || res.status === 408)
        return this.failed('unreachable', res.status === 0 ? res.reason || 'no answer from the registrar' : label, res);
      if (res.status === 403 && authorization !== null) {
        return this.failed('auth', `${label} to our credentials: check ${this.settings.credentialsHint}`, res);
      }
      return this.failed('refused', label === String(res.status) ? `status ${res.status}` : label, res);
    }
    this.failed('refused', `no final answer after ${MAX_REGISTERS_PER_ATTEMPT} REGISTERs`, null);
  }

  /** One REGISTER and its answer, bounded in time (a late answer is dropped by the caller's run check). */
  private exchange(req: RegisterRequest): Promise<RegistrarResponse> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (res: RegistrarResponse): void => {
        if (settled) return;
        settled = true;
        this.inflight.delete(finish);
        this.ports.timers.clear(timer);
        resolve(res);
      };
      this.inflight.add(finish);
      const timer = this.ports.timers.set(
        () => finish(noAnswer(`no answer within ${Math.round(this.timing.registerTimeoutMs / 1000)} s`)),
        this.timing.registerTimeoutMs,
      );
      const failed = (err: unknown): void => finish(noAnswer(err instanceof Error ? err.message : String(err)));
      try {
        this.ports.sendRegister(req).then(finish, failed);
      } catch (err) {
        failed(err);
      }
    });
  }

  private succeeded(res: RegistrarResponse, contact: string, asked: number, cseq: number): void {
    const grant = grantedExpiry(res, contact, asked);
    if (grant.seconds === 0) {
      this.failed('refused', `${res.status} ${res.reason} but no time granted to our contact (expires=0)`.trim(), res);
      return;
    }
    const now = this.ports.now();
    this.phase = 'bound';
    this.failures = 0;
    this.lastProblem = null;
    this.boundUntil = now + grant.seconds * 1000;
    this.clearLapse();
    const refreshInMs = refreshDelayMs(grant.seconds);
    this.ports.observe({ type: 'registered', grantedSeconds: grant.seconds, from: grant.from, refreshInMs, cseq });
    this.setStatus('registered', `${res.status} ${res.reason}`.trim(), null, grant.seconds);
    this.scheduleAttempt(refreshInMs);
  }

  private failed(problem: TrunkProblem, reason: string, res: RegistrarResponse | null): void {
    this.phase = 'waiting';
    this.failures++;
    this.lastProblem = problem;
    this.lastFailure = reason;
    const retryAfter = deltaSeconds(res?.retryAfter);
    const retryInMs = backoffMs(
      this.failures,
      this.settings.retry,
      this.ports.random(),
      retryAfter === null ? null : retryAfter * 1000,
    );
    const stillBoundMs = Math.max(0, this.boundUntil - this.ports.now());
    this.ports.observe({ type: 'failure', problem, reason, retryInMs, stillBoundMs });
    if (stillBoundMs > 0) this.armLapse(reason, problem);
    else this.setStatus('not-registered', reason, problem);
    this.scheduleAttempt(retryInMs);
  }

  // ── keepalive ───────────────────────────────────────────────────────────────────────────────────────────────

  private armKeepalive(): void {
    if (this.settings.keepaliveMs <= 0) return;
    // While nobody answers, probe more often: crocetta is back within seconds of the carrier.
    const down = this.lastProblem === 'unreachable' && this.phase !== 'bound';
    const interval = down ? Math.min(this.settings.keepaliveMs, DOWN_PROBE_MS) : this.settings.keepaliveMs;
    this.keepaliveTimer = this.ports.timers.set(() => {
      this.keepaliveTimer = null;
      // The next probe is due an interval after this one started, however long this one waits for its answer.
      this.armKeepalive();
      void this.ping();
    }, interval);
  }

  private async ping(): Promise<void> {
    if (this.pinging || this.contact === null) return;
    this.pinging = true;
    let timer: unknown = null;
    try {
      const status = await Promise.race([
        // 408 is drachtio-server's own answer when nobody answered (timer F): no answer either.
        this.ports.sendOptions().then(
          (status) => (status === 408 ? 0 : status),
          () => 0,
        ),
        new Promise<number>((resolve) => {
          timer = this.ports.timers.set(() => resolve(0), this.timing.optionsTimeoutMs);
        }),
      ]);
      if (timer !== null) this.ports.timers.clear(timer);
      if (this.phase === 'stopping' || this.phase === 'stopped') return;
      if (status > 0) {
        this.optionsAnswered = true;
        // It answers again after nobody did: register now instead of waiting out the backoff.
        if (this.phase === 'waiting' && this.lastProblem === 'unreachable') this.scheduleAttempt(0);
        return;
      }
      if (this.optionsAnswered && this.phase === 'bound') {
        // It used to answer and now does not: the carrier went away (and may come back without our binding).
        this.run++;
        this.boundUntil = 0;
        this.clearLapse();
        this.failed('unreachable', 'the registrar stopped answering OPTIONS', null);
      }
    } finally {
      this.pinging = false;
    }
  }

  // ── un-register ─────────────────────────────────────────────────────────────────────────────────────────────

  private async unregister(contact: string): Promise<{ confirmed: boolean; reason: string }> {
    const gap = this.lastRegisterAt + MIN_REGISTER_GAP_MS - this.ports.now();
    if (gap > 0) await new Promise<void>((resolve) => this.ports.timers.set(resolve, gap));
    let authorization: RegisterRequest['authorization'] = null;
    for (let i = 0; i < 3; i++) {
      this.lastRegisterAt = this.ports.now();
      const res = await this.exchange({
        callId: this.callId,
        fromTag: this.fromTag,
        cseq: ++this.cseq,
        expires: 0,
        contact,
        authorization,
      });
      if (res.status >= 200 && res.status < 300)
        return { confirmed: true, reason: `${res.status} ${res.reason}`.trim() };
      if (res.status !== 401 && res.status !== 407)
        return { confirmed: false, reason: res.status === 0 ? res.reason : `${res.status} ${res.reason}`.trim() };
      const challenge = pickChallenge(res.status === 401 ? res.wwwAuthenticate : res.proxyAuthenticate);
      if (challenge === null || (authorization !== null && !challenge.stale))
        return { confirmed: false, reason: `${res.status} ${res.reason}`.trim() };
      const value = digestAnswer(challenge, this.settings.credentials, {
        method: 'REGISTER',
        uri: this.settings.registrar.uri,
      });
      authorization = { header: res.status === 401 ? 'Authorization' : 'Proxy-Authorization', value };
    }
    return { confirmed: false, reason: 'challenged again and again' };
  }

  // ── status ──────────────────────────────────────────────────────────────────────────────────────────────────

  /** Still bound after a failed refresh: registered until the grant lapses, then not, with the failure's reason. */
  private armLapse(reason: string, problem: TrunkProblem): void {
    this.clearLapse();
    const wait = Math.max(0, this.boundUntil - this.ports.now());
    this.lapseTimer = this.ports.timers.set(() => {
      this.lapseTimer = null;
      if (this.phase === 'bound') return;
      this.boundUntil = 0;
      this.setStatus(
        'not-registered',
        this.phase === 'idle' ? reason : this.lastFailure || reason,
        this.phase === 'idle' ? problem : (this.lastProblem ?? problem),
      );
    }, wait);
  }

  private clearLapse(): void {
    if (this.lapseTimer !== null) this.ports.timers.clear(this.lapseTimer);
    this.lapseTimer = null;
  }

  private clearAttemptTimer(): void {
    if (this.attemptTimer !== null) this.ports.timers.clear(this.attemptTimer);
    this.attemptTimer = null;
  }

  private setStatus(
    state: TrunkState,
    reason: string,
    problem: TrunkProblem | null,
    grantedSeconds: number | null = null,
  ): void {
    const previous = this.current;
    const failures = state === 'registered' ? 0 : this.failures;
    if (previous.state === state && previous.reason === reason && previous.contact === this.contact) {
      this.current = { ...previous, failures, grantedSeconds: state === 'registered' ? grantedSeconds : null };
      return;
    }
    this.current = {
      state,
      since: previous.state === state ? previous.since : this.ports.now(),
      reason,
      problem,
      grantedSeconds: state === 'registered' ? grantedSeconds : null,
      failures,
      contact: this.contact,
    };
    this.ports.observe({ type: 'status', status: this.current, previous });
  }
}
