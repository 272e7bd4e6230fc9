/**
 * What crocetta knows about who is calling, read from the SIP headers of one request.
 * Pure data: no SIP library, no IO.
 */

/** Where the caller's number came from, in the order of preference used to pick it. */
export type IdentitySource = 'p-asserted-identity' | 'remote-party-id' | 'from';

/**
 * The ways a caller counts as withheld, once: WithheldReason is derived from it, and the panel reads a reason's `why`
 * by it.
 */
export const WITHHELD_REASONS = [
  'privacy-header', // Privacy: id (or user/header) per RFC 3323/3325
  'rpid-privacy', // Remote-Party-ID ;privacy=full|name|uri
  'anonymous-uri', // sip:anonymous@anonymous.invalid, sip:restricted@..., tel:anonymous...
  'anonymous-name', // display name "Anonymous", "unknown", "restricted", "withheld", "private"...
  'no-number', // no usable number anywhere
] as const;

/** Why a caller counts as withheld. */
export type WithheldReason = (typeof WITHHELD_REASONS)[number];

/** STIR/SHAKEN attestation level (RFC 8588), when a header gives one. */
export type Attestation = 'A' | 'B' | 'C';

/**
 * A telephone number as received and as normalized.
 * `raw` is what the header carried (after URI unescaping and removal of control characters), never thrown away.
 */
export interface PhoneNumber {
  /** As received, sanitized (no control/bidi characters), at most 64 characters. */
  raw: string;
  /** E.164 (`+390212345678`) when libphonenumber-js could parse it; null when unparsable. */
  e164: string | null;
  /** libphonenumber-js type (`MOBILE`, `FIXED_LINE`, `TOLL_FREE`, `PREMIUM_RATE`, ...), null when unknown. */
  type: string | null;
  /** libphonenumber-js isValid(): the number fits its country's numbering plan. */
  valid: boolean;
  /** ISO 3166 region of the number (`IT`, `FR`, ...), null when unknown. */
  country: string | null;
  /**
   * Why the number is doubtful, as evidence: `unparsable`, `not-a-number` (letters), `too-short`, `too-long`,
   * `invalid` (parsed but not valid in its plan), `short-code` (a service/short number kept as dialled); and beside
   * `not-a-number`, `alphanumeric` when the letters read as a text message's sender ID (`IntesaSP`, `BNL Info`).
   */
  flags: string[];
}

export interface CallerIdentity {
  /** The caller's number, or null when withheld with no number or none could be found. */
  number: PhoneNumber | null;
  /** Display name, sanitized (control and bidi characters removed, at most 128 characters), or null. */
  displayName: string | null;
  /** Which header gave `number`. */
  source: IdentitySource;
  withheld: boolean;
  withheldReason: WithheldReason | null;
  /** STIR/SHAKEN attestation when an Identity header or a verstat parameter gives one. */
  attestation: Attestation | null;
  /** `verstat` parameter from From/PAI (`TN-Validation-Passed`, `TN-Validation-Failed`, `No-TN-Validation`). */
  verstat: string | null;
  /** The telephone numbers the first readable PASSporT (Identity header) was signed for, unverified; absent: none. */
  passport?: { orig: string[]; dest: string[] } | null;
}

/**
 * The headers of one SIP request, as the adapter hands them to the pure code.
 * `header(name)` returns every value of the header (case-insensitive name, compact forms mapped by the adapter),
 * each value possibly itself a comma-separated list as repeated headers are joined by drachtio-srf.
 */
export interface SipHeaderSource {
  requestUri: string;
  header(name: string): readonly string[];
}

export interface IdentifyOptions {
  /** ISO 3166 region used for national numbers (`IT`). */
  defaultCountry: string;
}

/**
 * The claims crocetta reads from a SHAKEN PASSporT (RFC 8225/8588), unverified. `orig.tn` is a single string in
 * the RFC and `dest.tn` an array; both are given as arrays here.
 */
export interface Passport {
  attest: Attestation | null;
  orig: { tn: string[] };
  dest: { tn: string[] };
  /** Issued-at, seconds since epoch, as claimed. */
  iat: number | null;
  /** The originating carrier's opaque id (`origid`), when present. */
  origid: string | null;
}

/** The identity of a caller crocetta knows nothing about (no header could be read). */
export const UNKNOWN_CALLER: Readonly<CallerIdentity> = Object.freeze({
  number: null,
  displayName: null,
  source: 'from',
  withheld: false,
  withheldReason: null,
  attestation: null,
  verstat: null,
});

/**
 * A place that lives as long as a repeat caller's entry in the caller-ID cache, for another layer's way back to its
 * own data of the caller (the store's index keeps the caller's activity record there: evidence-index.ts). The
 * caller-ID code never reads it. `owner`: who wrote `record` (a reader uses `record` only when it is itself the
 * owner, and only while its own checks say the record is still the caller's); null: nothing kept.
 */
export interface CallerSlot {
  owner: object | null;
  record: object | null;
}

/** A request's caller: its identity, and the slot of its entry in the caller-ID cache (a new one when not kept). */
export interface KeptCaller extends CallerSlot {
  readonly identity: CallerIdentity;
}
