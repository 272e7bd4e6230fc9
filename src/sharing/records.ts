/**
 * The records of crocetta's own export format (docs/export-format.md), version 2 (version 1 plus the attempt's
 * `check` and `check_ms`; files of version 1 still import): one flat object per mark, mark-history entry or attempt. JSON Lines and CSV carry the same records; this module validates them.
 *
 * Times are ISO 8601 UTC with milliseconds (`2026-11-05T08:30:00.000Z`): exact for the register's ms integers.
 */

import { CHECK_RESULTS } from '../store/register/types.js';
import { parseDateTime } from '../time/zoned-time.js';

export const FORMAT_NAME = 'crocetta-register';
export const FORMAT_VERSION = 2;

export type RecordKind = 'mark' | 'history' | 'attempt' | 'called';

type FieldType = 'text' | 'int' | 'real' | 'time' | 'bool' | 'json';

interface FieldSpec {
  /** Column of the SQLite table (numbers, mark_history or attempts). */
  column: string;
  type: FieldType;
  required?: boolean;
  /** Allowed values, when closed. */
  values?: readonly string[];
  /** Longest text accepted. @defaultValue 200 */
  max?: number;
}

const LABELS = ['nuisance', 'trusted'] as const;
const HISTORY_LABELS = ['nuisance', 'trusted', 'none'] as const;
const VERDICTS = ['trusted', 'unknown', 'suspect', 'nuisance'] as const;
const OUTCOMES = [
  'pending',
  'forwarded',
  'answered',
  'declined',
  'rejected',
  'cancelled',
  'failed',
  'timeout',
] as const;

/** Field name in the file → how it is stored. `number` is the caller key (E.164 `+39...` or `raw:...`). */
export const FIELDS: Record<RecordKind, Readonly<Record<string, FieldSpec>>> = {
  mark: {
    number: { column: 'caller_key', type: 'text', required: true, max: 70 },
    label: { column: 'label', type: 'text', required: true, values: LABELS },
    marked_at: { column: 'marked_at', type: 'time', required: true },
    company: { column: 'company', type: 'text', max: 120 },
    category: { column: 'category', type: 'text', max: 60 },
    updated_at: { column: 'updated_at', type: 'time' },
  },
  history: {
    number: { column: 'caller_key', type: 'text', required: true, max: 70 },
    label: { column: 'label', type: 'text', required: true, values: HISTORY_LABELS },
    company: { column: 'company', type: 'text', max: 120 },
    category: { column: 'category', type: 'text', max: 60 },
    at: { column: 'at', type: 'time', required: true },
    by: { column: 'by', type: 'text', required: true, max: 60 },
  },
  attempt: {
    number: { column: 'caller_key', type: 'text', max: 70 },
    time: { column: 'time', type: 'time', required: true },
    kind: { column: 'kind', type: 'text', required: true, values: ['call', 'message'] },
    caller_e164: { column: 'caller_e164', type: 'text', max: 20 },
    caller_raw: { column: 'caller_raw', type: 'text', max: 200 },
    caller_name: { column: 'caller_name', type: 'text', max: 200 },
    caller_source: { column: 'caller_source', type: 'text', required: true, max: 40 },
    withheld: { column: 'withheld', type: 'bool', required: true },
    called_number: { column: 'called_number', type: 'text', max: 70 },
    verdict: { column: 'verdict', type: 'text', required: true, values: VERDICTS },
    score: { column: 'score', type: 'real', required: true },
    reasons: { column: 'reasons', type: 'json', required: true, max: 20_000 },
    action: { column: 'action', type: 'text', required: true, max: 40 },
    fail_open: { column: 'fail_open', type: 'bool', required: true },
    call_id: { column: 'call_id', type: 'text', required: true, max: 500 },
    source_address: { column: 'source_address', type: 'text', max: 100 },
    user_agent: { column: 'user_agent', type: 'text', max: 300 },
    outcome: { column: 'outcome', type: 'text', required: true, values: OUTCOMES },
    final_status: { column: 'final_status', type: 'int' },
    outcome_at: { column: 'outcome_at', type: 'time' },
    refused_at: { column: 'refused_at', type: 'time' },
    message_length: { column: 'message_length', type: 'int' },
    message_text: { column: 'message_text', type: 'text', max: 10_000 },
    played_ms: { column: 'played_ms', type: 'int' },
    hung_up_by: { column: 'hung_up_by', type: 'text', values: ['caller', 'crocetta'] },
    // Version 2: the human check's result and how long it took (ms from the answer).
    check: { column: 'check_result', type: 'text', values: CHECK_RESULTS },
    check_ms: { column: 'check_ms', type: 'int' },
  },
  /** A number the business called (the "we called them" safety net): when last, how many times. */
  called: {
    number: { column: 'caller_key', type: 'text', required: true, max: 70 },
    last_at: { column: 'last_at', type: 'time', required: true },
    calls: { column: 'calls', type: 'int', required: true },
  },
};

/** The CSV header of version 2: `type`, then every field of every record type once, in this order. */
export const CSV_COLUMNS: readonly string[] = [
  'type',
  ...new Set([
    ...Object.keys(FIELDS.mark),
    ...Object.keys(FIELDS.history),
    ...Object.keys(FIELDS.attempt),
    ...Object.keys(FIELDS.called),
  ]),
];

export type SqlCell = string | number | null;

/** A validated record: its kind and its values by column, ready to bind. */
export interface ImportRecord {
  kind: RecordKind;
  values: Record<string, SqlCell>;
}

export type FileValue = string | number | boolean | null | undefined;

/** A caller key: E.164 or `raw:` followed by what the header carried. */
const E164 = /^\+[1-9]\d{1,14}$/;

export function isCallerKey(text: string): boolean {
  return E164.test(text) || (text.startsWith('raw:') && text.length > 4);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?(Z|[+-]\d\d:\d\d)$/;

function parseCell(name: string, spec: FieldSpec, raw: FileValue): SqlCell {
  if (raw === undefined || raw === null || raw === '') {
    if (spec.required) throw new Error(`${name}: required`);
    return null;
  }
  switch (spec.type) {
    case 'text':
    case 'json': {
      if (typeof raw !== 'string') throw new Error(`${name}: expected text`);
      if (raw.length > (spec.max ?? 200)) throw new Error(`${name}: longer than ${spec.max ?? 200} characters`);
      if (spec.values && !spec.values.includes(raw))
        throw new Error(`${name}: expected one of ${spec.values.join(', ')}, got ${JSON.stringify(raw.slice(0, 40))}`);
      if (spec.type === 'json') {
        try {
          JSON.parse(raw);
        } catch {
          throw new Error(`${name}: not valid JSON`);
        }
      }
      return raw;
    }
    case 'time': {
      if (typeof raw !== 'string' || !ISO_TIME.test(raw))
        throw new Error(`${name}: expected an ISO 8601 time such as 2026-11-05T08:30:00.000Z`);
      const ms = parseDateTime(raw);
      if (!Number.isFinite(ms)) throw new Error(`${name}: not a valid time`);
      return ms;
    }
    case 'bool': {
      if (raw === true || raw === 'true' || raw === 1 || raw === '1') return 1;
      if (raw === false || raw === 'false' || raw === 0 || raw === '0') return 0;
      throw new Error(`${name}: expected true or false`);
    }
    case 'int':
    case 'real': {
      const n =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && /^-?\d+(\.\d+)?(e-?\d+)?$/i.test(raw)
            ? Number(raw)
            : NaN;
      if (!Number.isFinite(n) || (spec.type === 'int' && !Number.isInteger(n)))
        throw new Error(`${name}: expected a number`);
      return n;
    }
  }
}

/** Validates one record as read from a file (JSON object, or CSV row by header). Throws an Error with the reason. */
export function validateRecord(input: Record<string, FileValue>, csv = false): ImportRecord {
  const kind = input.type;
  if (kind !== 'mark' && kind !== 'history' && kind !== 'attempt' && kind !== 'called') {
    throw new Error(`type: expected mark, history, attempt or called, got ${JSON.stringify(kind)}`);
  }
  const fields = FIELDS[kind];
  const values: Record<string, SqlCell> = {};
  for (const [name, raw] of Object.entries(input)) {
    if (name === 'type') continue;
    const spec = fields[name];
    if (spec === undefined) {
      // A CSV row has every kind's columns: those of the other kinds must be empty.
      if (csv && (raw === '' || raw === undefined) && CSV_COLUMNS.includes(name)) continue;
      throw new Error(`${name}: not a field of a ${kind} record`);
    }
    values[spec.column] = parseCell(name, spec, raw);
  }
  for (const [name, spec] of Object.entries(fields)) {
    if (!(spec.column in values)) {
      if (spec.required) throw new Error(`${name}: required`);
      values[spec.column] = null;
    }
  }
  const key = values.caller_key;
  if (typeof key === 'string' && !isCallerKey(key))
    throw new Error(`number: expected E.164 (+39...) or raw:..., got ${JSON.stringify(key.slice(0, 40))}`);
  if (kind === 'mark' && values.updated_at === null) values.updated_at = values.marked_at ?? null;
  return { kind, values };
}

/** A row of a table as a record of the file (JSON values: times ISO, booleans true/false, absent = null). */
export function recordFromRow(
  kind: RecordKind,
  row: Record<string, SqlCell>,
): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = { type: kind };
  for (const [name, spec] of Object.entries(FIELDS[kind])) {
    const v = row[spec.column];
    if (v === undefined || v === null) out[name] = null;
    else if (spec.type === 'time') out[name] = iso(Number(v));
    else if (spec.type === 'bool') out[name] = v === 1 || v === '1';
    else out[name] = v;
  }
  return out;
}
