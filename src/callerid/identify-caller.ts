/**
 * SIP request headers → who is calling: number, display name, source header, withheld or not, STIR/SHAKEN hints.
 * Order of trust: P-Asserted-Identity (asserted by the carrier's network), Remote-Party-ID, From.
 */
import { headerValues, parseNameAddr } from './header-values.js';
import { normalizeNumber } from './normalize-number.js';
import { attestationFromPassports, attestationFromVerstat, passportsFromIdentity, toAttestation } from './passport.js';
import { isAnonymousName, isAnonymousUri, privacyWithholds, rpidPrivacy, type RpidPrivacy } from './privacy.js';
import { parseUri, uriNumberText } from './sip-uri.js';
import { MAX_DISPLAY_NAME, sanitizeText } from './text.js';
import { UNKNOWN_CALLER } from './types.js';
import type {
  Attestation,
  Passport,
  CallerIdentity,
  IdentifyOptions,
  IdentitySource,
  PhoneNumber,
  SipHeaderSource,
  WithheldReason,
} from './types.js';

const SOURCES: readonly IdentitySource[] = ['p-asserted-identity', 'remote-party-id', 'from'];

/** One identity value from one header. */
interface Candidate {
  source: IdentitySource;
  displayName: string | null;
  /** The number text of the URI; normalized only when this header's turn comes (see `best`). */
  numberText: string | null;
  anonymousUri: boolean;
  /** tel: URI or sip: with user=phone: the sender says the user part is a telephone number. */
  phone: boolean;
  verstat: string | null;
  rpidPrivacy: RpidPrivacy;
}

/** Reads a header through the adapter; a misbehaving adapter yields no values rather than an exception. */
export function readHeader(headers: SipHeaderSource, name: string): string[] {
  try {
    const values: unknown = headers.header(name);
    if (!Array.isArray(values)) return typeof values === 'string' ? [values] : [];
    for (const v of values) if (typeof v !== 'string') return values.filter((x): x is string => typeof x === 'string');
    return values as string[];
  } catch {
    return [];
  }
}

function cleanName(name: string | null): string | null {
  if (name === null) return null;
  const s = sanitizeText(name, MAX_DISPLAY_NAME);
  return s === '' ? null : s;
}

function paramValue(a: Map<string, string>, b: Map<string, string>, key: string): string | undefined {
  return a.get(key) ?? b.get(key);
}

function candidatesOf(values: readonly string[], source: IdentitySource): Candidate[] {
  const out: Candidate[] = [];
  for (const item of headerValues(values)) {
    const entry = parseNameAddr(item);
    // Remote-Party-ID also describes the called party (party=called); only the calling party identifies a caller.
    if (source === 'remote-party-id' && entry.params.get('party')?.toLowerCase() === 'called') continue;
    const uri = parseUri(entry.uri);
    const anonymousUri = isAnonymousUri(uri);
    const verstat = paramValue(uri.params, entry.params, 'verstat');
    out.push({
      source,
      displayName: cleanName(entry.displayName),
      numberText: anonymousUri ? null : uriNumberText(uri),
      anonymousUri,
      phone: uri.scheme === 'tel' || uri.params.get('user')?.toLowerCase() === 'phone',
      verstat: verstat === undefined ? null : sanitizeText(verstat, 64) || null,
      rpidPrivacy: source === 'remote-party-id' ? rpidPrivacy(entry.params) : null,
    });
  }
  return out;
}

interface Chosen {
  candidate: Candidate;
  number: PhoneNumber;
}

/** How much a candidate's number is worth: valid E.164 > parsed but invalid > short code > junk > none. */
function numberRank(n: PhoneNumber): number {
  if (n.e164 !== null) return n.valid ? 4 : 3;
  return n.flags.includes('short-code') ? 2 : 1;
}

/** Rank of a tel: or user=phone value with a valid number: nothing can beat it. */
const TOP_RANK = 4 * 2 + 1;

/** The value of one header with the best number, normalizing lazily: stops at a valid tel:/user=phone number. */
function best(cands: readonly Candidate[], defaultCountry: string): Chosen | null {
  let chosen: Chosen | null = null;
  let chosenRank = 0;
  for (const c of cands) {
    if (c.numberText === null) continue;
    const number = normalizeNumber(c.numberText, defaultCountry);
    const rank = numberRank(number) * 2 + (c.phone ? 1 : 0);
    if (rank > chosenRank) {
      chosen = { candidate: c, number };
      chosenRank = rank;
      if (rank === TOP_RANK) break;
    }
  }
  return chosen;
}

function usable(n: PhoneNumber | null): boolean {
  return n !== null && (n.e164 !== null || n.flags.includes('short-code'));
}

function withheldReason(
  privacyHeader: boolean,
  all: readonly Candidate[],
  number: PhoneNumber | null,
): WithheldReason | null {
  if (privacyHeader) return 'privacy-header';
  if (all.some((c) => c.rpidPrivacy === 'full' || c.rpidPrivacy === 'uri')) return 'rpid-privacy';
  if (all.some((c) => c.anonymousUri)) return 'anonymous-uri';
  if (!usable(number) && all.some((c) => isAnonymousName(c.displayName))) return 'anonymous-name';
  if (number === null) return 'no-number';
  return null;
}

function attestationOf(
  headers: SipHeaderSource,
  passports: readonly Passport[],
  verstat: string | null,
): Attestation | null {
  return (
    attestationFromPassports(passports) ??
    attestationFromVerstat(verstat) ??
    toAttestation(readHeader(headers, 'p-attestation-indicator')[0])
  );
}

/** identifyCaller without its safety net; exported so the fuzz test can prove the net is never needed. */
export function identifyUnguarded(headers: SipHeaderSource, opts: IdentifyOptions): CallerIdentity {
  const country = typeof opts?.defaultCountry === 'string' ? opts.defaultCountry : '';
  const bySource = SOURCES.map((source) => candidatesOf(readHeader(headers, source), source));
  const all = bySource.flat();

  // Headers in order of trust; the first with any number decides, the best of its values wins.
  let chosenOne: Chosen | null = null;
  for (const cands of bySource) {
    chosenOne = best(cands, country);
    if (chosenOne !== null) break;
  }
  const chosen = chosenOne?.candidate ?? null;
  const source: IdentitySource = chosen?.source ?? all[0]?.source ?? 'from';
  const number = chosenOne?.number ?? null;

  // The chosen value's name, else another name from the same header, else From's (what a phone would show).
  const sameSource = all.filter((c) => c.source === source);
  let displayName =
    chosen?.displayName ??
    sameSource.find((c) => c.displayName !== null)?.displayName ??
    all.find((c) => c.source === 'from' && c.displayName !== null)?.displayName ??
    null;
  if (all.some((c) => c.rpidPrivacy === 'name')) displayName = null;

  const reason = withheldReason(privacyWithholds(readHeader(headers, 'privacy')), all, number);
  const verstat = chosen?.verstat ?? all.find((c) => c.verstat !== null)?.verstat ?? null;
  // Each Identity header is decoded once, for the attestation and for the numbers it was signed for.
  const passports = passportsFromIdentity(readHeader(headers, 'identity'));
  const passport = passports[0];
  return {
    number,
    displayName,
    source,
    withheld: reason !== null,
    withheldReason: reason,
    attestation: attestationOf(headers, passports, verstat),
    verstat,
    ...(passport !== undefined && { passport: { orig: passport.orig.tn, dest: passport.dest.tn } }),
  };
}

/**
 * Who is calling, from the headers of an INVITE or MESSAGE. Never throws, whatever the headers hold: a value that
 * cannot be read is kept raw and flagged in `number.flags`. A caller with `Privacy: id` is withheld but keeps
 * the asserted number (carriers send it on trusted trunks): policy sees "withheld", the register sees who.
 */
export function identifyCaller(headers: SipHeaderSource, opts: IdentifyOptions): CallerIdentity {
  try {
    return identifyUnguarded(headers, opts);
  } catch {
    // Unreachable by design (the fuzz test tries hard); if it happens, know nothing rather than break the call.
    return { ...UNKNOWN_CALLER };
  }
}

/**
 * The key under which the register and the index keep a caller: the E.164 number, else `raw:` and the number as
 * received, else null (withheld without any number). A withheld caller whose number is known is keyed by it.
 */
export function callerKey(identity: CallerIdentity): string | null {
  const n = identity.number;
  if (n === null) return null;
  if (n.e164 !== null) return n.e164;
  return n.raw === '' ? null : `raw:${n.raw}`;
}
