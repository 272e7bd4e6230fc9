/**
 * One pull of one friend's feed over HTTP, with every check before anything is merged: size (declared and read),
 * signature (over the exact bytes), shape, freshness (issuedAt), replay (version not newer than the one merged, or
 * an answer to another request than ours). Returns a value; the caller logs and merges.
 */
import {
  feedPayloadSchema,
  SIGNATURE_HEADER,
  verifyFeed,
  publicKeyFromBase64,
  type FeedPayload,
} from './feed-format.js';
import type { Friend } from './friends-store.js';

export interface PullLimits {
  maxBytes: number;
  maxEntries: number;
  /** A feed issued longer ago than this is stale. */
  maxAgeMs: number;
  /** A feed issued further in the future than this is refused too (clocks disagree). */
  maxSkewMs: number;
  timeoutMs: number;
}

export type RejectReason = 'forged' | 'replayed' | 'stale' | 'oversized' | 'malformed' | 'unreachable';

export type PullResult =
  | { kind: 'unchanged' }
  | { kind: 'feed'; feed: FeedPayload; etag: string | null; bytes: number }
  | { kind: 'rejected'; reason: RejectReason; detail: string };

/**
 * A friend's feed URL as the log and the friends table's last error may say it: the host and path, the query's
 * parameter names with their values `[redacted]` and any user name or password in it `[redacted]` (a feed behind a
 * proxy that takes its key in the query string, `?key=…`, or credentials typed into the URL): the log keeps no
 * credential (src/log.ts), and the friend's token travels only in the Authorization header. A query item that is not
 * `name=value` with a plain name (a bare token, `?s3cret`) is redacted whole: its "name" is the secret. A path segment
 * that is a secret (pathSegmentForLog: a proxy's `/t/<token>/api/feed`, a generated `/9f8a…/feed`) is `[redacted]`.
 */
export function urlForLog(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '[not a URL]';
  }
  const user = u.username !== '' || u.password !== '' ? '[redacted]@' : '';
  const query = u.search
    .slice(1)
    .split('&')
    .filter((item) => item !== '')
    .map(queryItemForLog)
    .join('&');
  const path = u.pathname
    .split('/')
    .map((segment, i, all) => pathSegmentForLog(segment, all[i - 1]))
    .join('/');
  return `${u.protocol}//${user}${u.host}${path}${query === '' ? '' : `?${query}`}`;
}

/** Path segments that name the secret in the segment after them (`/token/<token>`, `/key/<key>`), in lower case. */
const SECRET_NAMES = new Set([
  'token',
  't',
  'key',
  'apikey',
  'api-key',
  'api_key',
  'secret',
  'auth',
  'access-token',
  'access_token',
  'password',
  'sig',
  'signature',
]);

/**
 * A path segment as the log may say it: `[redacted]` when it is a secret, else as written. A secret is
 * - the segment after one naming it (SECRET_NAMES, any case: `/token/q-s3cret-77/feed`, `/t/…`, `/key/…`), whatever
 *   it is; or
 * - a generated token: 16 characters or more, only letters, digits and `-_+/=` once %-decoded (hex, base64, base64url,
 *   a UUID), where a letter meets a digit or a small letter a capital at least 3 times (`AbCdEf12gH…`,
 *   `123e4567-e89b-…`), or hexadecimal with a run of 8 or more mixing letters and digits (`9f8a7c6e5d4b3a2f…`,
 *   `43260579b5996886`; not `feed-2026-12-05-ab`, whose letters are hex digits too).
 * Names are kept: `/crocetta/feed.json` (a `.` makes a file name), `/api/feed`, `/uffici/studio-rossi-2026/feed`
 * (words and numbers apart), `/Telemarketing_Segnalazioni_2026` (capitals only at the start of a word), `feed-v2026`
 * (one meeting), numbers alone (`/feeds/20261205123456789`, an id). A CamelCase name of 16 characters or more and four
 * words (`/OfficeFeedExportV2`) is taken for a token: the log loses a name rather than keep a secret.
 */
export function pathSegmentForLog(segment: string, before: string | undefined): string {
  if (segment === '') return segment;
  if (before !== undefined && SECRET_NAMES.has(before.toLowerCase())) return '[redacted]';
  let text = segment;
  try {
    text = decodeURIComponent(segment);
  } catch {
    // a broken %-escape: judged as written (its `%` makes it no token)
  }
  if (text.length < 16 || !/^[A-Za-z0-9_+/=-]+$/.test(text)) return segment;
  // Where a letter meets a digit, or a small letter a capital (`a1`, `1a`, `aB`): rare in names, everywhere in tokens.
  const mixes = text.match(/(?=[A-Za-z]\d|\d[A-Za-z]|[a-z][A-Z])/g)?.length ?? 0;
  // Hexadecimal: a run of 8 or more with letters and digits (`feed`, `add`, `cafe` are hex letters too: words stay).
  const hex =
    /^[0-9a-fA-F-]+$/.test(text) && text.split('-').some((r) => r.length >= 8 && /\d/.test(r) && /[a-fA-F]/.test(r));
  return mixes >= 3 || hex ? '[redacted]' : segment;
}

/** `name=[redacted]` for a parameter with a plain name (`key`, `X-Amz-Signature`), else `[redacted]`. */
function queryItemForLog(item: string): string {
  const eq = item.indexOf('=');
  const name = eq < 0 ? '' : item.slice(0, eq);
  return /^[A-Za-z][A-Za-z0-9_.-]{0,31}$/.test(name) ? `${name}=[redacted]` : '[redacted]';
}

export function feedUrl(friend: Pick<Friend, 'url'>, since: number): string {
  const url = new URL(friend.url);
  url.searchParams.set('since', String(since));
  return url.toString();
}

async function readCapped(res: Response, max: number): Promise<Buffer | null> {
  if (res.body === null) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = res.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) break;
    const value: Uint8Array = chunk.value;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

/** Checks a feed's bytes and signature against what we asked; exported for tests of tampered feeds. */
export function checkFeed(
  body: Buffer,
  signature: string | null,
  friend: Pick<Friend, 'publicKey' | 'version'>,
  since: number,
  now: number,
  limits: PullLimits,
): PullResult {
  if (body.length > limits.maxBytes)
    return { kind: 'rejected', reason: 'oversized', detail: `${body.length} bytes > ${limits.maxBytes}` };
  if (signature === null) return { kind: 'rejected', reason: 'forged', detail: `no ${SIGNATURE_HEADER} header` };
  const sig = /^ed25519=(.+)$/.exec(signature.trim())?.[1];
  if (sig === undefined || !verifyFeed(body, sig, publicKeyFromBase64(friend.publicKey))) {
    return { kind: 'rejected', reason: 'forged', detail: "the signature does not match the friend's public key" };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { kind: 'rejected', reason: 'malformed', detail: 'not JSON' };
  }
  const checked = feedPayloadSchema.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    return {
      kind: 'rejected',
      reason: 'malformed',
      detail: issue === undefined ? 'invalid feed' : `${issue.path.join('.')}: ${issue.message}`,
    };
  }
  const feed: FeedPayload = checked.data;
  if (feed.entries.length + feed.removed.length > limits.maxEntries) {
    return {
      kind: 'rejected',
      reason: 'oversized',
      detail: `${feed.entries.length + feed.removed.length} entries > ${limits.maxEntries}`,
    };
  }
  if (feed.issuedAt < now - limits.maxAgeMs || feed.issuedAt > now + limits.maxSkewMs) {
    return { kind: 'rejected', reason: 'stale', detail: `issued at ${new Date(feed.issuedAt).toISOString()}` };
  }
  // Every feed answers our `since`; a full list may repeat the version we hold (a resync), changes must be newer.
  if (
    feed.since !== since ||
    feed.full !== (since === 0) ||
    (feed.full ? feed.version < friend.version : feed.version <= friend.version)
  ) {
    return {
      kind: 'rejected',
      reason: 'replayed',
      detail: `version ${feed.version} (since ${feed.since}), we hold ${friend.version} and asked since ${since}`,
    };
  }
  return { kind: 'feed', feed, etag: null, bytes: body.length };
}

export async function pullFeed(friend: Friend, since: number, now: number, limits: PullLimits): Promise<PullResult> {
  const headers: Record<string, string> = { authorization: `Bearer ${friend.token}`, accept: 'application/json' };
  if (since > 0 && friend.etag !== null) headers['if-none-match'] = friend.etag;
  let res: Response;
  const url = feedUrl(friend, since);
  try {
    res = await fetch(url, {
      headers,
      signal: AbortSignal.timeout(limits.timeoutMs),
      redirect: 'error',
    });
  } catch (err) {
    // fetch's message may quote the URL whole (one with a password in it: "cannot be constructed from a URL that
    // includes credentials: http://user:pass@…"); the detail is logged and kept as the friend's last error.
    const message = err instanceof Error ? err.message : String(err);
    return { kind: 'rejected', reason: 'unreachable', detail: message.split(url).join(urlForLog(url)) };
  }
  if (res.status === 304) return { kind: 'unchanged' };
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => undefined);
    return { kind: 'rejected', reason: 'unreachable', detail: `HTTP ${res.status}` };
  }
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > limits.maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    return { kind: 'rejected', reason: 'oversized', detail: `Content-Length ${declared} > ${limits.maxBytes}` };
  }
  let body: Buffer | null;
  try {
    body = await readCapped(res, limits.maxBytes);
  } catch (err) {
    return { kind: 'rejected', reason: 'unreachable', detail: err instanceof Error ? err.message : String(err) };
  }
  if (body === null) return { kind: 'rejected', reason: 'oversized', detail: `body > ${limits.maxBytes} bytes` };
  const result = checkFeed(body, res.headers.get(SIGNATURE_HEADER), friend, since, now, limits);
  return result.kind === 'feed' ? { ...result, etag: res.headers.get('etag') } : result;
}
