/**
 * Retransmissions and duplicates of requests crocetta already has, recognised by transaction (RFC 3261 17.2.3:
 * Call-ID, CSeq, From tag and the top Via's branch), so that none becomes a second attempt, a second request to
 * the PBX, or evidence against the caller.
 *
 * drachtio-server absorbs a retransmission itself while the request waits for crocetta (its pending-request map)
 * or while the request's proxy core lives, and sofia's server transaction absorbs one of a request crocetta
 * answered (and sends the final answer again). It hands crocetta a copy as a brand-new request, with a new
 * transaction id, once the proxy core is gone: at once after the PBX's 2xx to an INVITE, 32 s (Timer D) after a
 * non-2xx, 5 s (Timer K) after a MESSAGE's final. A UAC retransmits for at most 64·T1 = 32 s (Timers B and F), so
 * a transaction is remembered 32 s plus a margin from the moment crocetta first saw it, in a bounded map.
 *
 * What a copy gets (RFC 3261 17.2.1/17.2.2, RFC 6026 7.1):
 * - an INVITE whose original got a non-2xx final answer: that answer again (the server transaction's Completed
 *   state);
 * - an INVITE whose original was answered 2xx (by the PBX through the proxy, or by crocetta) or has no final
 *   answer yet: nothing, it is absorbed (the Accepted state: "MUST NOT be passed to the TU"); the 2xx reaches the
 *   caller by the answering side's own retransmissions, and the original's final answer is on its way;
 * - a MESSAGE (any non-INVITE): the original's final answer again, once there is one.
 */
import type Srf from 'drachtio-srf';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { AttemptKind } from '../store/register/types.js';
import { reasonPhrase } from './sip-status-codes.js';
import type { SrfRequest } from './srf-augment.js';
import { forgetPendingInvite } from './srf-internals.js';
import { isAnswered, isFinal, REQUEST_TERMINATED, REQUEST_TIMEOUT } from './verdict-to-sip.js';

/** The final answer the caller was sent for a transaction: status, reason and the headers crocetta set. */
export interface FinalAnswer {
  status: number;
  reason: string | null;
  headers: Record<string, string>;
}

export interface TransactionLimits {
  /** How long a transaction is remembered after crocetta first saw it (ms): Timer B/F (32 s) plus a margin. */
  ttlMs: number;
  /** Transactions remembered at most; the oldest are forgotten first beyond it (a flood of new requests). */
  maxEntries: number;
  /** Copies of one MESSAGE waiting for its original's answer, at most; more are absorbed. */
  maxWaiting: number;
}

export const DEFAULT_TRANSACTION_LIMITS: TransactionLimits = { ttlMs: 40_000, maxEntries: 50_000, maxWaiting: 8 };

/** The original of a transaction: tell it the final answer the caller got, whoever sent it. */
export interface Original {
  readonly copy: false;
  answered(final: FinalAnswer | null): void;
}

/**
 * A transaction remembered, which is also what its original is handed (one object a request, no closure: 50,000 of
 * them live at 1,250 requests/s).
 */
class Seen implements Original {
  readonly copy = false;
  final: FinalAnswer | null = null;
  /** The final answer is known (answered() was called). */
  known = false;
  /** Copies waiting for the final answer (MESSAGE), from the first that waits until it is known. */
  waiting: Array<(final: FinalAnswer | null) => void> | null = null;

  /** `at`: when crocetta first saw the transaction (monotonic ms). */
  constructor(readonly at: number) {}

  answered(final: FinalAnswer | null): void {
    if (this.known) return;
    this.known = true;
    this.final = final;
    const waiting = this.waiting;
    this.waiting = null;
    if (waiting !== null) for (const resolve of waiting) resolve(final);
  }
}

/** An original `enter` handed out before its transaction is remembered (`file`). */
class Unfiled extends Seen {}

/** A copy of a transaction crocetta already has. */
export interface Copy {
  copy: true;
  /** The final answer the original got, waiting for it up to the transaction's remaining lifetime. */
  finalAnswer(): Promise<FinalAnswer | null>;
  /** The original's final answer if it has one now. */
  readonly final: FinalAnswer | null;
}

const NO_ORIGINAL: Original = { copy: false, answered: () => undefined };

/**
 * A final answer's headers when crocetta set none (the PBX's answers through the proxy, drachtio-server's 487): one
 * frozen object for all. Each remembered transaction keeps its final answer for the ttl (40 s: ~32,000 at 800
 * proxied calls/s), and an empty object of its own was 56 bytes in the old generation a call, promoted by a scavenge
 * and marked by every mark-compact (session 47, docs/measurements.md). Never handed to drachtio-srf as it is
 * (answerCopy sends a copy: Response#send changes the headers object it is given).
 */
const NO_HEADERS: Record<string, string> = Object.freeze({});

/**
 * The final answer the proxy reports for a PBX status (no reason, no headers of crocetta's), one frozen object a status
 * for the statuses SIP has (100–699), as NO_HEADERS: a proxied call's transaction keeps the shared 200's, not one of its own.
 */
const proxiedFinals = new Map<number, FinalAnswer>();
function proxiedFinal(status: number): FinalAnswer {
  const shared = proxiedFinals.get(status);
  if (shared !== undefined) return shared;
  const final: FinalAnswer = Object.freeze({ status, reason: null, headers: NO_HEADERS });
  if (Number.isInteger(status) && status >= 100 && status <= 699) proxiedFinals.set(status, final);
  return final;
}

/** drachtio-server's 487 after a CANCEL (observeCancel), shared as proxiedFinal's. */
const CANCELLED_FINAL: FinalAnswer = Object.freeze({
  status: REQUEST_TERMINATED.status,
  reason: REQUEST_TERMINATED.reason,
  headers: NO_HEADERS,
});

/**
 * The transaction of a request: Call-ID, CSeq, From tag, top Via branch; null without a Call-ID or CSeq. Read by hand
 * (keyFrom): this runs before every answer, and the regular expressions, the CSeq's replace and the Via's split it
 * was written with cost more than the rest of the check (profile at 100 calls/s, bench/sip-handler.ts).
 */
export function transactionKey(req: { get(name: string): unknown }): string | null {
  return keyFrom(req.get('call-id'), req.get('cseq'), req.get('from'), req.get('via'));
}

/** The request's Call-ID as its transaction key reads it (trimmed; '' for none): see knowsCallId. */
export function transactionCallId(req: { get(name: string): unknown }): string {
  return text(req.get('call-id'));
}

function keyFrom(callIdValue: unknown, cseqValue: unknown, fromValue: unknown, viaValue: unknown): string | null {
  const callId = text(callIdValue);
  const cseq = oneSpaced(text(cseqValue));
  if (callId === '' || cseq === '') return null;
  const from = text(fromValue);
  let gt = from.length - 1;
  while (gt >= 0 && from.charCodeAt(gt) !== 62 /* > */) gt--;
  const fromTag = paramValue(from, gt < 0 ? 0 : gt, from.length, 'tag', FROM_TAG_END);
  const via = text(viaValue);
  let comma = via.indexOf(',');
  if (comma < 0) comma = via.length;
  const branch = paramValue(via, 0, comma, 'branch', BRANCH_END);
  // A copy: the Call-ID and the branch are slices of drachtio-srf's whole message (V8 slices 13 characters or more),
  // which the key, remembered for the transaction's ttl, would keep alive (~1 KB a request, 50,000 requests). Made by
  // join, which writes the characters into one new string: detached's copy (a concatenation sliced) is a 32-byte view
  // over a copy one character longer, two heap objects a remembered transaction where one does (session 47).
  return [callId, cseq, fromTag, branch].join('\n');
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** Whether `c` is what `\s` matches in a JavaScript regular expression. */
function isSpace(c: number): boolean {
  if (c === 32 || (c >= 9 && c <= 13)) return true;
  if (c < 160) return false;
  return (
    c === 160 ||
    c === 5760 ||
    (c >= 8192 && c <= 8202) ||
    c === 8232 ||
    c === 8233 ||
    c === 8239 ||
    c === 8287 ||
    c === 12288 ||
    c === 65279
  );
}

/** `value.replace(/\s+/g, ' ')`, without the replace when there is nothing to replace (`1 INVITE`). */
function oneSpaced(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 32 ? isSpace(value.charCodeAt(i + 1)) : isSpace(c)) return value.replace(/\s+/g, ' ');
  }
  return value;
}

/** A From tag's value ends at `;`, `,`, a space or `>`; a branch's at `;`, `,` or a space. */
const FROM_TAG_END = (c: number): boolean => c === 59 || c === 44 || c === 62 || isSpace(c);
const BRANCH_END = (c: number): boolean => c === 59 || c === 44 || isSpace(c);

/**
 * The first `;\s*name\s*=\s*(value)` in `value` between `start` and `end` (`name` lower case, matched in any case;
 * the value one character or more up to `ends`), or '': what `/;\s*name\s*=\s*([^…]+)/i.exec(value.slice(start,
 * end))?.[1] ?? ''` gives.
 */
function paramValue(value: string, start: number, end: number, name: string, ends: (c: number) => boolean): string {
  for (let at = value.indexOf(';', start); at >= 0 && at < end; at = value.indexOf(';', at + 1)) {
    let i = at + 1;
    while (i < end && isSpace(value.charCodeAt(i))) i++;
    if (i + name.length > end) return '';
    let j = 0;
    while (j < name.length && (value.charCodeAt(i + j) | 32) === name.charCodeAt(j)) j++;
    if (j < name.length) continue;
    i += j;
    while (i < end && isSpace(value.charCodeAt(i))) i++;
    if (i >= end || value.charCodeAt(i) !== 61 /* = */) continue;
    i++;
    while (i < end && isSpace(value.charCodeAt(i))) i++;
    const first = i;
    while (i < end && !ends(value.charCodeAt(i))) i++;
    if (i > first) return value.slice(first, i);
  }
  return '';
}

export class RecentTransactions {
  /** By key. */
  private readonly seen = new Map<string, Seen>();
  /**
   * How many of the transactions remembered have each Call-ID (the key's first line): a request whose Call-ID none
   * has is no copy of any (knowsCallId).
   */
  private readonly callIds = new Map<string, number>();
  /**
   * The keys in the order crocetta first saw them, and when (a ring of `seen.size` entries from `head`): entries only
   * ever leave oldest first, so the oldest is read here, not from the Map. A Map leaves a deleted entry as a hole
   * until its table is rebuilt, and an iterator starts at the table's beginning: reading the oldest key with
   * `keys().next()` walked over every entry deleted since, which at 2,000 requests/s (the cap reached, one deletion
   * per request) grew to tens of thousands of holes a request (+55 µs a call in a 60-s round, bench/sip-handler.ts).
   */
  private readonly keys: (string | undefined)[];
  private readonly ats: Float64Array;
  private head = 0;

  constructor(
    private readonly limits: TransactionLimits = DEFAULT_TRANSACTION_LIMITS,
    private readonly now: () => number = () => performance.now(),
  ) {
    const capacity = Math.max(1, limits.maxEntries);
    this.keys = new Array<string | undefined>(capacity).fill(undefined);
    this.ats = new Float64Array(capacity);
  }

  get size(): number {
    return this.seen.size;
  }

  /**
   * Whether a transaction with this Call-ID (as transactionKey reads it: trimmed) is remembered: when not, a request
   * with it is the original of its transaction whatever its other values (see() would answer an Original), and a
   * request without one ('') never has a key.
   */
  knowsCallId(callId: string): boolean {
    // A Call-ID with a line break in it could not be told from the key's first line: taken as known.
    return callId.includes('\n') || this.callIds.has(callId);
  }

  /** The request's place: the original of its transaction, or a copy of one seen within the ttl. */
  see(key: string | null): Original | Copy {
    if (key === null) return NO_ORIGINAL;
    const now = this.now();
    this.forgetExpiredAt(now);
    const known = this.seen.get(key);
    if (known !== undefined) return this.copyOf(known, now);
    const entry = new Seen(now);
    this.add(key, entry, now);
    return entry;
  }

  /**
   * A received request's place, as `see(transactionKey(headers))` gives it, with the original's filing left for
   * later when no transaction has the request's Call-ID (knowsCallId: it is then its transaction's original,
   * whatever the rest of its key). Such an original is not remembered until `file(original, headers)`, which must
   * follow before the loop reads another request (in the same turn): the key's making and the filing then come
   * after the request's answer is handed to drachtio-srf (handle-request.ts), not before it.
   */
  enter(headers: { get(name: string): unknown }): Original | Copy {
    if (this.knowsCallId(transactionCallId(headers))) return this.see(transactionKey(headers));
    return new Unfiled(this.now());
  }

  /** Remembers an original `enter` left unfiled, under the request's transaction key; nothing for any other. */
  file(original: Original, headers: { get(name: string): unknown }): void {
    if (!(original instanceof Unfiled)) return;
    const key = transactionKey(headers);
    if (key === null) return;
    const now = this.now();
    this.forgetExpiredAt(now);
    // Nothing in between has filed the key (the same turn); were it there (or this original filed twice), the first
    // one filed stays.
    if (!this.seen.has(key)) this.add(key, original, now);
  }

  /** Forgets what expired by `now`: nothing expires before the oldest entry's ttl, so no walk until then. */
  private forgetExpiredAt(now: number): void {
    if (this.seen.size > 0 && now - this.limits.ttlMs >= this.ats[this.head]!) this.forgetExpired(now);
  }

  /** Remembers `entry` under `key` (not remembered) from `now`, forgetting the oldest when full. */
  private add(key: string, entry: Seen, now: number): void {
    if (this.seen.size >= this.keys.length) this.dropOldest();
    const tail = (this.head + this.seen.size) % this.keys.length;
    this.keys[tail] = key;
    this.ats[tail] = now;
    this.seen.set(key, entry);
    const callId = callIdOf(key);
    this.callIds.set(callId, (this.callIds.get(callId) ?? 0) + 1);
  }

  private copyOf(entry: Seen, now: number): Copy {
    const remaining = Math.max(0, entry.at + this.limits.ttlMs - now);
    const { maxWaiting } = this.limits;
    return {
      copy: true,
      get final() {
        return entry.final;
      },
      finalAnswer() {
        if (entry.known) return Promise.resolve(entry.final);
        const waiting = (entry.waiting ??= []);
        if (waiting.length >= maxWaiting) return Promise.resolve(null);
        return new Promise((resolve) => {
          const timer = setTimeout(() => {
            const i = waiting.indexOf(done);
            if (i >= 0) waiting.splice(i, 1);
            resolve(null);
          }, remaining);
          timer.unref();
          const done = (final: FinalAnswer | null): void => {
            clearTimeout(timer);
            resolve(final);
          };
          waiting.push(done);
        });
      },
    };
  }

  private forgetExpired(now: number): void {
    const cutoff = now - this.limits.ttlMs;
    while (this.seen.size > 0 && this.ats[this.head]! <= cutoff) this.dropOldest();
  }

  /** Forgets the oldest entry (there is one). */
  private dropOldest(): void {
    const key = this.keys[this.head] as string;
    this.keys[this.head] = undefined;
    this.seen.delete(key);
    const callId = callIdOf(key);
    const left = (this.callIds.get(callId) ?? 1) - 1;
    if (left > 0) this.callIds.set(callId, left);
    else this.callIds.delete(callId);
    this.head = (this.head + 1) % this.keys.length;
  }
}

/** A transaction key's Call-ID: keyFrom's first line (knowsCallId takes a Call-ID with a line break as known). */
function callIdOf(key: string): string {
  const end = key.indexOf('\n');
  return end < 0 ? key : key.slice(0, end);
}

/** What a copy gets, per kind and the original's final answer (see the module comment). */
export function answerForCopy(kind: AttemptKind, final: FinalAnswer | null): FinalAnswer | null {
  if (final === null) return null;
  if (kind === 'call' && isAnswered(final.status)) return null;
  return final;
}

/**
 * Answers a copy: the original's non-2xx final answer again (an INVITE at once, a MESSAGE once its original has
 * one), or nothing (absorbed; drachtio-srf is told to forget the INVITE). Never throws.
 */
export async function answerCopy(
  kind: AttemptKind,
  copy: Copy,
  req: SrfRequest,
  res: Srf.SrfResponse,
  deps: { logger: Logger; metrics: Metrics },
): Promise<void> {
  const callId = req.get('Call-ID') ?? '';
  try {
    const final = kind === 'call' ? copy.final : await copy.finalAnswer();
    const again = answerForCopy(kind, final);
    const answer = again === null ? 'absorbed' : 'repeated';
    if (again === null) {
      if (kind === 'call') forgetPendingInvite(req, callId);
    } else {
      // A copy: Response#send may change the object (a To header taken out), which the transaction keeps (or shares).
      res.send(again.status, again.reason ?? reasonPhrase(again.status), { headers: Object.assign({}, again.headers) });
    }
    deps.metrics.retransmissions.inc({ kind, answer });
    deps.logger.info(
      { callId, kind, answer, originalFinal: final?.status ?? null, source: req.source_address ?? null },
      'retransmission',
    );
  } catch (err) {
    deps.logger.warn({ err, callId }, 'retransmission could not be answered');
  }
}

/**
 * Tells `original` once the final answer the caller was sent for this request, whoever sent it: crocetta
 * (`res.send`, createUAS included), drachtio-server after a CANCEL (487), or the PBX through `req.proxy()` (its
 * final status; drachtio's own 408 when the proxy ended without one). Observed at the entry, so the handler's
 * steps need not know. `answered(null)` when the proxy ended without anyone's answer being known. `call`, when
 * given, moves to `cancelled` on the caller's CANCEL, in the same listener (after the 487 is noted).
 */
export function observeFinalAnswer(
  req: SrfRequest,
  res: Srf.SrfResponse,
  original: Original,
  call?: { moveTo(state: 'cancelled'): boolean },
): void {
  observeCancel(req, observeAnswers(req, res, original), call);
}

/**
 * observeFinalAnswer's answers sent or proxied: `res.send` and `req.proxy` wrapped, before anything can send. The
 * CANCEL's listener (observeCancel) may follow later in the same turn: a CANCEL comes on a later read of
 * drachtio-server's socket, or after this request in the same read, once its handler has returned.
 */
export function observeAnswers(req: SrfRequest, res: Srf.SrfResponse, original: Original): Observed {
  const observed = new Observed(original);
  // Own properties set by assignment, not Object.defineProperty: on drachtio-srf's Request and Response,
  // defineProperty took 5-25 µs a call where the assignment of the same wrappers takes < 0.5 µs (measured side by
  // side, 10,000 requests each, hot), and this runs before every answer.
  // The methods called on their objects with apply, not bound: Function#bind makes a bound function per request
  // through a builtin nothing else on the way to the answer runs (cold code).
  const sending = res as unknown as { send: (...args: unknown[]) => unknown };
  const send = sending.send;
  sending.send = (...args: unknown[]): unknown => {
    const [status, second, third] = args;
    const sent = send.apply(res, args);
    if (typeof status === 'number' && isFinal(status)) {
      const reason = typeof second === 'string' ? second : null;
      const opts = (typeof second === 'string' ? third : second) as { headers?: unknown } | undefined;
      observed.once({ status, reason, headers: stringHeaders(opts?.headers) });
    }
    return sent;
  };
  type Proxy = (...args: Parameters<SrfRequest['proxy']>) => ReturnType<SrfRequest['proxy']>;
  const proxying = req as unknown as { proxy: Proxy };
  const proxy = proxying.proxy;
  proxying.proxy = (...args: Parameters<SrfRequest['proxy']>): ReturnType<SrfRequest['proxy']> => {
    const result = proxy.apply(req, args);
    result.then(
      (r) => observed.once(proxiedFinal(r.finalStatus ?? REQUEST_TIMEOUT)),
      () => observed.once(null),
    );
    return result;
  };
  return observed;
}

/** observeFinalAnswer's CANCEL: the 487 drachtio-server answers is the final answer, then `call` is cancelled. */
export function observeCancel(
  req: SrfRequest,
  observed: Observed,
  call?: { moveTo(state: 'cancelled'): boolean },
): void {
  req.on('cancel', () => {
    observed.once(CANCELLED_FINAL);
    call?.moveTo('cancelled');
  });
}

/** The first final answer of a request, passed on to its transaction's original once. */
export class Observed {
  private done = false;
  constructor(private readonly original: Original) {}

  once(final: FinalAnswer | null): void {
    if (this.done) return;
    this.done = true;
    this.original.answered(final);
  }
}

/** The string headers of a send's options; NO_HEADERS when there are none (the object is kept with the transaction). */
function stringHeaders(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return NO_HEADERS;
  let out: Record<string, string> | null = null;
  for (const [name, v] of Object.entries(value)) if (typeof v === 'string') (out ??= {})[name] = v;
  return out ?? NO_HEADERS;
}
