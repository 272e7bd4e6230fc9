/** Hand-built fixtures for the screening tests (independent of the callerid implementation). */
import { UNKNOWN_CALLER, type CallerIdentity, type PhoneNumber, type WithheldReason } from '../callerid/types.js';
import { DEFAULT_LEARNING_RULES, type LearningRules } from './learning.js';
import { DEFAULT_SCREENING_RULES, type ScreeningRules } from './rules.js';
import { CallRecord, TalkRecord, type CallList, type TalkList } from './call-list.js';
import type { BlockCounts, CallerEvidence, Mark, Talk } from './types.js';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;

/** Sunday 8 Nov 2026, 11:00 in Rome. */
export const NOW = Date.parse('2026-11-08T10:00:00Z');

export function at(iso: string): number {
  return Date.parse(iso);
}

export function number(e164: string | null, over: Partial<PhoneNumber> = {}): PhoneNumber {
  return { raw: e164 ?? '', e164, type: null, valid: e164 !== null, country: null, flags: [], ...over };
}

export function caller(e164: string, over: Partial<CallerIdentity> = {}): CallerIdentity {
  return { ...UNKNOWN_CALLER, number: number(e164), ...over };
}

export function rawCaller(raw: string, flags: string[]): CallerIdentity {
  return caller('', { number: number(null, { raw, flags, valid: false }) });
}

export function withheldCaller(why: WithheldReason, phone: PhoneNumber | null = null): CallerIdentity {
  return caller('', { number: phone, withheld: true, withheldReason: why });
}

/** Evidence as a test writes it: calls and talks may be plain arrays of entries (made into the index's lists). */
export type EvidenceInput = Omit<Partial<CallerEvidence>, 'calls' | 'talks'> & {
  calls?: CallList | readonly { at: number; did: string | null }[];
  talks?: TalkList | readonly Talk[];
};

export function evidence(over: EvidenceInput = {}): CallerEvidence {
  const { calls, talks, ...rest } = over;
  const out: CallerEvidence = { mark: null, attempts: [], refusals: [], ...rest };
  if (calls !== undefined) out.calls = 'atOf' in calls ? calls : CallRecord.of(calls);
  if (talks !== undefined) out.talks = 'atOf' in talks ? talks : TalkRecord.of(talks);
  return out;
}

export function mark(
  label: Mark['label'],
  atMs: number,
  company: string | null = null,
  category: string | null = null,
): Mark {
  return { label, at: atMs, company, category };
}

/**
 * The default learning rules with the off-hours evidence off: NOW is a Sunday, and the tests of the other rules
 * are about those rules. learned-evidence.test.ts tests off-hours with its own rules.
 */
export const QUIET_LEARNING: LearningRules = {
  ...DEFAULT_LEARNING_RULES,
  behaviour: {
    ...DEFAULT_LEARNING_RULES.behaviour,
    offHours: { ...DEFAULT_LEARNING_RULES.behaviour.offHours, enabled: false },
  },
};

/** A fresh copy of the defaults with overrides (deep enough for the fields tests change). */
export function rules(over: Partial<ScreeningRules> = {}): ScreeningRules {
  const d = DEFAULT_SCREENING_RULES;
  return {
    packs: { IT: { ...d.packs.IT }, FR: { ...d.packs.FR } },
    prefixes: [...d.prefixes],
    repeat: { ...d.repeat },
    withheld: d.withheld,
    unparsable: d.unparsable,
    thresholds: { ...d.thresholds },
    timeZone: d.timeZone,
    learning: QUIET_LEARNING,
    ...over,
  };
}

/** Ten zeros: a 100-block's count per 10-block, none. */
export const zeros = (): number[] => new Array<number>(10).fill(0);

/**
 * What is known of a caller's number blocks: its 10-block `small` (digits without the +) and the 100-block holding
 * it, nobody marked or learned in either unless `over` says.
 */
export function blockCounts(small: string, over: Partial<BlockCounts> = {}): BlockCounts {
  return {
    small,
    smallNuisance: 0,
    smallTrusted: 0,
    large: small.slice(0, -1),
    largeNuisance: 0,
    largeTrusted: 0,
    tens: zeros(),
    smallMarked: 0,
    largeMarked: 0,
    tensMarked: zeros(),
    ...over,
  };
}

/** The office marked `n` numbers nuisance in the 10-block `small` (its place in its 100-block: small's last digit). */
export function officeMarkedIn(small: string, n: number, over: Partial<BlockCounts> = {}): BlockCounts {
  const tens = zeros();
  tens[Number(small.slice(-1))] = n;
  return blockCounts(small, {
    smallNuisance: n,
    smallMarked: n,
    largeNuisance: n,
    largeMarked: n,
    tens,
    tensMarked: tens,
    ...over,
  });
}
