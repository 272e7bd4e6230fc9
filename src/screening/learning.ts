/**
 * Settings of the learned evidence: behaviour, number blocks, safety nets and STIR/SHAKEN. Pure data, validated by
 * compile.ts; every field has its comment and default in config/default.yaml.
 *
 * Decay follows PhoneBlock (github.com/haumacher/phoneblock, db/Ema.java): behaviour ("activity") evidence has a
 * 14-day half-life, so a number that stopped calling is delisted on its own; block membership follows the marks.
 */

/** Weekly opening hours in the rules' time zone; minutes from midnight, `days` ISO weekdays (1 = Monday). */
export interface BusinessHours {
  days: number[];
  /** Opening intervals per day, e.g. [[510, 780], [870, 1140]] = 8:30–13:00 and 14:30–19:00. */
  intervals: Array<[number, number]>;
}

export interface BehaviourRules {
  /** Half-life of behaviour evidence (days): a burst seen 14 days ago weighs half. */
  halfLifeDays: number;
  /** Many attempts from one caller in a short window. */
  burst: { enabled: boolean; attempts: number; windowMinutes: number; weight: number };
  /** One caller ringing several of our DIDs within minutes. */
  sweep: { enabled: boolean; dids: number; windowMinutes: number; weight: number };
  /** Answered calls shorter than `maxSeconds` (the office hung up at once): weight per call, noisy-OR. */
  shortCalls: { enabled: boolean; maxSeconds: number; weight: number };
  /** Calls outside business hours: weight for the current call, and per earlier one (decayed), noisy-OR. */
  offHours: { enabled: boolean; weight: number; hours: BusinessHours };
}

/**
 * Number blocks. The small block is the number minus its last `dropDigits` digits (10 numbers for 1), the large
 * block one digit shorter (10 small blocks). Gates after PhoneBlock (db/DB.java: MIN_AGGREGATE_10 = 4;
 * SPREAD_MIN_NUMBERS = 8, SPREAD_MIN_TENS = 4, SPREAD_TEN_CONTRIB = 2): counts are distinct numbers, so one
 * heavily reported number never lifts its neighbours, and a trusted member stops the fold of its block.
 */
export interface BlockRules {
  enabled: boolean;
  dropDigits: number;
  /** Nuisance members the small block needs. */
  smallMin: number;
  /** Nuisance members the large block needs, spread over ≥ largeSpread small blocks of ≥ largeContrib each. */
  largeMin: number;
  largeSpread: number;
  largeContrib: number;
  /** Weight at the gate; grows with the block's mass (members / gate) up to maxWeight. */
  weight: number;
  maxWeight: number;
  /** Numbers with fewer E.164 digits (country code included) are never folded (short and service numbers). */
  minDigits: number;
  /**
   * Mobile numbers (libphonenumber type MOBILE): `same` as fixed lines, `large-only` (only the spread gate of the
   * large block: consecutive SIMs belong to different people more often than consecutive fixed lines) or `off`.
   */
  mobile: 'same' | 'large-only' | 'off';
  /**
   * Lower gates for the business's own nuisance marks (not crocetta's stops, not friends' or crowd reports): the
   * office judged each of those calls itself, and one office marks a few hundred numbers a year among millions of
   * blocks, so two of its marks in one 10-block are a call centre's range, not chance. A gate met by marks alone
   * weighs `weight` (blocks at the default nuisance threshold); the mobile setting above applies as well.
   */
  office: OfficeBlockRules;
}

export interface OfficeBlockRules {
  enabled: boolean;
  /** Marked members the small block needs. */
  smallMin: number;
  /** Marked members the large block needs, in ≥ largeSpread small blocks with a marked member each. */
  largeMin: number;
  largeSpread: number;
  /** Weight at the gate; grows with the marked members (members / gate) up to maxWeight. */
  weight: number;
}

export interface SafetyRules {
  /** E.164 numbers or prefixes that are ours (our DIDs): calls from them bypass screening. */
  ownNumbers: string[];
  /** Regular expressions on the caller as received (raw), e.g. internal extensions `^[1-9][0-9]{2}$`, intercoms. */
  bypassCallers: string[];
  /** Emergency and service numbers (as received or national) that are never blocked, whatever the rules say. */
  serviceNumbers: string[];
  /** Short codes (`short-code` flag) are never blocked. */
  shortCodes: boolean;
  /** Display-name patterns (regular expressions, case-insensitive): allow → trusted, block → nuisance evidence. */
  displayNameAllow: string[];
  displayNameBlock: string[];
  displayNameBlockWeight: number;
  /** A caller who talked at least this long through the PBX (within the look-back) is trusted. 0 = off. */
  persistentHumanSeconds: number;
  /** Numbers the business called are trusted for this many days after the last call. */
  calledByUsDays: number;
}

export interface ShakenRules {
  enabled: boolean;
  /** `verstat=TN-Validation-Failed` or a PASSporT the verifier rejected. */
  failedWeight: number;
  /** Gateway attestation C (the carrier does not know the caller). */
  gatewayWeight: number;
  /** Attestation A / TN-Validation-Passed: behaviour and block weights are multiplied by this (never trusted). */
  fullDiscount: number;
}

/**
 * Evidence at every prefix depth (prefix-tree.ts, issue 14): a new number is judged by its country, destination
 * code and blocks. The tree's internals (prior strengths, evidence needed to decide) keep prefix-tree.ts's defaults.
 */
export interface PrefixRules {
  enabled: boolean;
  /** Half-life of nuisance numbers under a prefix (days). */
  nuisanceHalfLifeDays: number;
  /** Half-life of legitimate numbers under a prefix (days). */
  legitHalfLifeDays: number;
  /** How sure the lower bound of a prefix's nuisance share must be (0.9: 90%). */
  credibility: number;
  /** Bounds below this give no reason. */
  minWeight: number;
  /** The most a prefix weighs (below a mark of the number itself). */
  maxWeight: number;
  /** A single nuisance neighbour in the caller's 100- or 10-block (prefix-tree.ts#hintWeight); 0 = off. */
  hintWeight: number;
}

export interface LearningRules {
  behaviour: BehaviourRules;
  blocks: BlockRules;
  safety: SafetyRules;
  shaken: ShakenRules;
  /** Absent: the defaults (DEFAULT_LEARNING_RULES.prefixes). */
  prefixes?: PrefixRules;
}

const WORKDAYS = [1, 2, 3, 4, 5];

export const DEFAULT_LEARNING_RULES: LearningRules = Object.freeze<LearningRules>({
  behaviour: {
    halfLifeDays: 14,
    burst: { enabled: true, attempts: 4, windowMinutes: 60, weight: 0.5 },
    sweep: { enabled: true, dids: 3, windowMinutes: 30, weight: 0.6 },
    shortCalls: { enabled: true, maxSeconds: 8, weight: 0.3 },
    offHours: {
      enabled: true,
      weight: 0.1,
      hours: { days: WORKDAYS, intervals: [[8 * 60, 19 * 60]] },
    },
  },
  blocks: {
    enabled: true,
    dropDigits: 1,
    smallMin: 4,
    largeMin: 8,
    largeSpread: 4,
    largeContrib: 2,
    weight: 0.6,
    maxWeight: 0.95,
    minDigits: 9,
    mobile: 'large-only',
    office: { enabled: true, smallMin: 2, largeMin: 3, largeSpread: 2, weight: 0.85 },
  },
  safety: {
    ownNumbers: [],
    bypassCallers: [],
    serviceNumbers: ['112', '113', '115', '118', '1515', '1518', '1530', '114', '117', '911', '999', '000'],
    shortCodes: true,
    displayNameAllow: [],
    displayNameBlock: [],
    displayNameBlockWeight: 0.9,
    persistentHumanSeconds: 180,
    calledByUsDays: 365,
  },
  shaken: { enabled: true, failedWeight: 0.7, gatewayWeight: 0.1, fullDiscount: 0.7 },
  prefixes: {
    enabled: false,
    nuisanceHalfLifeDays: 30,
    legitHalfLifeDays: 90,
    credibility: 0.9,
    minWeight: 0.5,
    maxWeight: 0.95,
    hintWeight: 0,
  },
});
