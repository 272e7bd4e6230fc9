/**
 * The callers that bother the office: the dashboard's "most insistent this week" and the rankings' numbers. A number
 * the office marked trusted (a customer, a supplier who rings every day) is not one, however often it calls: it is
 * left out of both (it was listed first on the demo's dashboard). The JSON API's `/api/rankings/numbers` keeps every
 * number, as scripts read it.
 */
import type { NumberRank } from '../store/reports/reports.js';
import type { PanelDeps } from './deps.js';

type RankRange = Parameters<PanelDeps['reports']['rankNumbers']>[0];

/** How many ranked numbers are read for each one shown: room for the trusted ones left out. */
const READ_PER_SHOWN = 4;

/** The `limit` numbers with the most attempts in `range` that are not marked trusted. */
export async function botheringNumbers(
  reports: Pick<PanelDeps['reports'], 'rankNumbers'>,
  range: Omit<RankRange, 'limit'>,
  limit: number,
): Promise<NumberRank[]> {
  const ranked = await reports.rankNumbers({ ...range, limit: limit * READ_PER_SHOWN });
  return ranked.filter((n) => n.label !== 'trusted').slice(0, limit);
}
