/**
 * Friends' reports as evidence (issue 6): each friend that lists the number counts once, with the weight the
 * business gives that friend; the weights combine by noisy-OR like every other reason. Below the consensus (the
 * number of friends that must agree) the reports only explain and weigh nothing.
 */
import type { FriendEvidence, Reason } from './types.js';

const NAMES_SHOWN = 3;

export function friendReason(evidence: FriendEvidence | null | undefined): Reason | null {
  if (evidence === undefined || evidence === null || evidence.reports.length === 0) return null;
  const reports = evidence.reports;
  const count = reports.length;
  const counts = count >= evidence.consensus;
  let keep = 1;
  for (const r of reports) keep *= 1 - Math.min(1, Math.max(0, r.weight));
  const names = reports.slice(0, NAMES_SHOWN).map((r) => r.friend);
  if (count > NAMES_SHOWN) names.push(`${count - NAMES_SHOWN} more`);
  const about = [
    ...new Set(
      reports.flatMap((r) => [r.company, r.category]).filter((s): s is string => s !== null && s.trim() !== ''),
    ),
  ];
  const what = about.length > 0 ? `, ${about.slice(0, 2).join(', ')}` : '';
  const gate = counts ? '' : `; ${evidence.consensus} needed to count`;
  return {
    code: 'friend-reports',
    text: `reported by ${count === 1 ? '1 friend' : `${count} friends`} (${names.join(', ')}${what})${gate}`,
    weight: counts ? 1 - keep : 0,
    params: { friends: count, consensus: evidence.consensus },
  };
}
