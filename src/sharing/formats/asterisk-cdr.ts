/**
 * Asterisk CDR CSV (cdr_csv's Master.csv, no header): accountcode, src, dst, dcontext, clid, channel, dstchannel,
 * lastapp, lastdata, start, answer, end, duration, billsec, disposition, amaflags[, uniqueid[, userfield]].
 * - An inbound call (from an outside number) seeds the register: one attempt, verdict `unknown`, action `allow`,
 *   Call-ID `cdr:<uniqueid>` (or start+src), so importing the same CDR twice adds nothing.
 * - An outbound call (from an extension to an outside number) feeds the "we called them" net (called_numbers).
 * Direction: dcontext `from-internal`/`outbound*` or a short src (an extension, ≤ 6 digits) with a long dst is
 * outbound; anything else with an outside src is inbound. Times are the PBX's local time in `timeZone`.
 */
import type { Readable } from 'node:stream';
import { isPlaceholderNumber, normalizeNumber } from '../../callerid/index.js';
import type { SourceItem } from '../import.js';
import { csvRows } from '../text-input.js';

export interface CdrOptions {
  /** Region for national numbers (ISO 3166). */
  country: string;
  /** The PBX's IANA time zone (CDR times are local). */
  timeZone: string;
}

const OUTBOUND_CONTEXT = /^(from-internal|outbound|outgoing|from-users|internal)/i;
const INBOUND_CONTEXT = /^(from-trunk|from-pstn|from-external|from-did|inbound|incoming)/i;

function offsetAt(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(ms);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return (
    Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) -
    Math.floor(ms / 1000) * 1000
  );
}

/** `2024-01-15 10:23:45` in `timeZone` → ms since epoch. */
export function localTime(text: string, timeZone: string): number | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)$/.exec(text.trim());
  if (!m) return undefined;
  const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  let ms = asUtc - offsetAt(asUtc, timeZone);
  ms = asUtc - offsetAt(ms, timeZone);
  return Number.isFinite(ms) ? ms : undefined;
}

const digits = (s: string) => s.replace(/\D/g, '');
const OUTCOMES: Record<string, string> = {
  ANSWERED: 'answered',
  BUSY: 'declined',
  'NO ANSWER': 'cancelled',
  FAILED: 'failed',
  CONGESTION: 'failed',
};

/** `"Name" <0212345678>` → Name. */
function clidName(clid: string): string | null {
  const m = /^\s*"?([^"<]*)"?\s*</.exec(clid);
  const name = m?.[1]?.trim() ?? '';
  return name === '' ? null : name.slice(0, 200);
}

export async function* readAsteriskCdr(input: Readable, o: CdrOptions): AsyncGenerator<SourceItem> {
  for await (const { line, cells } of csvRows(input)) {
    if (cells.length < 16) {
      yield { line, error: `expected at least 16 CDR fields, found ${cells.length}` };
      continue;
    }
    const [, src = '', dst = '', dcontext = '', clid = '', , , , , start = '', , , , billsec = '', disposition = ''] =
      cells;
    const uniqueid = cells[16] ?? '';
    const at = localTime(start, o.timeZone);
    if (at === undefined) {
      yield { line, error: `start: expected YYYY-MM-DD hh:mm:ss, got ${JSON.stringify(start.slice(0, 30))}` };
      continue;
    }
    const srcDigits = digits(src);
    const dstDigits = digits(dst);
    const outbound =
      OUTBOUND_CONTEXT.test(dcontext) ||
      (!INBOUND_CONTEXT.test(dcontext) && srcDigits.length > 0 && srcDigits.length <= 6 && dstDigits.length >= 7);
    if (outbound) {
      const n = normalizeNumber(dst, o.country);
      if (n.e164 === null || !n.valid) {
        yield { line, dropped: 'outbound call to a service or invalid number' };
        continue;
      }
      yield { line, record: { kind: 'called', values: { caller_key: n.e164, last_at: at, calls: 1 } } };
      continue;
    }
    const caller = normalizeNumber(src, o.country);
    const withheld = src.trim() === '' || /anonymous|restricted|private|unknown/i.test(src);
    // As callerKey: a carrier's placeholder (`0000000000`, `+39`) is no caller's key.
    const key =
      withheld || isPlaceholderNumber(caller)
        ? null
        : (caller.e164 ?? (caller.raw === '' ? null : `raw:${caller.raw}`));
    const did = normalizeNumber(dst, o.country);
    const outcome = OUTCOMES[disposition.trim().toUpperCase()] ?? 'forwarded';
    const talk = Number(billsec);
    yield {
      line,
      record: {
        kind: 'attempt',
        values: {
          caller_key: key,
          time: at,
          kind: 'call',
          caller_e164: withheld ? null : caller.e164,
          caller_raw: withheld ? null : caller.raw,
          caller_name: clidName(clid),
          caller_source: 'cdr',
          withheld: withheld ? 1 : 0,
          called_number: did.e164 ?? (dst.trim() || null),
          verdict: 'unknown',
          score: 0,
          reasons: '[]',
          action: 'allow',
          fail_open: 0,
          call_id: uniqueid.trim() ? `cdr:${uniqueid.trim()}` : `cdr:${start}:${src}:${dst}`,
          source_address: null,
          user_agent: null,
          outcome,
          final_status: null,
          outcome_at: Number.isFinite(talk) && outcome === 'answered' ? at + talk * 1000 : null,
          refused_at: null,
          message_length: null,
          message_text: null,
          played_ms: null,
          hung_up_by: null,
        },
      },
    };
  }
}
