/** How attempts and marks map to and from their rows. The SQL here is constant text; values are always bound. */
import type { Reason } from '../../screening/types.js';
import { isRefusalAction } from './refusal.js';
import { unreachedSql } from './unreached.js';
import type { SqlValue } from '../sqlite/connection.js';
import {
  CHECK_RESULTS,
  type Attempt,
  type AttemptKind,
  type AttemptOutcome,
  type CheckResult,
  type MarkInput,
  type NewAttempt,
  type OutcomeUpdate,
} from './types.js';

function isCheckResult(v: unknown): v is CheckResult {
  return typeof v === 'string' && (CHECK_RESULTS as readonly string[]).includes(v);
}

const ATTEMPT_COLUMNS = [
  'time',
  'kind',
  'caller_key',
  'caller_e164',
  'caller_raw',
  'caller_name',
  'caller_source',
  'withheld',
  'called_number',
  'verdict',
  'score',
  'reasons',
  'action',
  'fail_open',
  'call_id',
  'source_address',
  'user_agent',
  'outcome',
  'final_status',
  'outcome_at',
  'refused_at',
  'message_length',
  'message_text',
] as const;

/**
 * The columns an attempt is inserted with, in attemptParams' order: its journal key (or null), the row, then its talk
 * time (null, unless one came before the row's commit: register.ts joins an update given while its attempt still waits
 * in the writer's queue to the row itself).
 */
export const INSERTED_ATTEMPT_COLUMNS: readonly string[] = ['journal_key', ...ATTEMPT_COLUMNS, 'talk_ms'];

/** Positions in attemptParams' values of what an update given before the row's commit changes (joinOutcome, joinTalk). */
const AT = {
  outcome: INSERTED_ATTEMPT_COLUMNS.indexOf('outcome'),
  finalStatus: INSERTED_ATTEMPT_COLUMNS.indexOf('final_status'),
  outcomeAt: INSERTED_ATTEMPT_COLUMNS.indexOf('outcome_at'),
  refusedAt: INSERTED_ATTEMPT_COLUMNS.indexOf('refused_at'),
  talkMs: INSERTED_ATTEMPT_COLUMNS.indexOf('talk_ms'),
};

/** INSERT of `rows` attempts in one statement (the text is built from constants only). */
export function insertAttemptsSql(rows: number): string {
  const tuple = `(${INSERTED_ATTEMPT_COLUMNS.map(() => '?').join(', ')})`;
  return `INSERT INTO attempts (${INSERTED_ATTEMPT_COLUMNS.join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}`;
}

export const INSERT_ATTEMPT_SQL = insertAttemptsSql(1);

/**
 * INSERT of any number of attempts given as one parameter: a JSON array of `attemptLine`s (commit-batch.ts says
 * why). `->>` gives SQL values: JSON strings as TEXT, integers as INTEGER, other numbers as REAL, null as NULL; the
 * columns' affinities then store exactly what binding `attemptParams` stores (register.test.ts compares both).
 * `jsonb_each`, not `json_each`: the array is parsed once into SQLite's binary JSON and each row's `value` stays binary,
 * where json_each rendered every row back to JSON text for `->>` to parse it again, 25 times a row (a third of
 * SQLite's thread time per refused call at 2,000 calls/s, perf; bench/insert-cost.ts: the INSERT's CPU per row).
 */
export const INSERT_ATTEMPTS_JSON_SQL = `INSERT INTO attempts (${INSERTED_ATTEMPT_COLUMNS.join(', ')}) SELECT ${INSERTED_ATTEMPT_COLUMNS.map((_, i) => `value->>${i}`).join(', ')} FROM jsonb_each(?1)`;

/** A lone surrogate (not half of a pair). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Values as one JSON array. JSON.stringify writes a lone surrogate (text no SIP header decodes to, but a string all the
 * same) as `\udXXX`, which SQLite's JSON would store as bytes that are not UTF-8, where a bound value stores U+FFFD:
 * such strings are written as binding writes them. (`\\ud` in the text is rarer still, and only costs the check.)
 */
function jsonValues(values: readonly SqlValue[]): string {
  const text = JSON.stringify(values);
  if (!text.includes('\\ud')) return text;
  return JSON.stringify(values.map((v) => (typeof v === 'string' ? v.replace(LONE_SURROGATE, '\ufffd') : v)));
}

/**
 * Where attemptParams' values split for attemptLineHead and attemptLineTail: the first a joined update changes
 * (outcome; joinOutcome and joinTalk change nothing before it).
 */
const FIRST_JOINED = Math.min(...Object.values(AT));

/**
 * The row's line up to what an update joined to it may change: `[` and the values before the outcome, each with its
 * `,` (the caller, the call's headers, the decision: most of the line). A row whose updates joined it before its
 * commit is written to the INSERT as this head, kept from its journal line, and a new attemptLineTail: the values
 * after the head are all that is serialized again (register.ts' PendingAttempt).
 */
export function attemptLineHead(params: readonly SqlValue[]): string {
  const head = jsonValues(params.slice(0, FIRST_JOINED));
  return `${head.slice(0, -1)},`;
}

/** The rest of the row's line after attemptLineHead: the outcome to the talk time, and the closing `]`. */
export function attemptLineTail(params: readonly SqlValue[]): string {
  return jsonValues(params.slice(FIRST_JOINED)).slice(1);
}

/**
 * The row (attemptParams' values) as one JSON line: the attempts journal's line and, joined with others, the
 * INSERT's parameter. The same text as the values' JSON array (lone surrogates written as binding writes them, see
 * jsonValues), made of its head and its tail.
 */
export function attemptLine(params: readonly SqlValue[]): string {
  return attemptLineHead(params) + attemptLineTail(params);
}

export const SELECT_ATTEMPT_SQL = `SELECT id, ${ATTEMPT_COLUMNS.join(', ')}, played_ms, hung_up_by, talk_ms, check_result, check_ms FROM attempts`;

/**
 * Parameters: outcome, final_status, outcome_at, refused (0/1), at, id, played_ms, hung_up_by, check_result,
 * check_ms (null keeps the stored value). Returns the caller and refused_at.
 */
const OUTCOME_SET = `
     SET outcome = ?1, final_status = ?2, outcome_at = ?3,
         refused_at = CASE WHEN ?4 = 1 AND refused_at IS NULL THEN ?5 ELSE refused_at END,
         played_ms = COALESCE(?7, played_ms), hung_up_by = COALESCE(?8, hung_up_by),
         check_result = COALESCE(?9, check_result), check_ms = COALESCE(?10, check_ms)`;

/** OUTCOME_SET with its parameters read from a line of a JSON array (`u`), and the talk time joined to it. */
const OUTCOME_SET_JSON = `${OUTCOME_SET.replace(/\?(\d+)/g, (_, n: string) => `u.value->>${Number(n) - 1}`)},
         talk_ms = COALESCE(u.value->>10, talk_ms)`;

/**
 * Whether the line `u` leaves the attempt's undelivered class (unreached.ts) as it is: the rule on the row as it is
 * and as the line sets it (outcome, final status, its time, check result unless the line has none; the action and
 * the attempt's time are never updated).
 */
const KEEPS_UNREACHED = `${unreachedSql({
  action: 'attempts.action',
  check: 'attempts.check_result',
  outcome: 'attempts.outcome',
  status: 'attempts.final_status',
  time: 'attempts.time',
  outcomeAt: 'attempts.outcome_at',
})} = ${unreachedSql({
  action: 'attempts.action',
  check: 'COALESCE(u.value->>8, attempts.check_result)',
  outcome: 'u.value->>0',
  status: 'u.value->>1',
  time: 'attempts.time',
  outcomeAt: 'u.value->>2',
})}`;

/**
 * The outcome updates of any number of attempts in one statement (commit-batch.ts' RowUpdater): ?1 is a JSON array of
 * outcomeLine()s, OUTCOME_SET's parameters ?1 to ?10 at positions 0 to 9, then the talk time (null: unchanged), a talk
 * time that came while its attempt's outcome update still waited in the writer's queue (a short answered call: it
 * rides along, register.ts). Returns each attempt's id, caller, refused_at and withheld (whether a PBX's decline is
 * a refusal of its caller: refusal.ts declineCounts). (jsonb_each has a column `id` of its own: the attempt's is
 * always `attempts.id` here; RETURNING names only the updated table's. jsonb_each, as the attempts' INSERT: each
 * line stays binary for its `->>`s.)
 *
 * It leaves out (returns nothing for) an update that changes whether its attempt reached anybody (KEEPS_UNREACHED
 * false: the PBX silent or unavailable, no PBX at the forward, the check not passed, or back): those few go through
 * UPDATE_OUTCOMES_MOVING_JSON_SQL, which moves the dashboard's count too (the view has no `withheld`: read from its
 * row). attempts has no trigger on its updates (migration 15): the many updates that change no count (an answered
 * call) pay for none.
 */
export const UPDATE_OUTCOMES_JSON_SQL = `UPDATE attempts ${OUTCOME_SET_JSON}
   FROM jsonb_each(?1) AS u WHERE attempts.id = u.value->>5 AND ${KEEPS_UNREACHED} RETURNING id, caller_key, refused_at, withheld`;

/**
 * UPDATE_OUTCOMES_JSON_SQL through the view attempt_outcomes (migration 15): its triggers write each row and move the
 * daily count of an attempt whose undelivered class the update changes, in the same statement. For the rows the other
 * leaves out (RowUpdater.rest), and any the register's statements would otherwise miss.
 */
export const UPDATE_OUTCOMES_MOVING_JSON_SQL = `UPDATE attempt_outcomes ${OUTCOME_SET_JSON}
   FROM jsonb_each(?1) AS u WHERE attempt_outcomes.id = u.value->>5
   RETURNING id, caller_key, refused_at, (SELECT withheld FROM attempts AS a WHERE a.id = attempt_outcomes.id) AS withheld`;

/**
 * An outcome update replayed from the attempts journal (replay-journal.ts): outcomeParams' ten, then the attempt's
 * journal key as ?11. It finds its attempt by journal key when it has one (an attempt replayed by the same start
 * has a new id), else by id; and it never overwrites an outcome known later than its own (outcome_at): replaying it
 * twice, or after a later update of the same attempt was committed, changes nothing. Through the view
 * attempt_outcomes, which moves the dashboard's count when the class changes; returns the attempt's id (a view's
 * UPDATE reports no changes).
 */
export const REPLAY_OUTCOME_BY_KEY_SQL = `UPDATE attempt_outcomes ${OUTCOME_SET}
   WHERE journal_key = ?11 AND (outcome_at IS NULL OR outcome_at <= ?3) RETURNING id`;
export const REPLAY_OUTCOME_BY_ID_SQL = `UPDATE attempt_outcomes ${OUTCOME_SET}
   WHERE id = ?6 AND (outcome_at IS NULL OR outcome_at <= ?3) RETURNING id`;

/** A talk time replayed from the journal: talk_ms, id, journal key (by key when there is one, as the outcome). */
export const REPLAY_TALK_BY_KEY_SQL = 'UPDATE attempts SET talk_ms = ?1 WHERE journal_key = ?3';
export const REPLAY_TALK_BY_ID_SQL = 'UPDATE attempts SET talk_ms = ?1 WHERE id = ?2';

/** Parameters: caller_key, at. */
export const UPSERT_CALLED_SQL = `
  INSERT INTO called_numbers (caller_key, last_at, calls) VALUES (?, ?, 1)
  ON CONFLICT (caller_key) DO UPDATE SET last_at = max(last_at, excluded.last_at), calls = calls + 1`;

/**
 * The talk times of any number of committed attempts in one statement (commit-batch.ts' RowUpdater, as the outcomes'):
 * ?1 is a JSON array of talkLine()s. Returns each attempt's id and caller. A talk time that comes once its attempt's
 * INSERT was built (most of them: a conversation outlasts the writer's commit interval) was a statement and a trip to
 * SQLite's thread of its own, the only write of a forwarded call not shared with other calls'.
 */
export const UPDATE_TALKS_JSON_SQL = `UPDATE attempts SET talk_ms = u.value->>0
   FROM jsonb_each(?1) AS u WHERE attempts.id = u.value->>1 RETURNING id, caller_key`;

/** The line of a talk time in UPDATE_TALKS_JSON_SQL's array: whole ms, the attempt's id. */
export function talkLine(talkMs: number, id: number): string {
  return `[${talkMs},${id}]`;
}

/** Parameters: caller_key, label, marked_at, company, category, updated_at. */
export const UPSERT_NUMBER_SQL = `
  INSERT INTO numbers (caller_key, label, marked_at, company, category, updated_at, mark_source)
  VALUES (?, ?, ?, ?, ?, ?, NULL)
  ON CONFLICT (caller_key) DO UPDATE SET
    label = excluded.label, marked_at = excluded.marked_at, company = excluded.company,
    category = excluded.category, updated_at = excluded.updated_at, mark_source = NULL`;

/** "Let the next call through": set (again: a new time) or withdrawn (migration 17's let_through). */
export const UPSERT_LET_THROUGH_SQL = `
  INSERT INTO let_through (caller_key, set_at, by) VALUES (?, ?, ?)
  ON CONFLICT (caller_key) DO UPDATE SET set_at = excluded.set_at, by = excluded.by`;
export const DELETE_LET_THROUGH_SQL = 'DELETE FROM let_through WHERE caller_key = ?';
/** A call used it: the row set at or before the call's time (one set again since then stays). */
export const USED_LET_THROUGH_SQL = 'DELETE FROM let_through WHERE caller_key = ? AND set_at <= ?';

export const INSERT_MARK_HISTORY_SQL =
  'INSERT INTO mark_history (caller_key, label, company, category, at, by) VALUES (?, ?, ?, ?, ?, ?)';

/** The values of INSERTED_ATTEMPT_COLUMNS; `journalKey` null when the row is not journaled. */
export function attemptParams(a: NewAttempt, journalKey: number | null = null): SqlValue[] {
  const refusedAt = isRefusalAction(a.action) ? a.time : null;
  return [
    journalKey,
    a.time,
    a.kind,
    a.callerKey,
    a.callerE164,
    a.callerRaw,
    a.callerName,
    a.callerSource,
    a.withheld ? 1 : 0,
    a.calledNumber,
    a.verdict,
    a.score,
    JSON.stringify(a.reasons),
    a.action,
    a.failOpen ? 1 : 0,
    a.callId,
    a.sourceAddress,
    a.userAgent,
    a.outcome,
    a.finalStatus,
    null,
    refusedAt,
    a.messageLength,
    a.messageText,
    null,
  ];
}

/**
 * An outcome update applied to attemptParams' values of a row not yet inserted, as OUTCOME_SET applies it to a stored
 * row: outcome, final status and its time replaced, refused_at set when the update refuses and none is set yet. Only
 * for updates OUTCOME_SET's other columns are not in (playedMs, hungUpBy, check, checkMs all absent or null).
 */
export function joinOutcome(params: SqlValue[], u: OutcomeUpdate): void {
  params[AT.outcome] = u.outcome;
  params[AT.finalStatus] = u.finalStatus;
  params[AT.outcomeAt] = u.at;
  if (u.refused && params[AT.refusedAt] === null) params[AT.refusedAt] = u.at;
}

/** A talk time (whole ms) applied to attemptParams' values of a row not yet inserted. */
export function joinTalk(params: SqlValue[], talkMs: number): void {
  params[AT.talkMs] = talkMs;
}

/**
 * The line of an outcome update in UPDATE_OUTCOMES_JSON_SQL's array: outcomeParams, then the talk time joined to it
 * (null: none). Values as binding them stored them (strings of the outcome's words, whole or fractional numbers).
 */
export function outcomeLine(params: readonly SqlValue[], talkMs: number | null): string {
  return JSON.stringify([...params, talkMs]);
}

/**
 * Parameters of an outcome update (OUTCOME_SET's ?1 to ?10, by position); `id` null for an attempt not committed yet
 * (its journal line then finds it by journal key).
 */
export function outcomeParams(id: number | null, u: OutcomeUpdate): SqlValue[] {
  return [
    u.outcome,
    u.finalStatus,
    u.at,
    u.refused ? 1 : 0,
    u.at,
    id,
    u.playedMs ?? null,
    u.hungUpBy ?? null,
    u.check ?? null,
    u.checkMs ?? null,
  ];
}

/**
 * A cleared mark's row keeps the clearing's own time as `updated_at` (the index's, which the start-up load reads
 * back: load-index.ts loadClearings), where a mark keeps it as `marked_at`.
 */
export function numberParams(callerKey: string, m: MarkInput, now: number): SqlValue[] {
  const marked = m.label !== 'none';
  return [callerKey, marked ? m.label : null, marked ? m.at : null, m.company, m.category, marked ? now : m.at];
}

export function historyParams(callerKey: string, m: MarkInput): SqlValue[] {
  return [callerKey, m.label, m.company, m.category, m.at, m.by];
}

export interface AttemptRow {
  id: number;
  time: number;
  kind: string;
  caller_key: string | null;
  caller_e164: string | null;
  caller_raw: string | null;
  caller_name: string | null;
  caller_source: string;
  withheld: number;
  called_number: string | null;
  verdict: string;
  score: number;
  reasons: string;
  action: string;
  fail_open: number;
  call_id: string;
  source_address: string | null;
  user_agent: string | null;
  outcome: string;
  final_status: number | null;
  outcome_at: number | null;
  refused_at: number | null;
  message_length: number | null;
  message_text: string | null;
  played_ms?: number | null;
  hung_up_by?: string | null;
  talk_ms?: number | null;
  check_result?: string | null;
  check_ms?: number | null;
}

function parseReasons(text: string): Reason[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as Reason[]) : [];
  } catch {
    return [];
  }
}

export function attemptFromRow(r: AttemptRow): Attempt {
  return {
    id: r.id,
    time: r.time,
    kind: r.kind as AttemptKind,
    callerKey: r.caller_key,
    callerE164: r.caller_e164,
    callerRaw: r.caller_raw,
    callerName: r.caller_name,
    callerSource: r.caller_source,
    withheld: r.withheld === 1,
    calledNumber: r.called_number,
    verdict: r.verdict as Attempt['verdict'],
    score: r.score,
    reasons: parseReasons(r.reasons),
    action: r.action,
    failOpen: r.fail_open === 1,
    callId: r.call_id,
    sourceAddress: r.source_address,
    userAgent: r.user_agent,
    outcome: r.outcome as AttemptOutcome,
    finalStatus: r.final_status,
    outcomeAt: r.outcome_at,
    refusedAt: r.refused_at,
    messageLength: r.message_length,
    messageText: r.message_text,
    // Only announcements and answered refusals have these; other rows keep their shape.
    ...(r.played_ms !== null && r.played_ms !== undefined ? { playedMs: r.played_ms } : {}),
    ...(r.hung_up_by === 'caller' || r.hung_up_by === 'crocetta' ? { hungUpBy: r.hung_up_by } : {}),
    ...(r.talk_ms !== null && r.talk_ms !== undefined ? { talkMs: r.talk_ms } : {}),
    // The human check's result: null when the attempt had none (the API shows the field on every row).
    check: isCheckResult(r.check_result) ? r.check_result : null,
    checkMs: r.check_ms ?? null,
  };
}
