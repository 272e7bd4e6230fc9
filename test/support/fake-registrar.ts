/**
 * A carrier's digest-authenticating registrar (and SBC) scripted on the drachtio double, for integration tests:
 * challenges REGISTER/INVITE without credentials, checks the answer with its own MD5 (written here apart from
 * src/trunk/digest.ts, so a shared mistake cannot hide), keeps bindings, answers OPTIONS. Tests change its
 * behaviour (down, wrong password, 423, grant) between requests. Several accounts (`accounts`) share it, as one
 * carrier's numbers do.
 */
import { createHash } from 'node:crypto';
import type { AppRequest, ScriptedResponse } from './drachtio-double.js';
import { headerOf, uriOf } from './drachtio-double.js';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Parameters of a Digest Authorization header (quoted or not). */
export function authParams(header: string): Map<string, string> {
  const params = new Map<string, string>();
  const re = /([a-zA-Z0-9-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))/g;
  for (let m = re.exec(header); m !== null; m = re.exec(header))
    params.set((m[1] ?? '').toLowerCase(), (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1'));
  return params;
}

export interface Binding {
  contact: string;
  expires: number;
  /** The AOR (To) it was registered for. */
  aor?: string;
}

export interface FakeRegistrarOptions {
  realm?: string;
  username: string;
  password: string;
  /** More accounts of the same carrier (one per number): user name → password. */
  accounts?: Record<string, string>;
}

export class FakeRegistrar {
  readonly realm: string;
  password: string;
  /** false: the carrier does not answer at all (the double's timer F turns that into a 408). */
  up = true;
  /** true: the carrier's port is closed: drachtio-server answers 503 itself (ICMP port unreachable). */
  portClosed = false;
  /** Seconds granted to our binding; the Expires header says `headerExpires`. */
  grant: number | null = null;
  headerExpires = 3600;
  /** 423 below this many seconds. */
  minExpires = 0;
  /** Other devices' bindings of the same AOR, listed in every 200. */
  otherBindings: string[] = [];
  /** Status for OPTIONS (0 = no answer). */
  optionsStatus = 200;
  /** Challenge INVITEs with 407 (outbound calls). */
  challengeInvites = true;
  /** The INVITE challenge's algorithm and qop list, as written in the header (`"auth"`, `"auth,auth-int"`). */
  inviteAlgorithm: 'MD5' | 'SHA-256' = 'MD5';
  inviteQop = '"auth"';
  /** Answer this many correct INVITE credentials with a new challenge saying stale=true (the nonce expired). */
  staleInvites = 0;
  /** Challenge requests in an answered call (re-INVITE, BYE, INFO, UPDATE) with 407 too, as some carriers do. */
  challengeInDialog = false;
  readonly bindings = new Map<string, Binding>();
  readonly log: Array<{ method: string; status: number; authorized: boolean }> = [];
  private nonceCount = 0;

  /** The further accounts' passwords, by user name (a test changes one to refuse that account alone). */
  readonly passwords: Map<string, string>;

  constructor(private readonly opts: FakeRegistrarOptions) {
    this.realm = opts.realm ?? 'carrier.example';
    this.password = opts.password;
    this.passwords = new Map(Object.entries(opts.accounts ?? {}));
  }

  /** The password of the account `username` names; undefined for a user the carrier does not know. */
  private passwordOf(username: string | undefined): string | undefined {
    if (username === this.opts.username) return this.password;
    return username === undefined ? undefined : this.passwords.get(username);
  }

  private challenge(stale = false, algorithm = 'MD5', qop = '"auth"'): string {
    this.nonceCount++;
    return `Digest realm="${this.realm}", nonce="n${this.nonceCount}x${Date.now().toString(36)}", qop=${qop}, algorithm=${algorithm}${stale ? ', stale=true' : ''}`;
  }

  /** True when the Authorization (or Proxy-Authorization) answers a challenge with the right password. */
  verify(req: AppRequest, header: 'authorization' | 'proxy-authorization'): boolean {
    const value = headerOf(req.request, header);
    if (value === undefined) return false;
    const p = authParams(value);
    const password = this.passwordOf(p.get('username'));
    if (password === undefined || p.get('realm') !== this.realm) return false;
    // RFC 7616 §3.4: the algorithm the answer names (MD5 when absent); qop=auth-int hashes the body too.
    const algorithm = p.get('algorithm') ?? 'MD5';
    const h = algorithm === 'SHA-256' ? sha256 : algorithm === 'MD5' ? md5 : null;
    if (h === null) return false;
    const qop = p.get('qop') ?? '';
    const ha1 = h(`${p.get('username') ?? ''}:${this.realm}:${password}`);
    const ha2 = h(`${req.method}:${p.get('uri') ?? ''}${qop === 'auth-int' ? `:${h(req.request.body)}` : ''}`);
    const expected = h(`${ha1}:${p.get('nonce') ?? ''}:${p.get('nc') ?? ''}:${p.get('cnonce') ?? ''}:${qop}:${ha2}`);
    return p.get('uri') === req.request.uri && p.get('response') === expected;
  }

  /** The double's app-request handler. */
  handle = (req: AppRequest): ScriptedResponse[] => {
    const answer = (
      status: number,
      authorized: boolean,
      rest: Omit<ScriptedResponse, 'status'> = {},
    ): ScriptedResponse[] => {
      this.log.push({ method: req.method, status, authorized });
      return [{ status, ...rest }];
    };
    if (!this.up || this.portClosed) {
      this.log.push({ method: req.method, status: 0, authorized: false });
      return this.portClosed ? [{ status: 503, byServer: true }] : [];
    }
    if (req.method === 'OPTIONS') {
      if (this.optionsStatus === 0) return [];
      return answer(this.optionsStatus, false);
    }
    if (req.method === 'REGISTER') return this.register(req, answer);
    if (req.dialogId !== '' && this.challengeInDialog) {
      const value = headerOf(req.request, 'proxy-authorization');
      if (!this.verify(req, 'proxy-authorization') || !this.inviteAnswerFits(value ?? ''))
        return answer(407, false, {
          headers: { 'Proxy-Authenticate': this.challenge(false, this.inviteAlgorithm, this.inviteQop) },
        });
    }
    if (req.method === 'INVITE' && this.challengeInvites && req.dialogId === '') {
      const offered = (stale: boolean) => this.challenge(stale, this.inviteAlgorithm, this.inviteQop);
      const value = headerOf(req.request, 'proxy-authorization');
      if (!this.verify(req, 'proxy-authorization') || !this.inviteAnswerFits(value ?? ''))
        return answer(407, false, { headers: { 'Proxy-Authenticate': offered(false) } });
      if (this.staleInvites > 0) {
        this.staleInvites--;
        return answer(407, true, { headers: { 'Proxy-Authenticate': offered(true) } });
      }
      return [{ status: 100 }, { status: 180 }, ...answer(200, true, { body: farEndSdp() })];
    }
    // In the call: an offer gets an answer with the direction that fits it (RFC 3264 §6.1), a re-INVITE without
    // offer gets the carrier's offer.
    const authorized = this.challengeInDialog;
    if (req.method === 'INVITE') return [{ status: 180 }, ...answer(200, true, { body: answerTo(req.request.body) })];
    if (req.method === 'UPDATE' && req.request.body !== '')
      return answer(200, authorized, { body: answerTo(req.request.body) });
    return answer(200, authorized);
  };

  /** The answer uses the algorithm challenged and one of the qop values offered (not the list). */
  private inviteAnswerFits(value: string): boolean {
    const p = authParams(value);
    const offered = this.inviteQop.replace(/"/g, '').split(',');
    return (p.get('algorithm') ?? 'MD5') === this.inviteAlgorithm && offered.includes(p.get('qop') ?? '');
  }

  private register(
    req: AppRequest,
    answer: (status: number, authorized: boolean, rest?: Omit<ScriptedResponse, 'status'>) => ScriptedResponse[],
  ): ScriptedResponse[] {
    const hasAuth = headerOf(req.request, 'authorization') !== undefined;
    if (!this.verify(req, 'authorization')) {
      // A wrong answer gets a fresh challenge, as Kamailio's www_challenge does.
      return answer(401, false, {
        headers: { 'WWW-Authenticate': this.challenge() },
        reason: hasAuth ? 'Unauthorized' : undefined,
      });
    }
    const contactHeader = headerOf(req.request, 'contact') ?? '';
    const contact = uriOf(contactHeader);
    const asked = Number(/;\s*expires=(\d+)/i.exec(contactHeader)?.[1] ?? headerOf(req.request, 'expires') ?? '3600');
    if (asked !== 0 && asked < this.minExpires)
      return answer(423, true, { headers: { 'Min-Expires': String(this.minExpires) } });
    const aor = uriOf(headerOf(req.request, 'to') ?? '');
    if (asked === 0) this.bindings.delete(contact);
    else this.bindings.set(contact, { contact, expires: this.grant ?? asked, aor });
    // The 200 lists the bindings of this AOR only (each account has its own).
    const listed = [
      ...this.otherBindings,
      ...[...this.bindings.values()].filter((b) => b.aor === aor).map((b) => `<${b.contact}>;expires=${b.expires}`),
    ];
    const headers: Record<string, string | string[]> = { Expires: String(this.headerExpires) };
    if (listed.length > 0) headers.Contact = listed;
    return answer(200, true, { headers });
  }
}

/** The carrier's SDP answering `offer` (its offer when there is none): sendonly ↔ recvonly, inactive stays. */
function answerTo(offer: string): string {
  const direction = /^a=(sendonly|recvonly|inactive|sendrecv)\s*$/m.exec(offer)?.[1] ?? 'sendrecv';
  const reply = { sendonly: 'recvonly', recvonly: 'sendonly', inactive: 'inactive', sendrecv: 'sendrecv' }[direction];
  return farEndSdp().replace('a=rtpmap:8 PCMA/8000\r\n', `a=rtpmap:8 PCMA/8000\r\na=${reply}\r\n`);
}

function farEndSdp(): string {
  return [
    'v=0',
    'o=- 1 1 IN IP4 198.51.100.30',
    's=-',
    'c=IN IP4 198.51.100.30',
    't=0 0',
    'm=audio 41000 RTP/AVP 8',
    'a=rtpmap:8 PCMA/8000',
    '',
  ].join('\r\n');
}
