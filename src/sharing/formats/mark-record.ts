/** Helpers for foreign formats that yield marks: a number as found in the file → a mark record or a dropped row. */
import { normalizeNumber } from '../../callerid/index.js';
import type { MarkLabel } from '../../screening/types.js';
import type { SourceItem } from '../import.js';

export interface MarkDefaults {
  label: MarkLabel;
  /** Region for national numbers (ISO 3166, `IT`). */
  country: string;
  /** ms since epoch, when the file gives no time. */
  now: number;
  category?: string | null;
}

function clip(text: string | null | undefined, max: number): string | null {
  const t = text?.replace(/\s+/g, ' ').trim() ?? '';
  return t === '' ? null : t.slice(0, max);
}

/** A mark for `raw` or, when it is not a valid phone number, a dropped row naming why. */
export function markItem(
  line: number,
  raw: string,
  d: MarkDefaults,
  extra: { company?: string | null; category?: string | null; at?: number } = {},
): SourceItem {
  const text = raw.trim();
  if (text === '') return { line, dropped: 'blank number' };
  const n = normalizeNumber(text, d.country);
  if (n.e164 === null) return { line, dropped: `not a phone number (${n.flags[0] ?? 'unparsable'})` };
  if (!n.valid) return { line, dropped: 'number not valid in its country' };
  const at = extra.at ?? d.now;
  return {
    line,
    record: {
      kind: 'mark',
      values: {
        caller_key: n.e164,
        label: d.label,
        marked_at: at,
        company: clip(extra.company, 120),
        category: clip(extra.category === undefined ? d.category : extra.category, 60),
        updated_at: at,
      },
    },
  };
}
