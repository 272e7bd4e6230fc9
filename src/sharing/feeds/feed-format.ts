/**
 * The friends' feed, version 1 (docs/export-format.md, "Friends' feeds"): a canonical JSON payload (keys sorted,
 * no blanks) signed with Ed25519; the signature travels apart from the body, in the `Crocetta-Feed-Signature`
 * header, over the body's exact bytes. Only numbers marked nuisance are listed, never trusted numbers or numbers
 * the business called.
 */
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';

export const FEED_FORMAT = 'crocetta-feed';
export const FEED_FORMAT_VERSION = 1;
export const SIGNATURE_HEADER = 'crocetta-feed-signature';

export interface FeedEntry {
  /** E.164, e.g. `+390212345678`. */
  number: string;
  company: string | null;
  category: string | null;
  /** Attempts from the number in the publisher's register, and the first and last one (ms since epoch). */
  attempts: number;
  firstSeen: number | null;
  lastSeen: number | null;
  /** When the publisher marked it nuisance. */
  markedAt: number;
}

/** A tombstone: the number left the list (unmarked, marked trusted, or cleared on appeal). */
export interface FeedRemoval {
  number: string;
  cleared: 'unmarked' | 'appeal';
}

export interface FeedPayload {
  format: typeof FEED_FORMAT;
  formatVersion: typeof FEED_FORMAT_VERSION;
  /** Monotone: the publisher's last change. Entries and removals are the changes after `since`. */
  version: number;
  since: number;
  /** A full list (since = 0): the subscriber replaces everything it held from this friend. */
  full: boolean;
  /** When the feed was built, ms since epoch: an old one is stale. */
  issuedAt: number;
  entries: FeedEntry[];
  removed: FeedRemoval[];
}

const ms = z.number().int().nonnegative();
const e164 = z.string().regex(/^\+[1-9]\d{3,15}$/, 'expected an E.164 number');
const text = z.string().max(200).nullable();

export const feedPayloadSchema = z
  .object({
    format: z.literal(FEED_FORMAT),
    formatVersion: z.literal(FEED_FORMAT_VERSION),
    version: ms,
    since: ms,
    full: z.boolean(),
    issuedAt: ms,
    entries: z.array(
      z
        .object({
          number: e164,
          company: text,
          category: text,
          attempts: ms,
          firstSeen: ms.nullable(),
          lastSeen: ms.nullable(),
          markedAt: ms,
        })
        .strict(),
    ),
    removed: z.array(z.object({ number: e164, cleared: z.enum(['unmarked', 'appeal']) }).strict()),
  })
  .strict();

/** JSON with object keys sorted at every level and no blanks: the same payload always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function signFeed(body: Buffer, privateKey: KeyObject): string {
  return sign(null, body, privateKey).toString('base64');
}

/** A public key as friends exchange it: base64 of the SPKI DER. Throws on anything else than an Ed25519 key. */
export function publicKeyFromBase64(b64: string): KeyObject {
  const key = createPublicKey({ key: Buffer.from(b64, 'base64'), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`expected an Ed25519 public key, got ${key.asymmetricKeyType ?? 'none'}`);
  return key;
}

export function publicKeyToBase64(key: KeyObject): string {
  return key.export({ format: 'der', type: 'spki' }).toString('base64');
}

export function verifyFeed(body: Buffer, signature: string, publicKey: KeyObject): boolean {
  const sig = Buffer.from(signature, 'base64');
  if (sig.length !== 64) return false;
  try {
    return verify(null, body, publicKey, sig);
  } catch {
    return false;
  }
}
