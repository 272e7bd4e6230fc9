/**
 * Community rankings: the companies (and categories) friends report most, from `friend_reports` (one row per friend
 * and number, so each friend counts once per number), next to our own attempts for the same company.
 *
 * A report counts in a period when the friend saw the number call within it (its first..last seen overlaps the
 * period); a report without any call at the friend (listed from a mark or an import) counts in every period, as it
 * is on the friend's list today. Numbers cleared here on appeal and numbers we trust are left out, as the classifier
 * ignores friends' reports of them. Companies are compared as `lower(trim(company))`, like the local ranking.
 * Kept apart from reports.ts: it reads friends' tables only, on a read-only connection of its own per request.
 */
import { Connection, type SqlValue } from '../sqlite/connection.js';

export interface FriendReportsQuery {
  /** ms since epoch: [since, until) */
  since: number;
  until: number;
  /** Only reports with this category (case-insensitive). */
  category?: string;
  /** Companies listed. @defaultValue 20 */
  limit?: number;
}

export interface FriendTotals {
  /** Friends reporting it. */
  friends: number;
  /** Distinct numbers reported. */
  numbers: number;
  /** (friend, number) pairs: each friend once per number. */
  reports: number;
  /** Attempts the friends saw from those numbers (all time, as their feeds give them). */
  friendAttempts: number;
}

export interface FriendCompanyRow extends FriendTotals {
  company: string;
  category: string | null;
}

export interface FriendCategoryRow extends FriendTotals {
  category: string | null;
}

export interface FriendReportsRanking {
  companies: FriendCompanyRow[];
  categories: FriendCategoryRow[];
}

/** Our own attempts per company (the local ranking's rows), to set beside the friends' reports. */
export interface LocalCompanyTotals {
  company: string;
  category: string | null;
  attempts: number;
  stopped: number;
}

export interface CommunityCompany extends FriendCompanyRow {
  /** Our attempts from this company's numbers in the period (0 when it never called us). */
  localAttempts: number;
  localStopped: number;
}

export interface CommunityCategory extends FriendCategoryRow {
  localAttempts: number;
}

export interface CommunityRanking {
  companies: CommunityCompany[];
  categories: CommunityCategory[];
}

const WHERE = `
  WHERE ((r.first_seen IS NULL AND r.last_seen IS NULL)
         OR (COALESCE(r.last_seen, r.first_seen) >= ?1 AND COALESCE(r.first_seen, r.last_seen) < ?2))
    AND (?3 IS NULL OR lower(r.category) = lower(?3))
    AND NOT EXISTS (SELECT 1 FROM appeals a WHERE a.caller_key = r.caller_key)
    AND NOT EXISTS (SELECT 1 FROM numbers n WHERE n.caller_key = r.caller_key AND n.label = 'trusted')`;

const TOTALS = `count(DISTINCT r.friend_id) AS friends, count(DISTINCT r.caller_key) AS numbers, count(*) AS reports,
  ifnull(sum(r.attempts), 0) AS friendAttempts`;

/** The friends' side of the ranking, aggregated in SQL on `db`. */
export async function friendReportsRanking(db: Connection, q: FriendReportsQuery): Promise<FriendReportsRanking> {
  const params: SqlValue[] = [q.since, q.until, q.category ?? null, q.limit ?? 20];
  const companies = await db.all<FriendCompanyRow>(
    `SELECT min(trim(r.company)) AS company, min(r.category) AS category, ${TOTALS}
       FROM friend_reports r ${WHERE} AND trim(ifnull(r.company, '')) <> ''
      GROUP BY lower(trim(r.company)), lower(ifnull(r.category, ''))
      ORDER BY reports DESC, friends DESC, company
      LIMIT ?4`,
    params,
  );
  const categories = await db.all<FriendCategoryRow>(
    `SELECT min(r.category) AS category, ${TOTALS}
       FROM friend_reports r ${WHERE}
      GROUP BY lower(ifnull(r.category, ''))
      ORDER BY reports DESC, friends DESC, category`,
    params.slice(0, 3),
  );
  return { companies, categories };
}

/** The same, on a read-only connection to the register file opened for this query. */
export async function readFriendReportsRanking(file: string, q: FriendReportsQuery): Promise<FriendReportsRanking> {
  const db = await Connection.open(file, { readOnly: true });
  try {
    db.setBusyTimeout(5000);
    return await friendReportsRanking(db, q);
  } finally {
    await db.close();
  }
}

const companyKey = (company: string, category: string | null) =>
  `${company.trim().toLowerCase()}\u0000${(category ?? '').toLowerCase()}`;

/**
 * Friends' reports per company beside our own attempts for it (same company and category), and per category.
 * Order: reports, then friends, then our attempts: the suppliers that bother our friends, and whether us too.
 */
export function combineCommunity(
  friends: FriendReportsRanking,
  local: readonly LocalCompanyTotals[],
): CommunityRanking {
  const ours = new Map<string, LocalCompanyTotals>();
  const oursByCategory = new Map<string, number>();
  for (const c of local) {
    ours.set(companyKey(c.company, c.category), c);
    const cat = (c.category ?? '').toLowerCase();
    oursByCategory.set(cat, (oursByCategory.get(cat) ?? 0) + c.attempts);
  }
  const companies = friends.companies
    .map((f) => {
      const o = ours.get(companyKey(f.company, f.category));
      return { ...f, localAttempts: o?.attempts ?? 0, localStopped: o?.stopped ?? 0 };
    })
    .sort(
      (a, b) =>
        b.reports - a.reports ||
        b.friends - a.friends ||
        b.localAttempts - a.localAttempts ||
        a.company.localeCompare(b.company),
    );
  const categories = friends.categories.map((f) => ({
    ...f,
    localAttempts: oursByCategory.get((f.category ?? '').toLowerCase()) ?? 0,
  }));
  return { companies, categories };
}
