/**
 * Replays an office's call trace through the real SIP pipeline: each call is a carrier INVITE injected into the
 * drachtio double at its time, crocetta screens it, the PBX answers what crocetta forwards, the call lasts the
 * trace's talk time, and the office marks the numbers the trace says it marks, through the JSON API.
 *
 * Time: a discrete-event replay. Arrivals, hang-ups and marks are played in time order; before each one the
 * demo's clock is set to its instant and held there until crocetta has handled it, so the register holds the
 * trace's times and talk times, and every rule (repeats after a refusal, bursts, talk time) sees the calls as
 * they happened. Real time only paces the replay (`seconds`), so a person watching the panel sees it fill.
 */
import type { TraceRow } from '../bench/office-trace.js';
import { localDay } from '../src/store/reports/local-days.js';
import type { DrachtioDouble, InjectedRequest } from '../test/support/drachtio-double.js';
import { companyOf, inviteFor } from './office.js';
import type { ReplayClock } from './replay-clock.js';

export interface MarkRequest {
  label: 'nuisance' | 'trusted';
  company?: string;
  category?: string;
}

export interface ReplayTarget {
  double: DrachtioDouble;
  clock: ReplayClock;
  /** The office marks a number, as the panel's Mark button or the JSON API does. */
  mark(number: string, body: MarkRequest): Promise<void>;
}

export interface ReplayOptions {
  rows: readonly TraceRow[];
  /** Events after this instant are played at it (the trace ends now: a call still going is hung up now). */
  until: number;
  /** The office's time zone: the days of `onDay`. */
  timeZone: string;
  /** Spread the replay over about this many seconds of real time; 0 plays it as fast as crocetta answers. */
  seconds: number;
  /** After each day of the trace (and at the end). */
  onDay?: (day: DayTally) => void;
}

export interface Tally {
  calls: number;
  /** Refused, announced or hung up by crocetta: the office never heard them. */
  stopped: number;
  /** Forwarded with the suspect tag. */
  tagged: number;
  forwarded: number;
  marks: { nuisance: number; trusted: number };
  /** Call-centre calls (the trace's truth), and how many of them crocetta stopped. */
  nuisance: { calls: number; stopped: number };
  /** Everyone else's calls, and how many crocetta stopped (should be none or nearly). */
  legit: { calls: number; stopped: number };
  /** Calls that got no final answer in time (none expected). */
  unanswered: number;
}

export interface DayTally extends Tally {
  /** The day's first event, ms since epoch. */
  dayOf: number;
}

type Event =
  | { at: number; kind: 'call'; row: TraceRow }
  | { at: number; kind: 'hangup'; txn: InjectedRequest; by: 'caller' | 'pbx' }
  | { at: number; kind: 'mark'; row: TraceRow };

const FINAL_WAIT_MS = 10_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Lets crocetta handle what the double just sent it before the clock moves on: the double writes network
 * messages after a 1 ms timer and a setImmediate, and crocetta reads its socket in the next poll phase.
 */
async function settle(): Promise<void> {
  await sleep(3);
  await new Promise<void>((resolve) => setImmediate(resolve));
  await sleep(1);
}

function emptyTally(): Tally {
  return {
    calls: 0,
    stopped: 0,
    tagged: 0,
    forwarded: 0,
    marks: { nuisance: 0, trusted: 0 },
    nuisance: { calls: 0, stopped: 0 },
    legit: { calls: 0, stopped: 0 },
    unanswered: 0,
  };
}

/** A queue of events by time, then by the order they were added. */
class Agenda {
  private readonly queue: Array<{ event: Event; seq: number }> = [];
  private seq = 0;

  add(event: Event): void {
    const entry = { event, seq: this.seq++ };
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.queue[mid] as { event: Event; seq: number };
      if (m.event.at < event.at || (m.event.at === event.at && m.seq < entry.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, entry);
  }

  next(): Event | undefined {
    return this.queue.shift()?.event;
  }
}

export async function replayTrace(target: ReplayTarget, options: ReplayOptions): Promise<Tally> {
  const { double, clock } = target;
  const rows = options.rows.filter((r) => r.time <= options.until);
  const agenda = new Agenda();
  for (const row of rows) agenda.add({ at: row.time, kind: 'call', row });
  const total = emptyTally();
  let day = emptyTally();
  let dayStart: number | null = null;
  // Pacing: the same share of the real duration for each event (about three per answered call).
  const budgetMs = (options.seconds * 1000) / Math.max(1, rows.length * 2);
  let due = Date.now();
  let callNo = 0;

  const count = (f: (t: Tally) => void) => {
    f(total);
    f(day);
  };

  for (let event = agenda.next(); event !== undefined; event = agenda.next()) {
    const at = Math.min(event.at, options.until);
    if (dayStart === null) dayStart = at;
    else if (localDay(at, options.timeZone) !== localDay(dayStart, options.timeZone)) {
      options.onDay?.({ ...day, dayOf: dayStart });
      day = emptyTally();
      dayStart = at;
    }
    if (budgetMs > 0) {
      due += budgetMs;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
    }
    clock.set(at);

    if (event.kind === 'call') {
      const row = event.row;
      const txn = double.injectRequest(inviteFor(row, `demo-${++callNo}-${row.time}@203.0.113.10`));
      count((t) => {
        t.calls++;
        if (row.truth === 'nuisance') t.nuisance.calls++;
        else t.legit.calls++;
      });
      let final;
      try {
        final = await txn.waitForFinal(FINAL_WAIT_MS);
      } catch {
        count((t) => t.unanswered++);
        continue;
      }
      await settle();
      const reachedOffice = final.status >= 200 && final.status < 300 && txn.proxy !== undefined;
      if (!reachedOffice) {
        if (final.status >= 200 && final.status < 300) txn.ack(); // crocetta answered itself (hang-up, announcement)
        count((t) => {
          t.stopped++;
          if (row.truth === 'nuisance') t.nuisance.stopped++;
          else t.legit.stopped++;
        });
        continue;
      }
      const tagged = txn.proxy?.headers['x-crocetta-verdict'] !== undefined;
      count((t) => {
        t.forwarded++;
        if (tagged) t.tagged++;
      });
      const end = row.time + row.talk * 1000;
      agenda.add({ at: end, kind: 'hangup', txn, by: row.truth === 'nuisance' ? 'pbx' : 'caller' });
      if (row.office !== 'none' && row.caller !== '') agenda.add({ at: end + 20_000, kind: 'mark', row });
    } else if (event.kind === 'hangup') {
      if (event.txn.proxy?.remainInDialog === true) double.hangUpProxied(event.txn, event.by);
      // crocetta reads the clock when drachtio's CDR for the BYE arrives: the talk time is wrong by the gap to the
      // next event if the clock moves first. Nothing tells the replay that the CDR was read, so give a loaded
      // machine longer than one settle (a full suite at load 8 saw a talk time 20 s long: the next event's).
      for (let i = 0; i < 8; i++) await settle();
    } else {
      const row = event.row;
      const label = row.office === 'mark-nuisance' ? 'nuisance' : 'trusted';
      await target.mark(row.caller, label === 'nuisance' ? { label, ...companyOf(row.origin) } : { label });
      count((t) => t.marks[label]++);
    }
  }
  if (dayStart !== null) options.onDay?.({ ...day, dayOf: dayStart });
  return total;
}
