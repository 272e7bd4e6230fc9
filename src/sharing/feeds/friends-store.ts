/**
 * Friends and what they report, in the register file (tables of migration 4). Used by the running service and by
 * the CLI, each on its own connection; every write is one short transaction.
 */
import { storedCategory } from '../../screening/categories.js';
import type { Connection } from '../../store/sqlite/connection.js';
import type { FeedPayload } from './feed-format.js';
import { publicKeyFromBase64 } from './feed-format.js';

export interface Friend {
  id: number;
  name: string;
  url: string;
  /** base64 SPKI DER of the friend's Ed25519 key. */
  publicKey: string;
  token: string;
  weight: number;
  /** Last feed version merged (monotone). */
  version: number;
  etag: string | null;
  lastPullAt: number | null;
  lastError: string | null;
  addedAt: number;
}

export interface NewFriend {
  name: string;
  url: string;
  publicKey: string;
  token: string;
  weight: number;
}

/** What was wrong with a friend to add: the field (the panel says it in the office's language) and a message (the CLI's). */
export class FriendInputError extends Error {
  constructor(
    message: string,
    readonly field: 'name' | 'url' | 'key' | 'weight' | 'taken',
  ) {
    super(message);
  }
}

interface FriendRow {
  id: number;
  name: string;
  url: string;
  public_key: string;
  token: string;
  weight: number;
  version: number;
  etag: string | null;
  last_pull_at: number | null;
  last_error: string | null;
  added_at: number;
}

function friendOf(r: FriendRow): Friend {
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    publicKey: r.public_key,
    token: r.token,
    weight: r.weight,
    version: r.version,
    etag: r.etag,
    lastPullAt: r.last_pull_at,
    lastError: r.last_error,
    addedAt: r.added_at,
  };
}

export function validateFriend(f: NewFriend): NewFriend {
  const name = f.name.trim();
  if (!/^[\w.@-]{1,60}$/u.test(name))
    throw new FriendInputError(`name: expected 1-60 letters, digits, . _ @ -, got ${JSON.stringify(f.name)}`, 'name');
  let url: URL;
  try {
    url = new URL(f.url);
  } catch {
    throw new FriendInputError(`url: not a URL: ${JSON.stringify(f.url)}`, 'url');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new FriendInputError('url: expected http(s)', 'url');
  try {
    publicKeyFromBase64(f.publicKey.trim());
  } catch (err) {
    throw new FriendInputError(`public key: ${err instanceof Error ? err.message : String(err)}`, 'key');
  }
  if (!(f.weight >= 0 && f.weight <= 1)) throw new FriendInputError(`weight: expected 0..1, got ${f.weight}`, 'weight');
  return { name, url: url.toString(), publicKey: f.publicKey.trim(), token: f.token, weight: f.weight };
}

export async function listFriends(db: Connection): Promise<Friend[]> {
  return (await db.all<FriendRow>('SELECT * FROM friends ORDER BY name')).map(friendOf);
}

/** A friend as `crocetta feed list` and the panel's Friends page show it: its pull's state, never its token. */
export interface FriendStatus {
  name: string;
  url: string;
  weight: number;
  /** Last feed version merged (0: never merged). */
  version: number;
  /** Numbers it reports now. */
  numbers: number;
  lastPullAt: number | null;
  lastError: string | null;
  addedAt: number;
}

export async function friendStatuses(db: Connection): Promise<FriendStatus[]> {
  const counts = new Map(
    (
      await db.all<{ friend_id: number; n: number }>(
        'SELECT friend_id, COUNT(*) AS n FROM friend_reports GROUP BY friend_id',
      )
    ).map((r) => [r.friend_id, r.n]),
  );
  return (await listFriends(db)).map((f) => ({
    name: f.name,
    url: f.url,
    weight: f.weight,
    version: f.version,
    numbers: counts.get(f.id) ?? 0,
    lastPullAt: f.lastPullAt,
    lastError: f.lastError,
    addedAt: f.addedAt,
  }));
}

export async function addFriend(db: Connection, input: NewFriend, now: number): Promise<Friend> {
  const f = validateFriend(input);
  if ((await db.get('SELECT 1 FROM friends WHERE name = ?', [f.name])) !== undefined)
    throw new FriendInputError(`a friend named ${f.name} exists already`, 'taken');
  await db.run('INSERT INTO friends (name, url, public_key, token, weight, added_at) VALUES (?, ?, ?, ?, ?, ?)', [
    f.name,
    f.url,
    f.publicKey,
    f.token,
    f.weight,
    now,
  ]);
  const row = await db.get<FriendRow>('SELECT * FROM friends WHERE name = ?', [f.name]);
  if (row === undefined) throw new Error(`friend ${f.name} not found after insert`);
  return friendOf(row);
}

/** Removes the friend and everything it reported. False when there is no such friend. */
export async function removeFriend(db: Connection, name: string): Promise<boolean> {
  await db.exec('BEGIN IMMEDIATE');
  try {
    const row = await db.get<{ id: number }>('SELECT id FROM friends WHERE name = ?', [name]);
    if (row !== undefined) {
      await db.run('DELETE FROM friend_reports WHERE friend_id = ?', [row.id]);
      await db.run('DELETE FROM friends WHERE id = ?', [row.id]);
    }
    await db.exec('COMMIT');
    return row !== undefined;
  } catch (err) {
    await db.exec('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

export async function notePullError(db: Connection, id: number, at: number, error: string): Promise<void> {
  await db.run('UPDATE friends SET last_pull_at = ?, last_error = ? WHERE id = ?', [at, error.slice(0, 500), id]);
}

export async function notePullUnchanged(db: Connection, id: number, at: number): Promise<void> {
  await db.run('UPDATE friends SET last_pull_at = ?, last_error = NULL WHERE id = ?', [at, id]);
}

const ROWS_PER_INSERT = 100;

/** Merges a verified feed in one transaction: a full feed replaces the friend's reports, an incremental one patches them. */
export async function mergeFeed(
  db: Connection,
  friendId: number,
  feed: FeedPayload,
  etag: string | null,
  at: number,
): Promise<void> {
  await db.exec('BEGIN IMMEDIATE');
  try {
    if (feed.full) await db.run('DELETE FROM friend_reports WHERE friend_id = ?', [friendId]);
    for (let i = 0; i < feed.removed.length; i += ROWS_PER_INSERT) {
      const part = feed.removed.slice(i, i + ROWS_PER_INSERT);
      await db.run(
        `DELETE FROM friend_reports WHERE friend_id = ? AND caller_key IN (${part.map(() => '?').join(',')})`,
        [friendId, ...part.map((r) => r.number)],
      );
    }
    for (let i = 0; i < feed.entries.length; i += ROWS_PER_INSERT) {
      const part = feed.entries.slice(i, i + ROWS_PER_INSERT);
      await db.run(
        `INSERT INTO friend_reports (friend_id, caller_key, company, category, attempts, first_seen, last_seen)
         VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}
         ON CONFLICT (friend_id, caller_key) DO UPDATE SET company = excluded.company, category = excluded.category,
           attempts = excluded.attempts, first_seen = excluded.first_seen, last_seen = excluded.last_seen`,
        part.flatMap((e) => [
          friendId,
          e.number,
          e.company,
          // A friend on an older crocetta may send `energia`: kept as the key, as ours, so the rankings see one;
          // another trimmed, as the API and CLI keep it.
          storedCategory(e.category),
          e.attempts,
          e.firstSeen,
          e.lastSeen,
        ]),
      );
    }
    await db.run('UPDATE friends SET version = ?, etag = ?, last_pull_at = ?, last_error = NULL WHERE id = ?', [
      feed.version,
      etag,
      at,
      friendId,
    ]);
    await db.exec('COMMIT');
  } catch (err) {
    await db.exec('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

export interface ReportRow {
  caller_key: string;
  friend: string;
  weight: number;
  company: string | null;
  category: string | null;
}

export function allReports(db: Connection): Promise<ReportRow[]> {
  return db.all<ReportRow>(
    `SELECT r.caller_key, f.name AS friend, f.weight, r.company, r.category
       FROM friend_reports r JOIN friends f ON f.id = r.friend_id`,
  );
}
