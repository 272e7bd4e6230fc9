import type { AggregatesStatus } from '../../store/reports/aggregates.js';
import { html, type SafeHtml } from '../html.js';
import type { MessageKey } from '../i18n.js';
import type { PageContext } from './layout.js';

/** How far a rebuild is, in whole percent (0 while the attempts to count are not known yet). */
export function rebuildPercent(status: AggregatesStatus): number | null {
  if (status.state !== 'rebuilding') return null;
  return status.total > 0 ? Math.floor((100 * status.done) / status.total) : 0;
}

/** What a page shows from the aggregates: its figures (dashboard, rankings), a caller's days, the register's ticks. */
export type AggregatesShown = 'figures' | 'days' | 'ticks';

const TEXTS = {
  figures: ['aggregatesRebuilding', 'aggregatesRebuildingProgress'],
  days: ['aggregatesRebuildingDays', 'aggregatesRebuildingDaysProgress'],
  ticks: ['aggregatesRebuildingTicks', 'aggregatesRebuildingTicksProgress'],
} as const satisfies Record<AggregatesShown, readonly [MessageKey, MessageKey]>;

/**
 * A page's line while the aggregates it shows are being rebuilt (aggregates.ts): what is incomplete (the figures of
 * the dashboard and the rankings, a number's ticks per day, the ticks beside the register's numbers) and how far the
 * rebuild is; calls are not affected. Nothing when they are complete.
 */
export function aggregatesNotice(
  ctx: PageContext,
  status: AggregatesStatus,
  shown: AggregatesShown = 'figures',
): SafeHtml | '' {
  if (status.state !== 'rebuilding') return '';
  const { t, number } = ctx.loc;
  const [plain, progress] = TEXTS[shown];
  const text =
    status.total > 0
      ? t(progress, {
          done: number(status.done),
          total: number(status.total),
          percent: rebuildPercent(status) ?? 0,
        })
      : t(plain);
  return html`<p class="notice warning" role="status" data-aggregates="rebuilding">${text}</p>`;
}

/** The JSON API's `aggregates` field: `{ state: 'ready' }`, or `{ state: 'rebuilding', done, total, percent }`. */
export function aggregatesField(status: AggregatesStatus): AggregatesStatus & { percent?: number } {
  return status.state === 'rebuilding' ? { ...status, percent: rebuildPercent(status) ?? 0 } : status;
}
