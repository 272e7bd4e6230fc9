/**
 * HTTP Digest for SIP (RFC 3261 §22.4, RFC 2617, RFC 7616/8760 for SHA-256): reading a carrier's challenge and
 * computing the answer. No IO. drachtio-srf's own digest client (lib/digest-client.js) is not reused here: it
 * splits the challenge on every comma (so `qop="auth,auth-int"` breaks), sends the whole qop list back as the
 * qop, knows MD5 only, and says nothing about `stale`; the registration needs all four.
 */
import { randomBytes } from 'node:crypto';
import { requestDigest, type DigestAlgorithm } from '../digest/request-digest.js';

export type { DigestAlgorithm } from '../digest/request-digest.js';

export interface Challenge {
  /** 401 → WWW-Authenticate, answered in Authorization; 407 → Proxy-Authenticate / Proxy-Authorization. */
  realm: string;
  nonce: string;
  opaque: string | null;
  algorithm: DigestAlgorithm;
  /** The qop we will use: `auth` when offered (preferred), else `auth-int`, else null (RFC 2069 style). */
  qop: 'auth' | 'auth-int' | null;
  /** The server says our nonce was old, not our password wrong: answer again, without counting a failure. */
  stale: boolean;
}

export interface Credentials {
  username: string;
  password: string;
}

export interface DigestRequest {
  method: string;
  /** The Request-URI, exactly as sent. */
  uri: string;
  body?: string;
}

const ALGORITHMS: Record<string, DigestAlgorithm> = {
  md5: 'MD5',
  'md5-sess': 'MD5-sess',
  'sha-256': 'SHA-256',
  'sha-256-sess': 'SHA-256-sess',
};
/** When a carrier offers several challenges (one per algorithm, RFC 8760 §2.4), the strongest one we know wins. */
const PREFERENCE: readonly DigestAlgorithm[] = ['SHA-256', 'SHA-256-sess', 'MD5', 'MD5-sess'];

/** Longest challenge text read; a carrier's real ones are a few hundred bytes. */
const MAX_CHALLENGE_TEXT = 8192;

interface RawChallenge {
  scheme: string;
  params: Map<string, string>;
}

/**
 * Splits one or more challenges (`Digest realm="a", nonce="b", Digest realm=…`, also as drachtio-srf joins
 * repeated headers with commas) into scheme + parameters. Quoted strings may hold commas and escaped quotes.
 */
export function parseChallenges(text: string): RawChallenge[] {
  const s = text.slice(0, MAX_CHALLENGE_TEXT);
  const out: RawChallenge[] = [];
  let current: RawChallenge | null = null;
  let i = 0;
  const skipSpace = (): void => {
    while (i < s.length && /[\s,]/.test(s[i] ?? '')) i++;
  };
  while (i < s.length) {
    skipSpace();
    const tokenStart = i;
    while (i < s.length && /[^\s=,]/.test(s[i] ?? '')) i++;
    const token = s.slice(tokenStart, i);
    if (token === '') {
      i++;
      continue;
    }
    while (i < s.length && /[ \t]/.test(s[i] ?? '')) i++;
    if (s[i] !== '=') {
      // A token not followed by '=' starts a new challenge (its scheme).
      current = { scheme: token.toLowerCase(), params: new Map() };
      out.push(current);
      continue;
    }
    i++; // '='
    while (i < s.length && /[ \t]/.test(s[i] ?? '')) i++;
    let value = '';
    if (s[i] === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        value += s[i] ?? '';
        i++;
      }
      i++; // closing quote
    } else {
      const start = i;
      while (i < s.length && s[i] !== ',') i++;
      value = s.slice(start, i).trim();
    }
    const key = token.toLowerCase();
    if (current && !current.params.has(key)) current.params.set(key, value);
  }
  return out;
}

function toChallenge(raw: RawChallenge): Challenge | null {
  if (raw.scheme !== 'digest') return null;
  const realm = raw.params.get('realm');
  const nonce = raw.params.get('nonce');
  if (realm === undefined || nonce === undefined || nonce === '') return null;
  const algorithm = ALGORITHMS[(raw.params.get('algorithm') ?? 'MD5').toLowerCase()];
  if (algorithm === undefined) return null;
  const offered = raw.params.has('qop')
    ? (raw.params.get('qop') ?? '').split(',').map((q) => q.trim().toLowerCase())
    : null;
  let qop: Challenge['qop'] = null;
  if (offered !== null) {
    if (offered.includes('auth')) qop = 'auth';
    else if (offered.includes('auth-int')) qop = 'auth-int';
    else return null; // a qop we cannot do
  }
  return {
    realm,
    nonce,
    opaque: raw.params.get('opaque') ?? null,
    algorithm,
    qop,
    stale: (raw.params.get('stale') ?? '').toLowerCase() === 'true',
  };
}

/** The challenge to answer among the header values of a 401/407, or null when none is usable. Never throws. */
export function pickChallenge(headerValues: readonly string[]): Challenge | null {
  const usable = headerValues.flatMap((v) => (typeof v === 'string' ? parseChallenges(v) : [])).map(toChallenge);
  const candidates = usable.filter((c): c is Challenge => c !== null);
  for (const algorithm of PREFERENCE) {
    const found = candidates.find((c) => c.algorithm === algorithm);
    if (found) return found;
  }
  return null;
}

/** A quoted-string for a header parameter (RFC 3261 §25.1). */
function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export interface AnswerOptions {
  /** The nonce count for this nonce (1 for its first use). */
  nc?: number;
  /** Fixed client nonce (tests); random otherwise. */
  cnonce?: string;
}

/** The value of the Authorization / Proxy-Authorization header answering `challenge` for `request`. */
export function digestAnswer(
  challenge: Challenge,
  credentials: Credentials,
  request: DigestRequest,
  opts: AnswerOptions = {},
): string {
  const nc = (opts.nc ?? 1).toString(16).padStart(8, '0');
  const cnonce = opts.cnonce ?? randomBytes(8).toString('hex');
  const response = requestDigest({
    algorithm: challenge.algorithm,
    username: credentials.username,
    realm: challenge.realm,
    password: credentials.password,
    method: request.method,
    uri: request.uri,
    nonce: challenge.nonce,
    qop: challenge.qop,
    nc,
    cnonce,
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  const parts = [
    `username=${quote(credentials.username)}`,
    `realm=${quote(challenge.realm)}`,
    `nonce=${quote(challenge.nonce)}`,
    `uri=${quote(request.uri)}`,
    `response=${quote(response)}`,
    `algorithm=${challenge.algorithm}`,
  ];
  if (challenge.opaque !== null) parts.push(`opaque=${quote(challenge.opaque)}`);
  if (challenge.qop !== null) parts.push(`qop=${challenge.qop}`, `nc=${nc}`, `cnonce=${quote(cnonce)}`);
  return `Digest ${parts.join(', ')}`;
}
