/**
 * The registration trunk's drachtio side: sends the state machine's REGISTERs and OPTIONS with `srf.request`,
 * reads the carrier's answers, takes our Contact from the hostports drachtio-server reports on connect, and turns
 * the machine's events into log lines and Prometheus metrics. All decisions live in src/trunk/registration.ts.
 * Several accounts (trunk.accounts) each run their own registration, side by side: one failing leaves the others be.
 */
import { Counter, Gauge } from 'prom-client';
import type Srf from 'drachtio-srf';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { chooseContact, drachtioOwns, parseHostports, type ListenAddress } from '../trunk/contact.js';
import { noAnswer, type RegistrarResponse } from '../trunk/registrar-response.js';
import {
  DEFAULT_TIMING,
  Registration,
  type RegisterRequest,
  type RegistrationEvent,
  type RegistrationTiming,
  type TrunkStatus,
} from '../trunk/registration.js';
import type { TrunkSettings } from '../trunk/settings.js';
import { answeredByStack } from './in-dialog-request.js';

/** What drachtio-srf 5.0.29 offers at run time for requests outside a dialog (its typings disagree). */
interface SentRequest {
  on(event: 'response', listener: (res: Srf.SrfResponse) => void): void;
}
interface Requester {
  request(
    uri: string,
    opts: { method: string; headers: Record<string, string> },
    callback: (err: unknown, sent?: SentRequest) => void,
  ): unknown;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** One account's registration. */
export interface TrunkAccountClient {
  /** The account's user name: the user of its AOR. */
  readonly username: string;
  /**
   * Its key in metrics (`account`), /readyz and the log: the user of its Contact, which is its user name unless an
   * earlier account at another carrier has that user name (then `<user name>-<line>`: trunk/settings.ts).
   */
  readonly account: string;
  /** Its configured number ('' = none). */
  readonly number: string;
  readonly aor: string;
  /** Its carrier: the registrar it registers at (trunk.registrar, or its own). */
  readonly carrier: string;
  readonly status: TrunkStatus;
  /** The Call-ID of this run's REGISTERs (tests and logs). */
  readonly callId: string;
}

export interface TrunkClient {
  /** The first account's (`trunk:`) status. */
  readonly status: TrunkStatus;
  /** The first account's Call-ID. */
  readonly callId: string;
  /** Every account, the first first. */
  readonly accounts: readonly TrunkAccountClient[];
  start(): void;
  /** Un-registers every account (bounded in time) and stops. Never rejects. */
  stop(): Promise<void>;
}

export interface TrunkClientDeps {
  logger: Logger;
  metrics: Metrics;
  now: () => number;
  timing?: Partial<RegistrationTiming>;
}

const USER_AGENT = 'crocetta';

function header(res: Srf.SrfResponse, name: string): string | null {
  const value = res.get(name) as unknown;
  return typeof value === 'string' && value !== '' ? value : null;
}

function toResponse(res: Srf.SrfResponse): RegistrarResponse {
  if (answeredByStack(res))
    return noAnswer(
      `no answer from the registrar (drachtio-server: ${res.status} ${typeof res.reason === 'string' ? res.reason : ''})`.replace(
        ' )',
        ')',
      ),
    );
  const list = (name: string): string[] => {
    const value = header(res, name);
    return value === null ? [] : [value];
  };
  return {
    status: res.status,
    reason: typeof res.reason === 'string' ? res.reason : '',
    wwwAuthenticate: list('WWW-Authenticate'),
    proxyAuthenticate: list('Proxy-Authenticate'),
    contact: list('Contact'),
    expires: header(res, 'Expires'),
    minExpires: header(res, 'Min-Expires'),
    retryAfter: header(res, 'Retry-After'),
  };
}

/**
 * Sends a request outside any dialog and resolves with its final response (provisional ones are skipped). The
 * callback form, not the Promise: drachtio-server's acknowledgement and a fast registrar's answer can arrive in one
 * TCP read, which drachtio-srf handles synchronously, so a listener attached after an `await` would miss the answer
 * (seen with Kamailio on loopback). The callback runs between the two.
 */
function exchange(
  srf: Requester,
  uri: string,
  method: string,
  headers: Record<string, string>,
): Promise<Srf.SrfResponse> {
  return new Promise((resolve, reject) => {
    srf.request(uri, { method, headers }, (err, sent) => {
      if (err || !sent) {
        reject(
          err instanceof Error ? err : new Error(typeof err === 'string' ? err : 'drachtio-server did not send it'),
        );
        return;
      }
      sent.on('response', (res) => {
        if (res.status >= 200) resolve(res);
      });
    });
  });
}

/** Totals (every account's) and each account's (`account` = its user name), so an alert can name the line. */
interface TrunkMetrics {
  registered: Gauge;
  account: Gauge<'account'>;
  info: Gauge<'account' | 'number' | 'carrier'>;
  failures: Counter<'problem'>;
  accountFailures: Counter<'account' | 'problem'>;
  registrations: Counter;
  accountRegistrations: Counter<'account'>;
}

function trunkMetrics(metrics: Metrics): TrunkMetrics {
  const registers = [metrics.registry];
  return {
    registered: new Gauge({
      name: 'crocetta_trunk_registered',
      help: '1 while crocetta is registered to the carrier (registration trunk): every account, when there are several',
      registers,
    }),
    account: new Gauge({
      name: 'crocetta_trunk_account_registered',
      help: '1 while this account (its user name) is registered to the carrier',
      labelNames: ['account'],
      registers,
    }),
    info: new Gauge({
      name: 'crocetta_trunk_account_info',
      help: 'Always 1: each account (its user name), its number and its carrier (the registrar it registers at), to join the per-account series on',
      labelNames: ['account', 'number', 'carrier'],
      registers,
    }),
    failures: new Counter({
      name: 'crocetta_trunk_registration_failures_total',
      help: "Registration attempts that failed, by problem: auth (credentials refused), refused, unreachable, config; every account's",
      labelNames: ['problem'],
      registers,
    }),
    accountFailures: new Counter({
      name: 'crocetta_trunk_account_registration_failures_total',
      help: "This account's registration attempts that failed, by problem: auth (credentials refused), refused, unreachable, config",
      labelNames: ['account', 'problem'],
      registers,
    }),
    registrations: new Counter({
      name: 'crocetta_trunk_registrations_total',
      help: "Successful REGISTERs to the carrier (first ones and refreshes); every account's",
      registers,
    }),
    accountRegistrations: new Counter({
      name: 'crocetta_trunk_account_registrations_total',
      help: "This account's successful REGISTERs (first ones and refreshes)",
      labelNames: ['account'],
      registers,
    }),
  };
}

const PROBLEMS = ['auth', 'refused', 'unreachable', 'config'] as const;

/** Every problem's series from the start (at 0), so an alert on its rate sees the first failure. */
function zeroFailures(failures: Counter<'problem'>): void {
  for (const problem of PROBLEMS) failures.inc({ problem }, 0);
}

/**
 * The registrations of every account (`accounts`, the first first: from trunkAccounts()), on one drachtio-srf app:
 * each with its own Call-ID, Contact (its user name at drachtio-server's address), backoff, keepalive and log
 * lines (with its AOR). crocetta_trunk_registered is 1 while every account is registered.
 */
export function createTrunkClient(
  accounts: readonly TrunkSettings[],
  srfApp: Omit<Srf, 'connect'>,
  deps: TrunkClientDeps,
): TrunkClient {
  const m = trunkMetrics(deps.metrics);
  zeroFailures(m.failures);
  const clients: AccountClient[] = [];
  const changed = (): void => m.registered.set(clients.every((c) => c.status.state === 'registered') ? 1 : 0);
  for (const settings of accounts) clients.push(accountClient(settings, srfApp, deps, m, changed));
  const [first] = clients;
  if (first === undefined) throw new Error('createTrunkClient: no account');
  // One listener for all the accounts (one each would pass EventEmitter's 10-listener warning with many).
  const srf = srfApp as unknown as Requester;
  srf.on('connect', (err: unknown, hostports: unknown) => {
    if (err) return;
    // Read once for all the accounts: an item that does not read is said once, and the others used.
    const listed = parseHostports(typeof hostports === 'string' ? hostports : '', (item, problem) =>
      deps.logger.warn(
        { component: 'trunk', hostports, item },
        `skipped an address in drachtio-server's list that does not read: ${problem}`,
      ),
    );
    for (const c of clients) c.connected(hostports, listed);
  });
  // drachtio-srf emits 'close' when its connection to drachtio-server goes (see sip-app.ts).
  srf.on('close', () => {
    for (const c of clients) c.closed();
  });
  return {
    get status() {
      return first.status;
    },
    get callId() {
      return first.callId;
    },
    accounts: clients,
    start() {
      for (const c of clients) c.start();
    },
    stop: async () => {
      await Promise.all(clients.map((c) => c.stop()));
    },
  };
}

interface AccountClient extends TrunkAccountClient {
  /** drachtio-server connected, with the addresses it reports (`udp/203.0.113.7:5060,…`) and those that read. */
  connected(hostports: unknown, listed: readonly ListenAddress[]): void;
  closed(): void;
  start(): void;
  stop(): Promise<void>;
}

function accountClient(
  settings: TrunkSettings,
  srfApp: Omit<Srf, 'connect'>,
  deps: TrunkClientDeps,
  m: TrunkMetrics,
  changed: () => void,
): AccountClient {
  const srf = srfApp as unknown as Requester;
  const log = deps.logger.child({ component: 'trunk', aor: settings.aor, registrar: settings.registrar.uri });
  let contactNote = '';
  const account = settings.contactUser;
  m.account.set({ account }, 0);
  m.info.set({ account, number: settings.number, carrier: settings.registrar.uri }, 1);
  m.accountRegistrations.inc({ account }, 0);
  for (const problem of PROBLEMS) m.accountFailures.inc({ account, problem }, 0);

  const observe = (e: RegistrationEvent): void => {
    switch (e.type) {
      case 'status': {
        const s = e.status;
        m.account.set({ account }, s.state === 'registered' ? 1 : 0);
        changed();
        const fields = {
          state: s.state,
          reason: s.reason,
          since: new Date(s.since).toISOString(),
          contact: s.contact,
          granted: s.grantedSeconds,
        };
        const text =
          s.state === 'registered'
            ? 'trunk registered'
            : s.state === 'stopped'
              ? 'trunk registration stopped'
              : 'trunk not registered';
        // Once per change: a wrong password says so once, not at every retry. A carrier that refuses the account
        // (404 No Such Account, a 423 loop) or stops answering is a warning: calls to that number cannot come in.
        // Waiting for drachtio-server (problem 'config': at every start, and said by the SIP side) stays news.
        if (s.problem === 'auth') log.error(fields, text);
        else if (s.problem === 'refused' || s.problem === 'unreachable') log.warn(fields, text);
        else log.info(fields, text);
        break;
      }
      case 'registered':
        m.registrations.inc();
        m.accountRegistrations.inc({ account });
        log.debug(
          { granted: e.grantedSeconds, from: e.from, refreshInMs: e.refreshInMs, cseq: e.cseq },
          'REGISTER accepted',
        );
        break;
      case 'failure':
        m.failures.inc({ problem: e.problem });
        m.accountFailures.inc({ account, problem: e.problem });
        log.debug(
          { problem: e.problem, reason: e.reason, retryInMs: e.retryInMs, stillBoundMs: e.stillBoundMs },
          'registration attempt failed',
        );
        break;
      case 'unregistered':
        log.info(
          { confirmed: e.confirmed, reason: e.reason },
          e.confirmed ? 'un-registered from the carrier' : 'un-register not confirmed',
        );
        break;
    }
  };

  const sendRegister = async (req: RegisterRequest): Promise<RegistrarResponse> => {
    const headers: Record<string, string> = {
      From: `<${settings.aor}>;tag=${req.fromTag}`,
      To: `<${settings.aor}>`,
      'Call-ID': req.callId,
      CSeq: `${req.cseq} REGISTER`,
      Contact: `<${req.contact}>${req.expires === 0 ? ';expires=0' : ''}`,
      Expires: String(req.expires),
      'User-Agent': USER_AGENT,
    };
    if (req.authorization !== null) headers[req.authorization.header] = req.authorization.value;
    try {
      return toResponse(await exchange(srf, settings.registrar.uri, 'REGISTER', headers));
    } catch (err) {
      // Not connected to drachtio-server, or it refused to send (e.g. an unresolvable registrar).
      return noAnswer(`not sent: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const sendOptions = async (): Promise<number> => {
    const headers = { From: `<${settings.aor}>`, 'User-Agent': USER_AGENT };
    try {
      const res = await exchange(srf, settings.registrar.uri, 'OPTIONS', headers);
      return answeredByStack(res) ? 0 : res.status;
    } catch {
      return 0;
    }
  };

  const registration = new Registration(
    settings,
    {
      now: deps.now,
      timers: {
        set: (fn, ms) => setTimeout(fn, ms).unref(),
        clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
      },
      random: Math.random,
      sendRegister,
      sendOptions,
      observe,
    },
    { ...DEFAULT_TIMING, ...deps.timing },
  );

  const connected = (hostports: unknown, listed: readonly ListenAddress[]): void => {
    const choice = chooseContact(settings.contactUser, settings.registrar.transport, listed, settings.contactHost);
    if (choice.note !== contactNote) {
      contactNote = choice.note;
      if (choice.uri === null) log.error({ hostports }, `no address for our Contact: ${choice.note}`);
      else log.info({ contact: choice.uri, from: choice.note }, 'trunk contact');
      if (choice.uri !== null && settings.contactHost !== '' && !drachtioOwns(choice.uri, listed)) {
        log.warn(
          { contact: choice.uri, hostports },
          "drachtio-server does not report TRUNK_CONTACT_HOST as one of its addresses: its proxy will not rewrite the Request-URI of the carrier's calls, so the PBX gets the account name instead of the DID. Set external-ip (and the same port) on drachtio-server's <contact> instead, or as well",
        );
      }
    }
    registration.setContact(choice.uri, choice.note);
  };

  return {
    connected,
    closed: () => registration.setContact(null, 'drachtio-server not connected'),
    username: settings.username,
    account,
    number: settings.number,
    aor: settings.aor,
    carrier: settings.registrar.uri,
    get status() {
      return registration.status;
    },
    get callId() {
      return registration.registrationCallId;
    },
    start() {
      log.info(
        { expires: settings.expires, keepaliveSeconds: settings.keepaliveMs / 1000 },
        'registering to the carrier',
      );
      if (settings.credentials.password === '')
        log.warn('TRUNK_PASSWORD is empty: a carrier that asks for credentials will refuse the registration');
      registration.start();
    },
    stop: () => registration.stop(),
  };
}
