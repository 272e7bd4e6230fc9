/**
 * SIP digest authentication (RFC 3261 §22 over RFC 2617: MD5, qop=auth, or no qop for old clients) of the one
 * account a PBX registers to crocetta with. Pure apart from node:crypto: no SIP library, no IO.
 *
 * Nonces are issued by this object and remembered (at most `maxNonces`, for `nonceTtlMs`), bound to the client
 * address they were issued to. A credential is accepted once per nonce count: with qop=auth the nc must grow, without
 * qop a nonce is good for one request. The password is checked before the nonce, so a right password on an old,
 * unknown or replayed nonce gets a fresh challenge with `stale=true` (the client retries silently) and a wrong one
 * is refused whatever the nonce.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { requestDigest } from '../digest/request-digest.js';

export interface DigestSettings {
  realm: string;
  username: string;
  password: string;
  /** How long an issued nonce may be used (ms). */
  nonceTtlMs: number;
  /** Nonces remembered at once; the oldest is forgotten first (its client then gets a stale challenge). */
  maxNonces: number;
}

/** One set of credentials from an Authorization header, names lower-cased. */
export type Credentials = Readonly<Record<string, string>> & { readonly scheme: string };

export type AuthResult =
  | { kind: 'ok'; username: string }
  /** Send a 401 with a fresh nonce (`stale`: the password was right, only the nonce was not). */
  | {
      kind: 'challenge';
      stale: boolean;
      why:
        | 'no credentials'
        | 'other realm'
        | 'unsupported algorithm'
        | 'unsupported qop'
        | 'unknown nonce'
        | 'expired nonce'
        | 'replayed nonce';
    }
  /** Wrong user name or password: refuse (403) and count it. */
  | { kind: 'forbidden'; why: 'unknown user' | 'wrong password'; username: string }
  /** Credentials that cannot be read: 400, and count it. */
  | { kind: 'malformed'; why: string };

/** Longest Authorization header read; longer is malformed (a PBX's is ~300 bytes). */
export const MAX_AUTHORIZATION_LENGTH = 4096;
const MAX_PARAMS = 32;
const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/**
 * Parses `Digest username="a", realm="b", ...` (several credentials when the header was repeated and joined
 * with commas). Returns null when the text is not a list of `scheme name=value, ...` at all.
 */
export function parseCredentials(header: string): Credentials[] | null {
  if (header.length > MAX_AUTHORIZATION_LENGTH) return null;
  const out: Array<Record<string, string>> = [];
  let current: Record<string, string> | null = null;
  let params = 0;
  let i = 0;
  const skip = (chars: RegExp) => {
    while (i < header.length && chars.test(header[i] as string)) i++;
  };
  while (i < header.length) {
    skip(/[\s,]/);
    if (i >= header.length) break;
    const start = i;
    while (i < header.length && TOKEN.test(header[i] as string)) i++;
    if (i === start) return null;
    const name = header.slice(start, i).toLowerCase();
    skip(/\s/);
    if (header[i] !== '=') {
      // A token not followed by "=" starts new credentials (its scheme).
      current = { scheme: name };
      out.push(current);
      // Other schemes may carry a token68 (`Basic dXNlcjpwYXNz`) instead of parameters.
      const token68 = /^[A-Za-z0-9\-._~+/]+=*\s*(?:,|$)/.exec(header.slice(i));
      if (token68 && !/^[^=,\s]+\s*=[^=]/.test(header.slice(i))) {
        current.token68 = token68[0].replace(/[\s,]+$/, '');
        i += token68[0].length;
      }
      continue;
    }
    i++;
    skip(/\s/);
    let value: string;
    if (header[i] === '"') {
      i++;
      let v = '';
      for (;;) {
        if (i >= header.length) return null; // unterminated quoted string
        const c = header[i] as string;
        if (c === '"') break;
        if (c === '\\' && i + 1 < header.length) {
          v += header[i + 1];
          i += 2;
        } else {
          v += c;
          i++;
        }
      }
      i++;
      value = v;
    } else {
      const vs = i;
      while (i < header.length && TOKEN.test(header[i] as string)) i++;
      value = header.slice(vs, i);
    }
    if (current === null || name === 'scheme' || Object.hasOwn(current, name) || ++params > MAX_PARAMS) return null;
    current[name] = value;
    skip(/\s/);
    if (i < header.length && header[i] !== ',') return null;
  }
  return out.length > 0 ? (out as Credentials[]) : null;
}

/** RFC 2617 §3.2.2.1 `request-digest` with algorithm MD5: with qop (auth) or without (RFC 2069 compatibility). */
export function digestResponse(c: {
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  qop?: string;
  nc?: string;
  cnonce?: string;
}): string {
  const { username, realm, password, method, uri, nonce } = c;
  return requestDigest({
    algorithm: 'MD5',
    username,
    realm,
    password,
    method,
    uri,
    nonce,
    qop: c.qop || null,
    nc: c.nc ?? '',
    cnonce: c.cnonce ?? '',
  });
}

/** Equal strings, compared in constant time over their SHA-256 (so lengths leak nothing either). */
function sameText(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

interface NonceState {
  client: string;
  issuedAt: number;
  /** Highest nonce count accepted (qop=auth); -1 once used without qop (single use). */
  lastNc: number;
}

export class DigestAuth {
  private readonly nonces = new Map<string, NonceState>();

  constructor(private readonly settings: DigestSettings) {}

  /** How many nonces are remembered now (for tests and metrics). */
  get nonceCount(): number {
    return this.nonces.size;
  }

  /** A fresh WWW-Authenticate value for `client` (its IP address). */
  challenge(client: string, now: number, stale = false): string {
    const nonce = randomBytes(18).toString('base64url');
    this.forgetOld(now);
    this.nonces.set(nonce, { client, issuedAt: now, lastNc: 0 });
    return `Digest realm="${this.settings.realm}", nonce="${nonce}", algorithm=MD5, qop="auth"${stale ? ', stale=true' : ''}`;
  }

  /** Checks the Authorization header of a request (`method` as on the request line) from `client`. */
  verify(header: string | undefined, method: string, client: string, now: number): AuthResult {
    if (header === undefined || header.trim() === '') return { kind: 'challenge', stale: false, why: 'no credentials' };
    const all = parseCredentials(header);
    if (all === null) return { kind: 'malformed', why: 'unreadable Authorization header' };
    const digests = all.filter((c) => c.scheme === 'digest');
    const c = digests.find((d) => d.realm === this.settings.realm);
    if (c === undefined)
      return { kind: 'challenge', stale: false, why: digests.length > 0 ? 'other realm' : 'no credentials' };

    for (const field of ['username', 'nonce', 'uri', 'response'] as const) {
      if (!c[field]) return { kind: 'malformed', why: `Authorization without ${field}` };
    }
    const { username = '', nonce = '', uri = '', response = '' } = c;
    if (!/^[0-9a-f]{32}$/i.test(response)) return { kind: 'malformed', why: 'response is not an MD5 digest' };
    if (c.algorithm !== undefined && c.algorithm.toLowerCase() !== 'md5')
      return { kind: 'challenge', stale: false, why: 'unsupported algorithm' };
    const qop = c.qop;
    let nc = 0;
    if (qop !== undefined) {
      if (qop.toLowerCase() !== 'auth') return { kind: 'challenge', stale: false, why: 'unsupported qop' };
      if (!c.cnonce) return { kind: 'malformed', why: 'qop without cnonce' };
      if (!/^[0-9a-f]{8}$/i.test(c.nc ?? '')) return { kind: 'malformed', why: 'qop without a valid nc' };
      nc = Number.parseInt(c.nc as string, 16);
    }

    if (!sameText(username, this.settings.username)) return { kind: 'forbidden', why: 'unknown user', username };
    const expected = digestResponse({
      username,
      realm: this.settings.realm,
      password: this.settings.password,
      method,
      uri,
      nonce,
      ...(qop !== undefined ? { qop, nc: c.nc, cnonce: c.cnonce } : {}),
    });
    if (!timingSafeEqual(Buffer.from(expected, 'ascii'), Buffer.from(response.toLowerCase(), 'ascii'))) {
      return { kind: 'forbidden', why: 'wrong password', username };
    }

    // The password is right; now the nonce must be ours, fresh, for this client, and not used at this count.
    const state = this.nonces.get(nonce);
    if (state === undefined || state.client !== client) return { kind: 'challenge', stale: true, why: 'unknown nonce' };
    if (now - state.issuedAt > this.settings.nonceTtlMs) {
      this.nonces.delete(nonce);
      return { kind: 'challenge', stale: true, why: 'expired nonce' };
    }
    if (qop === undefined) {
      if (state.lastNc !== 0) return { kind: 'challenge', stale: true, why: 'replayed nonce' };
      state.lastNc = -1;
    } else {
      if (state.lastNc < 0 || nc <= state.lastNc) return { kind: 'challenge', stale: true, why: 'replayed nonce' };
      state.lastNc = nc;
    }
    return { kind: 'ok', username };
  }

  /** Drops expired nonces (oldest first: the Map keeps issue order), then the oldest while over the cap. */
  private forgetOld(now: number): void {
    for (const [nonce, state] of this.nonces) {
      if (now - state.issuedAt <= this.settings.nonceTtlMs && this.nonces.size < this.settings.maxNonces) break;
      this.nonces.delete(nonce);
    }
  }
}
