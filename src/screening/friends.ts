/**
 * Friends' reports as evidence (issue 6): each friend that lists the number counts once, with the weight the
 * business gives that friend; the weights combine by noisy-OR like every other reason. Below the consensus (the
 * number of friends that must agree) the reports only explain and weigh nothing.
 */
import type { FriendEvidence, FriendReport, Reason } from './types.js';

/** The friends a report names; more are counted (`1 more`). */
export const NAMES_SHOWN = 3;

export function friendReason(evidence: FriendEvidence | null | undefined): Reason | null {
  if (evidence === undefined || evidence === null || evidence.reports.length === 0) return null;
  const reports = evidence.reports;
  const count = reports.length;
  const counts = count >= evidence.consensus;
  let keep = 1;
  for (const r of reports) keep *= 1 - Math.min(1, Math.max(0, r.weight));
  const names = reports.slice(0, NAMES_SHOWN).map((r) => r.friend);
  if (count > NAMES_SHOWN) names.push(`${count - NAMES_SHOWN} more`);
  // The first two companies and categories named, in report order, each once (a company and a category of the same
  // name: the first); the params say which shown item is which (the panel names a category, never a company).
  const about: string[] = [];
  const params: Record<string, string | number> = { friends: count, consensus: evidence.consensus, about: 0 };
  for (let i = 0; i < reports.length && about.length < 2; i++) {
    const r = reports[i] as FriendReport;
    aboutItem(about, params, r.company, 'company');
    if (about.length < 2) aboutItem(about, params, r.category, 'category');
  }
  params['about'] = about.length;
  const what = about.length > 0 ? `, ${about.join(', ')}` : '';
  const gate = counts ? '' : `; ${evidence.consensus} needed to count`;
  return {
    code: 'friend-reports',
    text: `reported by ${count === 1 ? '1 friend' : `${count} friends`} (${names.join(', ')}${what})${gate}`,
    weight: counts ? 1 - keep : 0,
    params,
  };
}

/**
 * Shows `item` (a report's company or category) unless blank or already shown; its param names what it is:
 * `company`, `category` for the first of its kind, `company2`, `category2` for a second.
 */
function aboutItem(
  about: string[],
  params: Record<string, string | number>,
  item: string | null,
  kind: 'company' | 'category',
): void {
  if (item === null || item.trim() === '' || about.includes(item)) return;
  about.push(item);
  params[params[kind] === undefined ? kind : `${kind}2`] = item;
}
