/** The register's filtered view as CSV (RFC 4180), streamed page by page, safe to open in a spreadsheet. */
import type { Reports } from '../store/reports/reports.js';
import type { Attempt, AttemptQuery } from '../store/register/types.js';
import { hiddenTag } from './withheld.js';
import { csvCell } from '../sharing/csv-cells.js';

/** Rows per CSV download at most (the register can hold millions). */
export const CSV_MAX_ROWS = 200_000;
const CHUNK = 1000;

/** One CSV field: the export's cell rule (quoted when needed, formulas and `+39...` neutralised, csv-cells.ts). */
export function csvField(value: string | number | boolean | null): string {
  return csvCell(value);
}

const HEADER = [
  'time_local',
  'time_utc',
  'number',
  'raw',
  'display_name',
  'withheld',
  'called',
  'verdict',
  'score',
  'reasons',
  'action',
  'outcome',
  'final_status',
  'source_address',
  'user_agent',
  'call_id',
  'check',
  'check_ms',
];

/**
 * The register as CSV. `excel`: for a spreadsheet opened by double-click where the list separator is `;` and the
 * decimal mark a comma (Italian Excel, which read the plain file as one column with its accents garbled): a UTF-8
 * byte-order mark, `;` between cells, the score as `0,990`. The plain form (RFC 4180, `,`) is unchanged.
 */
export async function registerCsv(
  reports: Reports,
  filter: AttemptQuery,
  timeZone: string,
  write: (chunk: string) => void,
  opts: {
    excel?: boolean;
    /** Rows as the office may read them: a withheld caller's number replaced by its token (withheld.ts). */
    mask?: (rows: Attempt[]) => Attempt[];
  } = {},
): Promise<number> {
  const local = new Intl.DateTimeFormat('sv-SE', { timeZone, dateStyle: 'short', timeStyle: 'medium' });
  const excel = opts.excel === true;
  const sep = excel ? ';' : ',';
  const field = excel ? (v: string | number | boolean | null) => csvCell(v, ';') : csvField;
  write(`${excel ? '\ufeff' : ''}${HEADER.join(sep)}\r\n`);
  let count = 0;
  let before = filter.before;
  while (count < CSV_MAX_ROWS) {
    const rows = await reports.register({ ...filter, ...(before && { before }), limit: CHUNK });
    if (rows.length === 0) break;
    let out = '';
    for (const a of opts.mask === undefined ? rows : opts.mask(rows)) {
      out +=
        [
          local.format(a.time),
          new Date(a.time).toISOString(),
          a.callerE164 ?? (a.callerKey !== null && hiddenTag(a.callerKey) !== null ? a.callerKey : null),
          a.callerRaw,
          a.callerName,
          a.withheld,
          a.calledNumber,
          a.verdict,
          excel ? a.score.toFixed(3).replace('.', ',') : a.score.toFixed(3),
          a.reasons.map((r) => r.text).join('; '),
          a.action,
          a.outcome,
          a.finalStatus,
          a.sourceAddress,
          a.userAgent,
          a.callId,
          a.check ?? null,
          a.checkMs ?? null,
        ]
          .map(field)
          .join(sep) + '\r\n';
    }
    write(out);
    count += rows.length;
    const last = rows[rows.length - 1];
    if (rows.length < CHUNK || last === undefined) break;
    before = { time: last.time, id: last.id };
  }
  return count;
}
