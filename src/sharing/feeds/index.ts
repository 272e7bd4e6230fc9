/** Friends' feeds: publish our signed nuisance list, pull and verify friends' lists, merge them as evidence. */
import type { Config } from '../../config/schema.js';
import type { Connection } from '../../store/sqlite/connection.js';
import type { FeedSettings } from './feeds.js';
import { FriendIndex } from './friend-index.js';
import { allReports } from './friends-store.js';

export { FeedService, feedEtag, type FeedSettings, type PublishedFeed, type PullSummary } from './feeds.js';
export { FriendIndex };
export * from './feed-format.js';
export { checkFeed, pullFeed, type PullLimits, type PullResult, type RejectReason } from './feed-puller.js';
export {
  addFriend,
  friendStatuses,
  listFriends,
  removeFriend,
  FriendInputError,
  type Friend,
  type FriendStatus,
  type NewFriend,
} from './friends-store.js';
export { loadOrCreateFeedKeys } from './feed-keys.js';
export { APPEAL_BY, numberHash, type PrefixMatch } from './feed-publisher.js';

const MIN = 60_000;

export function feedSettings(c: Config['feeds']): FeedSettings {
  return {
    pullIntervalMs: c.pullIntervalMinutes * MIN,
    maxBackoffMs: c.maxBackoffMinutes * MIN,
    fullResyncMs: c.fullResyncHours * 60 * MIN,
    maxBytes: c.maxFeedBytes,
    maxEntries: c.maxEntries,
    maxAgeMs: c.maxAgeMinutes * MIN,
    maxSkewMs: 5 * MIN,
    timeoutMs: c.timeoutMs,
    consensus: c.consensus,
  };
}

/** The friends' reports as the service holds them, read once (the CLI's lookup). */
export async function loadFriendIndex(db: Connection, consensus: number): Promise<FriendIndex> {
  const index = new FriendIndex(consensus);
  index.replace(await allReports(db));
  for (const r of await db.all<{ caller_key: string }>('SELECT DISTINCT caller_key FROM appeals'))
    index.clear(r.caller_key);
  return index;
}
