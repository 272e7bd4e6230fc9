import type { AggregatesStatus } from '../../store/reports/aggregates.js';
import { html, type SafeHtml } from '../html.js';
import type { PageContext } from './layout.js';

/** How far a rebuild is, in whole percent (0 while the attempts to count are not known yet). */
export function rebuildPercent(status: AggregatesStatus): number | null {
  if (status.state !== 'rebuilding') return null;
  return status.total > 0 ? Math.floor((100 * status.done) / status.total) : 0;
}

/**
 * The dashboard's and the rankings' line while their aggregates are being rebuilt (aggregates.ts): the figures are
 * incomplete, calls are not affected. Nothing when they are complete.
 */
export function aggregatesNotice(ctx: PageContext, status: AggregatesStatus): SafeHtml | '' {
  if (status.state !== 'rebuilding') return '';
  const { t, number } = ctx.loc;
  const text =
    status.total > 0
      ? t('aggregatesRebuildingProgress', {
          done: number(status.done),
          total: number(status.total),
          percent: rebuildPercent(status) ?? 0,
        })
      : t('aggregatesRebuilding');
  return html`<p class="notice warning" role="status" data-aggregates="rebuilding">${text}</p>`;
}

/** The JSON API's `aggregates` field: `{ state: 'ready' }`, or `{ state: 'rebuilding', done, total, percent }`. */
export function aggregatesField(status: AggregatesStatus): AggregatesStatus & { percent?: number } {
  return status.state === 'rebuilding' ? { ...status, percent: rebuildPercent(status) ?? 0 } : status;
}
