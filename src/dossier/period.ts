/** The dossier's period from text: a local day `YYYY-MM-DD` (since: its start; until: its end) or an ISO instant. */
import { localDayStart, parseDateTime } from '../time/zoned-time.js';

/** A bound that is no time (`since`, `until`), or a period that ends before it starts (`order`). */
export class PeriodError extends Error {
  override name = 'PeriodError';
  constructor(
    message: string,
    readonly problem: 'since' | 'until' | 'order',
  ) {
    super(message);
  }
}

export function parsePeriodBound(
  value: string | undefined,
  name: 'since' | 'until',
  timeZone: string,
): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const ms = localDayStart(text, timeZone, name === 'until' ? 1 : 0);
    if (ms !== undefined && Number.isFinite(ms)) return ms;
  } else {
    const ms = /^\d+$/.test(text) ? Number(text) : parseDateTime(text);
    if (Number.isFinite(ms)) return ms;
  }
  throw new PeriodError(
    `${name}: expected a day (YYYY-MM-DD), an ISO 8601 instant or ms since epoch, got ${JSON.stringify(text.slice(0, 40))}`,
    name,
  );
}

export function parsePeriod(
  since: string | undefined,
  until: string | undefined,
  timeZone: string,
): { since?: number; until?: number } {
  const s = parsePeriodBound(since, 'since', timeZone);
  const u = parsePeriodBound(until, 'until', timeZone);
  if (s !== undefined && u !== undefined && s >= u) throw new PeriodError('since: must be before until', 'order');
  return { ...(s !== undefined && { since: s }), ...(u !== undefined && { until: u }) };
}
