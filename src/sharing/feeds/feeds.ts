/**
 * Friends' feeds, running: our signed feed for `GET /api/feed`, and the pull rounds over the friends' feeds
 * (schedule, ETag, backoff, periodic full resync), whose verified reports go to the in-memory FriendIndex.
 * One connection of its own to the register file; its uses are queued one at a time (transactions never mix).
 */
import type { Clock } from '../../screening/types.js';
import { silentLogger, type StoreLogger } from '../../store/logger.js';
import { Connection } from '../../store/sqlite/connection.js';
import { canonicalJson, signFeed } from './feed-format.js';
import { loadOrCreateFeedKeys, type FeedKeys } from './feed-keys.js';
import { buildFeed, currentVersion, listedByHashPrefix, type PrefixMatch } from './feed-publisher.js';
import { pullFeed, urlForLog, type PullLimits, type RejectReason } from './feed-puller.js';
import { FriendIndex } from './friend-index.js';
import {
  addFriend,
  allReports,
  friendStatuses,
  listFriends,
  mergeFeed,
  notePullError,
  notePullUnchanged,
  removeFriend,
  type Friend,
  type FriendStatus,
  type NewFriend,
} from './friends-store.js';

export interface FeedSettings extends PullLimits {
  /** How often the friends' feeds are pulled; 0 = only when asked (pullAll). */
  pullIntervalMs: number;
  /** Longest wait after failures (the wait doubles per failure from pullIntervalMs). */
  maxBackoffMs: number;
  /** A full list is asked for this often (and at the first pull after a start). */
  fullResyncMs: number;
  /** Friends that must report a number before their reports weigh (the consensus rule). */
  consensus: number;
}

export interface PublishedFeed {
  body: Buffer;
  signature: string;
  version: number;
  etag: string;
}

export interface PullSummary {
  friend: string;
  outcome: 'merged' | 'unchanged' | 'rejected' | 'skipped';
  reason?: RejectReason;
  detail?: string;
  version?: number;
  entries?: number;
  removed?: number;
}

interface PullState {
  failures: number;
  nextAt: number;
  lastFullAt: number | null;
}

export function feedEtag(version: number): string {
  return `"v${version}"`;
}

export class FeedService {
  readonly index: FriendIndex;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<PullSummary[]> | undefined;
  private readonly state = new Map<number, PullState>();
  private closed = false;

  private constructor(
    private readonly db: Connection,
    private readonly keys: FeedKeys,
    private readonly settings: FeedSettings,
    private readonly clock: Clock,
    private readonly logger: StoreLogger,
  ) {
    this.index = new FriendIndex(settings.consensus);
  }

  static async open(
    file: string,
    settings: FeedSettings,
    clock: Clock,
    logger: StoreLogger = silentLogger,
  ): Promise<FeedService> {
    const db = await Connection.open(file);
    try {
      db.setBusyTimeout(5000);
      await db.exec('PRAGMA foreign_keys = ON');
      const keys = await loadOrCreateFeedKeys(db, clock.now());
      const service = new FeedService(db, keys, settings, clock, logger);
      service.index.replace(await allReports(db));
      for (const r of await db.all<{ caller_key: string }>('SELECT DISTINCT caller_key FROM appeals'))
        service.index.clear(r.caller_key);
      return service;
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
  }

  /** Our public key, base64 SPKI DER: what friends enter with `crocetta feed add`. */
  get publicKey(): string {
    return this.keys.publicBase64;
  }

  version(): Promise<number> {
    return this.serial(() => currentVersion(this.db));
  }

  /** Our feed of the changes after `since` (0: everything), canonical JSON signed with our key. */
  publish(since: number): Promise<PublishedFeed> {
    return this.serial(async () => {
      await this.db.exec('BEGIN');
      try {
        const payload = await buildFeed(this.db, since, this.clock.now());
        const body = Buffer.from(canonicalJson(payload), 'utf8');
        return {
          body,
          signature: signFeed(body, this.keys.privateKey),
          version: payload.version,
          etag: feedEtag(payload.version),
        };
      } finally {
        await this.db.exec('COMMIT').catch(() => undefined);
      }
    });
  }

  /** Listed numbers whose sha256 starts with `prefix` (the k-anonymity lookup). */
  lookupPrefix(prefix: string): Promise<PrefixMatch[]> {
    return this.serial(() => listedByHashPrefix(this.db, prefix));
  }

  /**
   * A wrongly listed caller cleared on appeal: the reason is kept in `appeals`; friends' reports of the number are
   * ignored from now on. The caller also clears the mark with `by: APPEAL_BY`, so our feed carries the tombstone.
   */
  appeal(callerKey: string, reason: string, by: string): Promise<void> {
    this.index.clear(callerKey);
    return this.serial(async () => {
      await this.db.run('INSERT INTO appeals (caller_key, reason, at, by) VALUES (?, ?, ?, ?)', [
        callerKey,
        reason,
        this.clock.now(),
        by,
      ]);
    });
  }

  /** The friends, each with the numbers it reports now and its last pull (the panel's Friends page). */
  friends(): Promise<FriendStatus[]> {
    return this.serial(() => friendStatuses(this.db));
  }

  /**
   * Adds a friend (FriendInputError: a wrong name, URL, key or weight, or the name taken) and starts a round in the
   * background, so its feed is pulled now rather than at the next tick of the schedule (a round under way already
   * takes it at the next one).
   */
  async addFriend(input: NewFriend): Promise<Friend> {
    const friend = await this.serial(() => addFriend(this.db, input, this.clock.now()));
    this.logger.info({ friend: friend.name, url: urlForLog(friend.url) }, 'friend added');
    this.pullAll(false).catch((err: unknown) => this.logger.error({ err }, "friends' feeds pull round failed"));
    return friend;
  }

  /** Removes a friend with its reports, which stop counting at once; false when there is no such friend. */
  async removeFriend(name: string): Promise<boolean> {
    const removed = await this.serial(() => removeFriend(this.db, name));
    if (removed) {
      await this.reloadReports();
      this.logger.info({ friend: name }, 'friend removed with its reports');
    }
    return removed;
  }

  /** Pulls every friend that is due (all of them when `force`), merges what verifies, refreshes the index. */
  pullAll(force = true): Promise<PullSummary[]> {
    this.round ??= this.runRound(force).finally(() => {
      this.round = undefined;
    });
    return this.round;
  }

  /** Pulls on a schedule; the timer never keeps the process alive. */
  start(): void {
    if (this.settings.pullIntervalMs <= 0 || this.timer !== undefined) return;
    this.timer = setInterval(
      () => {
        this.pullAll(false).catch((err: unknown) => this.logger.error({ err }, "friends' feeds pull round failed"));
      },
      Math.min(this.settings.pullIntervalMs, 60_000),
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.round?.catch(() => undefined);
    await this.queue.catch(() => undefined);
    await this.db.close();
  }

  private async runRound(force: boolean): Promise<PullSummary[]> {
    const friends = await this.serial(() => listFriends(this.db));
    const out: PullSummary[] = [];
    for (const friend of friends) {
      if (this.closed) break;
      out.push(await this.pullOne(friend, force));
    }
    await this.reloadReports();
    return out;
  }

  private async pullOne(friend: Friend, force: boolean): Promise<PullSummary> {
    const now = this.clock.now();
    const st = this.state.get(friend.id) ?? { failures: 0, nextAt: 0, lastFullAt: null };
    this.state.set(friend.id, st);
    if (!force && now < st.nextAt) return { friend: friend.name, outcome: 'skipped' };
    const full = friend.version === 0 || st.lastFullAt === null || now - st.lastFullAt >= this.settings.fullResyncMs;
    const since = full ? 0 : friend.version;
    const result = await pullFeed(friend, since, now, this.settings);
    const log = { friend: friend.name, url: urlForLog(friend.url), since };
    if (result.kind === 'rejected') {
      st.failures++;
      const wait = Math.min(
        this.settings.maxBackoffMs,
        Math.max(this.settings.pullIntervalMs, 1000) * 2 ** Math.min(st.failures - 1, 20),
      );
      st.nextAt = now + wait;
      this.logger.warn(
        { ...log, reason: result.reason, detail: result.detail, retryInMs: wait },
        'friend feed rejected: nothing merged',
      );
      await this.serial(() => notePullError(this.db, friend.id, now, `${result.reason}: ${result.detail}`));
      return { friend: friend.name, outcome: 'rejected', reason: result.reason, detail: result.detail };
    }
    st.failures = 0;
    st.nextAt = now + this.settings.pullIntervalMs;
    if (result.kind === 'unchanged') {
      await this.serial(() => notePullUnchanged(this.db, friend.id, now));
      return { friend: friend.name, outcome: 'unchanged' };
    }
    const { feed } = result;
    await this.serial(() => mergeFeed(this.db, friend.id, feed, result.etag, now));
    if (feed.full) st.lastFullAt = now;
    this.logger.info(
      {
        ...log,
        version: feed.version,
        full: feed.full,
        entries: feed.entries.length,
        removed: feed.removed.length,
        bytes: result.bytes,
      },
      'friend feed merged',
    );
    return {
      friend: friend.name,
      outcome: 'merged',
      version: feed.version,
      entries: feed.entries.length,
      removed: feed.removed.length,
    };
  }

  /** The friends' reports in memory rebuilt from the register (after a pull round, a friend removed). */
  private async reloadReports(): Promise<void> {
    this.index.replace(await this.serial(() => allReports(this.db)));
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
