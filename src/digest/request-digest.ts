/**
 * The HTTP Digest `request-digest` (RFC 2617 §3.2.2.1, RFC 7616 §3.4.1 for SHA-256 and -sess), shared by the
 * client that answers a carrier's challenge (src/trunk/digest.ts) and the registrar that checks the PBX's answer
 * (src/pbx-register/digest.ts). Pure apart from node:crypto. The two sides keep their own header parsers: the
 * client reads a carrier's challenges leniently, the registrar refuses malformed credentials outright.
 */
import { createHash } from 'node:crypto';

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

export interface DigestInput {
  algorithm: DigestAlgorithm;
  username: string;
  realm: string;
  password: string;
  method: string;
  /** The digest-uri, exactly as sent. */
  uri: string;
  nonce: string;
  /** The qop used (`auth`, `auth-int`), or null for RFC 2069 style. */
  qop: string | null;
  /** The nonce count, 8 hex digits (with a qop). */
  nc: string;
  cnonce: string;
  /** The message body, hashed for qop=auth-int. */
  body?: string;
}

export function digestHash(algorithm: DigestAlgorithm): (text: string) => string {
  const name = algorithm.startsWith('SHA-256') ? 'sha256' : 'md5';
  return (text) => createHash(name).update(text, 'utf8').digest('hex');
}

export function requestDigest(c: DigestInput): string {
  const h = digestHash(c.algorithm);
  let ha1 = h(`${c.username}:${c.realm}:${c.password}`);
  if (c.algorithm.endsWith('-sess')) ha1 = h(`${ha1}:${c.nonce}:${c.cnonce}`);
  const a2 = c.qop === 'auth-int' ? `${c.method}:${c.uri}:${h(c.body ?? '')}` : `${c.method}:${c.uri}`;
  const ha2 = h(a2);
  return c.qop === null ? h(`${ha1}:${c.nonce}:${ha2}`) : h(`${ha1}:${c.nonce}:${c.nc}:${c.cnonce}:${c.qop}:${ha2}`);
}
