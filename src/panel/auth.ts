/**
 * Panel authentication: the admin password as an scrypt hash in the settings table, server-side sessions
 * referenced by an HMAC-signed, HttpOnly, SameSite=Strict cookie, a synchronizer CSRF token per session, and a
 * limiter on failed logins. Sessions live in memory: a restart logs the office out, logout ends one at once.
 */
import { createHmac, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Request, Response } from 'express';

const SCRYPT: ScryptOptions = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LEN = 32;

function scryptAsync(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LEN, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** `scrypt$N$r$p$salt$hash` (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

export interface Session {
  id: string;
  csrf: string;
  authenticated: boolean;
  expiresAt: number;
}

export const SESSION_COOKIE = 'crocetta_sid';
const IDLE_MS = 12 * 3600_000;
const MAX_SESSIONS = 10_000;

/** Cookie header → name/value pairs (first value wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (out.has(name)) continue;
    try {
      out.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      // a malformed value is ignored
    }
  }
  return out;
}

export class Sessions {
  private readonly byId = new Map<string, Session>();

  constructor(
    private readonly key: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  private sign(id: string): string {
    return createHmac('sha256', this.key).update(id).digest('base64url');
  }

  /** The session of the request's signed cookie, if it is valid and not expired. */
  fromRequest(req: Request): Session | undefined {
    const cookie = parseCookies(req.get('cookie')).get(SESSION_COOKIE);
    if (!cookie) return undefined;
    const dot = cookie.lastIndexOf('.');
    const id = cookie.slice(0, dot);
    const mac = Buffer.from(cookie.slice(dot + 1));
    const expected = Buffer.from(this.sign(id));
    if (dot <= 0 || mac.length !== expected.length || !timingSafeEqual(mac, expected)) return undefined;
    const session = this.byId.get(id);
    if (session === undefined) return undefined;
    if (session.expiresAt <= this.now()) {
      this.byId.delete(id);
      return undefined;
    }
    session.expiresAt = this.now() + IDLE_MS;
    return session;
  }

  /** A new session (a new id: never reuse the pre-login one), with its cookie set on the response. */
  create(req: Request, res: Response, authenticated: boolean): Session {
    if (this.byId.size >= MAX_SESSIONS) this.evict();
    const session: Session = {
      id: randomBytes(24).toString('base64url'),
      csrf: randomBytes(24).toString('base64url'),
      authenticated,
      expiresAt: this.now() + IDLE_MS,
    };
    this.byId.set(session.id, session);
    res.cookie(SESSION_COOKIE, `${session.id}.${this.sign(session.id)}`, {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure,
      path: '/',
      encode: String,
    });
    return session;
  }

  /** Ends the session; with a response, also clears its cookie (logout). */
  destroy(session: Session, res?: Response): void {
    this.byId.delete(session.id);
    res?.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict' });
  }

  private evict(): void {
    const now = this.now();
    for (const [id, s] of this.byId) if (s.expiresAt <= now || !s.authenticated) this.byId.delete(id);
    // Still full: drop the oldest (Map keeps insertion order).
    for (const id of this.byId.keys()) {
      if (this.byId.size < MAX_SESSIONS) break;
      this.byId.delete(id);
    }
  }
}

/** True when the submitted token is the session's (constant time). */
export function csrfMatches(session: Session | undefined, submitted: unknown): boolean {
  if (session === undefined || typeof submitted !== 'string' || submitted.length === 0) return false;
  const a = Buffer.from(submitted);
  const b = Buffer.from(session.csrf);
  return a.length === b.length && timingSafeEqual(a, b);
}

// The failed-login limiter is shared with the SIP side (the PBX's REGISTER): it lives in src/login-limiter.ts.
export { LoginLimiter } from '../login-limiter.js';

/** Where the admin hash and the session key are kept (the register's settings table). */
export interface SecretStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}

export const ADMIN_HASH_KEY = 'panel.adminPasswordHash';
const SESSION_KEY_KEY = 'panel.sessionKey';

/**
 * The admin password's hash: ADMIN_PASSWORD (when set) is hashed and stored on first start, and again whenever
 * it changes; without it, the stored hash stays in force. Returns null when the panel has no password at all.
 */
export async function ensureAdminHash(
  store: SecretStore,
  configured: string,
): Promise<{ hash: string | null; changed: boolean }> {
  const stored = await store.get(ADMIN_HASH_KEY);
  const current = typeof stored === 'string' ? stored : null;
  if (configured === '') return { hash: current, changed: false };
  if (current !== null && (await verifyPassword(configured, current))) return { hash: current, changed: false };
  const hash = await hashPassword(configured);
  await store.set(ADMIN_HASH_KEY, hash);
  return { hash, changed: true };
}

/** A 32-byte key kept in the store under `name`: random on first start, then the same one (base64url). */
export async function storedKey(store: SecretStore, name: string): Promise<Buffer> {
  const stored = await store.get(name);
  if (typeof stored === 'string' && stored.length >= 32) return Buffer.from(stored, 'base64url');
  const key = randomBytes(32);
  await store.set(name, key.toString('base64url'));
  return key;
}

/** The key that signs session cookies: random on first start, then kept. */
export function sessionKey(store: SecretStore): Promise<Buffer> {
  return storedKey(store, SESSION_KEY_KEY);
}
