/**
 * SIP request headers → who is calling: number, display name, source header, withheld or not, STIR/SHAKEN hints.
 * Order of trust: P-Asserted-Identity (asserted by the carrier's network), Remote-Party-ID, From.
 */
import { headerValues, parseNameAddrFor } from './header-values.js';
import { isPlaceholderNumber, normalizeNumber, normalizePlainNumber } from './normalize-number.js';
import { attestationFromPassports, attestationFromVerstat, passportsFromIdentity, toAttestation } from './passport.js';
import { isAnonymousName, isAnonymousUri, privacyWithholds, rpidPrivacy, type RpidPrivacy } from './privacy.js';
import { parseUri, uriNumberText } from './sip-uri.js';
import { detached, flatCopy, HASH_START, HashGenerations, hashText, hashUnit, type ValuesKey } from './recent-cache.js';
import { MAX_DISPLAY_NAME, MAX_HEADER_TEXT, sanitizeText } from './text.js';
import { UNKNOWN_CALLER } from './types.js';
import type {
  CallerIdentity,
  IdentifyOptions,
  IdentitySource,
  KeptCaller,
  Passport,
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
export function readHeader(headers: SipHeaderSource, name: string): readonly string[] {
  try {
    const values: unknown = headers.header(name);
    if (!Array.isArray(values)) return typeof values === 'string' ? [values] : NO_VALUES;
    for (let i = 0; i < values.length; i++) {
      if (typeof values[i] !== 'string') return values.filter((x): x is string => typeof x === 'string');
    }
    return values as string[];
  } catch {
    return NO_VALUES;
  }
}

/** A header that is absent (shared: no list built per request; not frozen, so loops over it stay fast). */
const NO_VALUES: readonly string[] = [];

function cleanName(name: string | null): string | null {
  if (name === null) return null;
  const s = sanitizeText(name, MAX_DISPLAY_NAME);
  return s === '' ? null : s;
}

function paramValue(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>, key: string): string | undefined {
  return a.get(key) ?? b.get(key);
}

/**
 * The only header parameter read from a P-Asserted-Identity or From value (Remote-Party-ID's are all read: party,
 * privacy): a From's `;tag=…` then builds no Map (parseNameAddrFor) when a caller's identity is not cached.
 */
const ONLY_VERSTAT: readonly string[] = ['verstat'];

/** The candidates of one header's values, appended to `out`. */
function addCandidates(out: Candidate[], values: readonly string[], source: IdentitySource): void {
  if (values.length === 0) return;
  for (const item of headerValues(values)) {
    const entry = parseNameAddrFor(item, source === 'remote-party-id' ? undefined : ONLY_VERSTAT);
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

/**
 * The value of one header (the candidates from `start` to `end`) with the best number, normalizing lazily: stops
 * at a valid tel:/user=phone number.
 */
function best(cands: readonly Candidate[], start: number, end: number, defaultCountry: string): Chosen | null {
  let chosen: Chosen | null = null;
  let chosenRank = 0;
  for (let i = start; i < end; i++) {
    const c = cands[i]!;
    if (c.numberText === null) continue;
    // The text copied (detached): the number's raw text, its E.164 (`+`, the calling code and a slice of the digits)
    // and the parse cache's key are made of it, and a slice of a header value is a view of the whole SIP message
    // (plainFrom's note; session 48, docs/measurements.md).
    const number = normalizeNumber(detached(c.numberText), defaultCountry);
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
  let anonymousUri = false;
  for (const c of all) {
    if (c.rpidPrivacy === 'full' || c.rpidPrivacy === 'uri') return 'rpid-privacy';
    if (c.anonymousUri) anonymousUri = true;
  }
  if (anonymousUri) return 'anonymous-uri';
  if (!usable(number)) for (const c of all) if (isAnonymousName(c.displayName)) return 'anonymous-name';
  if (number === null) return 'no-number';
  return null;
}

/** The header values an identity is made of, read once, and the default country. */
interface IdentityHeaders {
  pai: readonly string[];
  rpid: readonly string[];
  from: readonly string[];
  privacy: readonly string[];
  identity: readonly string[];
  attestation: readonly string[];
  country: string;
  /** fromKeyLength of the first From value (-1: no From), found once for the cache's size and key. */
  fromKey: number;
}

function readIdentityHeaders(headers: SipHeaderSource, country: string): IdentityHeaders {
  const from = readHeader(headers, SOURCES[2]!);
  return {
    pai: readHeader(headers, SOURCES[0]!),
    rpid: readHeader(headers, SOURCES[1]!),
    from,
    privacy: readHeader(headers, 'privacy'),
    identity: readHeader(headers, 'identity'),
    attestation: readHeader(headers, 'p-attestation-indicator'),
    country,
    fromKey: from.length === 0 ? -1 : fromKeyLength(from[0]!),
  };
}

/** identifyCaller without its safety net and its cache; exported so the fuzz test can prove the net is never needed. */
export function identifyUnguarded(headers: SipHeaderSource, opts: IdentifyOptions): CallerIdentity {
  return identify(readIdentityHeaders(headers, countryOf(opts)));
}

/** identifyUnguarded without plainFrom's shortcut: what identify-caller.test.ts compares the shortcut with. */
export function identifyParsedUnguarded(headers: SipHeaderSource, opts: IdentifyOptions): CallerIdentity {
  return identifyParsed(readIdentityHeaders(headers, countryOf(opts)));
}

/** A digit, `0`-`9`. */
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** A character of a plain host (and port): lower-case letters, digits, `.`, `-`, `:`. */
function isPlainHostChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || isDigit(c) || c === 0x2e || c === 0x2d || c === 0x3a;
}

/** The host of `sip:anonymous@anonymous.invalid` (isAnonymousUri: such a host withholds whatever the user). */
const ANONYMOUS_HOST = 'anonymous.invalid';

/**
 * The identity of a request whose only identity header is one From value `<sip:USER@HOST>`, alone or followed by
 * its `;tag=…` alone (fromKey), USER a `+` and digits or digits, HOST plain lower-case host characters and no
 * parameters anywhere else, and no P-Asserted-Identity, Remote-Party-ID, Privacy, Identity or
 * P-Attestation-Indicator: what sipp and most trunks send for a caller. identifyParsed then makes one candidate,
 * from USER as written (no display name, no anonymous user or host, no user=phone, no verstat, no withholding,
 * no attestation), and its number is USER normalized: this builds the same identity without the header values'
 * list, the name-addr and URI parses and the candidates (on a first-seen caller at 100 calls/s, caches cold, each
 * step is code fetched again). null for any other request (identifyParsed). identify-caller.test.ts compares the
 * two over generated From values of every shape, near misses included.
 */
function plainFrom(v: IdentityHeaders): CallerIdentity | null {
  if (v.from.length !== 1 || v.pai.length !== 0 || v.rpid.length !== 0 || v.privacy.length !== 0) return null;
  if (v.identity.length !== 0 || v.attestation.length !== 0) return null;
  const value = v.from[0]!;
  const end = v.fromKey; // the value's length, or where its lone `;tag=…` starts
  if (value.length > MAX_HEADER_TEXT || end < 9) return null;
  // `<sip:` in lower case, and `>` last
  if (value.charCodeAt(0) !== 0x3c || value.charCodeAt(end - 1) !== 0x3e) return null;
  if (value.charCodeAt(1) !== 0x73 || value.charCodeAt(2) !== 0x69 || value.charCodeAt(3) !== 0x70) return null;
  if (value.charCodeAt(4) !== 0x3a) return null;
  let i = 5;
  if (value.charCodeAt(i) === 0x2b) i++;
  const digits = i;
  while (i < end && isDigit(value.charCodeAt(i))) i++;
  if (i === digits || value.charCodeAt(i) !== 0x40 /* @ */) return null;
  const userEnd = i;
  const host = ++i;
  while (i < end - 1 && isPlainHostChar(value.charCodeAt(i))) i++;
  if (i === host || i !== end - 1) return null;
  if (i - host === ANONYMOUS_HOST.length && value.startsWith(ANONYMOUS_HOST, host)) return null;
  return {
    // The user copied (detached): a slice of the From value is a view of the whole SIP message. V8 allocates this
    // identity in the old generation once it has pretenured the site (it had at 800 proxied calls/s), and a dead old
    // object is a root for every scavenge until the next mark-compact: through number.raw each call's message survived
    // two scavenges and was promoted, ~450 B a call in process (session 48, docs/measurements.md).
    number: normalizePlainNumber(detached(value.slice(5, userEnd)), v.country),
    displayName: null,
    source: 'from',
    withheld: false,
    withheldReason: null,
    attestation: null,
    verstat: null,
  };
}

function countryOf(opts: IdentifyOptions): string {
  return typeof opts?.defaultCountry === 'string' ? opts.defaultCountry : '';
}

/** The first display name among the candidates of one header, or null. */
function nameFrom(cands: readonly Candidate[], source: IdentitySource): string | null {
  for (const c of cands) if (c.source === source && c.displayName !== null) return c.displayName;
  return null;
}

/** No Identity header: no PASSporT (shared, never changed). */
const NO_PASSPORTS: readonly Passport[] = [];

function identify(values: IdentityHeaders): CallerIdentity {
  return plainFrom(values) ?? identifyParsed(values);
}

/** The identity from the headers' values, each parsed (name-addr, URI, parameters) and weighed. */
function identifyParsed(values: IdentityHeaders): CallerIdentity {
  const country = values.country;
  // Every value of the three headers in order of trust; each header's values start where the previous ones end.
  const all: Candidate[] = [];
  addCandidates(all, values.pai, SOURCES[0]!);
  const rpidStart = all.length;
  addCandidates(all, values.rpid, SOURCES[1]!);
  const fromStart = all.length;
  addCandidates(all, values.from, SOURCES[2]!);

  // Headers in order of trust; the first with any number decides, the best of its values wins.
  const chosenOne =
    best(all, 0, rpidStart, country) ??
    best(all, rpidStart, fromStart, country) ??
    best(all, fromStart, all.length, country);
  const chosen = chosenOne?.candidate ?? null;
  const source: IdentitySource = chosen?.source ?? all[0]?.source ?? 'from';
  const number = chosenOne?.number ?? null;

  // The chosen value's name, else another name from the same header, else From's (what a phone would show).
  let displayName = chosen?.displayName ?? nameFrom(all, source) ?? nameFrom(all, 'from');
  let verstat = chosen?.verstat ?? null;
  for (const c of all) {
    if (c.rpidPrivacy === 'name') displayName = null;
    verstat ??= c.verstat;
  }

  const reason = withheldReason(privacyWithholds(values.privacy), all, number);
  // Each Identity header is decoded once, for the attestation and for the numbers it was signed for.
  const passports = values.identity.length === 0 ? NO_PASSPORTS : passportsFromIdentity(values.identity);
  const passport = passports[0];
  const identity: CallerIdentity = {
    number,
    // Copied (detached), as the number's text is in best: a name or a verstat with nothing to clean is a slice.
    displayName: displayName === null ? null : detached(displayName),
    source,
    withheld: reason !== null,
    withheldReason: reason,
    attestation:
      attestationFromPassports(passports) ?? attestationFromVerstat(verstat) ?? toAttestation(values.attestation[0]),
    verstat: verstat === null ? null : detached(verstat),
  };
  if (passport !== undefined) identity.passport = { orig: passport.orig.tn, dest: passport.dest.tn };
  return identity;
}

/** Identities kept under one first value at most (the oldest goes first). */
const MAX_PER_SLOT = 8;

/**
 * One identity the cache keeps: the header values it was made of as one string of its own (heldText: each count and
 * each value's length a UTF-16 unit, each value after its length), and the next identity kept under the same first
 * value. One object and one string a caller, read one after the other: the values held as a list of strings were a
 * list, its elements and a string per value, each a fetch from memory on a repeat caller's cold decision.
 */
interface KeptIdentity extends KeptCaller {
  readonly held: string;
  next: KeptIdentity | null;
}

/** An entry of the cache's shape (one hidden class), its slot empty. */
function keptIdentity(held: string, identity: CallerIdentity, next: KeptIdentity | null): KeptIdentity {
  return { held, identity, next, owner: null, record: null };
}

/**
 * The identity cache: kept identities by a hash of their first value (firstHash: a small integer, which the Map
 * compares in its own table), each slot a short chain told apart by all the values, the first one included
 * (matchesHeldText): two first values with one hash share a slot, and each request still finds only its own values.
 * Two generations (HashGenerations: a hit in the older one is filed again in the younger), at most MAX_PER_SLOT
 * identities under one hash (the oldest leaves), kept from a caller's second request on (admits, on a hash of the
 * values).
 */
class KeptIdentities extends HashGenerations<KeptIdentity> {
  get(first: number, v: IdentityHeaders): KeptIdentity | null {
    const hit = findKept(this.young.get(first), v);
    if (hit !== null) return hit;
    const aged = findKept(this.old.get(first), v);
    if (aged === null) return null;
    // Filed again in the younger generation as a new entry, its slot with it (the older one is dropped whole later).
    const again = this.add(first, aged.held, aged.identity);
    again.owner = aged.owner;
    again.record = aged.record;
    return again;
  }

  /** Keeps `identity` under `first` (firstHash's) and `held` (heldText's): its entry. */
  add(first: number, held: string, identity: CallerIdentity): KeptIdentity {
    const young = this.youngForOneMore();
    const head = young.get(first) ?? null;
    // Many values under one hash (one URI sent with ever-changing other headers, or first values whose hashes are
    // alike) must not make a look-up slow.
    let n = 1;
    for (let k = head; k !== null; k = k.next) {
      if (++n >= MAX_PER_SLOT) {
        k.next = null;
        break;
      }
    }
    const kept = keptIdentity(held, identity, head);
    young.set(first, kept);
    return kept;
  }
}

/**
 * Identities of recent requests, by the header values they were made of (From without its tag, which changes on
 * every call and says nothing of the caller). A repeat caller's identity is then one look-up instead of parsing
 * five headers and normalizing numbers. The identities it keeps are frozen: every request with the same values shares one.
 * Filed under a hash of the request's first identity value (firstHash, over the value in place: no key built or
 * copied), then told apart from others filed there by all the values, compared in place with the held ones
 * (matchesHeldText). A caller's values are kept from its second request on (admits, on a hash of them).
 */
const identities = new KeptIdentities(10_000);

/**
 * Values longer than this in all, their count included (hostile or unusual headers), are not cached: the cache
 * stays ~10 MB at most, a request's compare with a held key (matchesHeldText) is bounded, and every count and
 * length fits in one UTF-16 unit of the held text (heldText).
 */
const MAX_IDENTITY_KEY = 1024;

/** Space or tab. */
function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/** The characters of a SIP token (RFC 3261), by code: letters, digits and `-.!%*_+\`'~`. */
const TOKEN_CHARS = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.!%*_+`'~")
  TOKEN_CHARS[c.charCodeAt(0)] = 1;

function isTokenChar(c: number): boolean {
  return c < 128 && TOKEN_CHARS[c] === 1;
}

/**
 * Whether `value` from `at` on is `;tag=…` alone (blanks allowed around `;` and `=` and at the end, `tag` in any
 * case, the tag a token): what /[ \t]*;[ \t]*tag[ \t]*=[ \t]*[A-Za-z0-9.!%*_+`'~-]+[ \t]*$/iy matches, scanned
 * by hand (a regular expression run per request on drachtio-srf's sliced strings cost more than the scan).
 */
function tagAloneFrom(value: string, at: number): boolean {
  const n = value.length;
  let i = at;
  while (i < n && isBlank(value.charCodeAt(i))) i++;
  if (i >= n || value.charCodeAt(i) !== 59 /* ; */) return false;
  i++;
  while (i < n && isBlank(value.charCodeAt(i))) i++;
  if (i + 3 > n) return false;
  // t a g, either case
  if ((value.charCodeAt(i) | 32) !== 116 || (value.charCodeAt(i + 1) | 32) !== 97) return false;
  if ((value.charCodeAt(i + 2) | 32) !== 103) return false;
  i += 3;
  while (i < n && isBlank(value.charCodeAt(i))) i++;
  if (i >= n || value.charCodeAt(i) !== 61 /* = */) return false;
  i++;
  while (i < n && isBlank(value.charCodeAt(i))) i++;
  const tagStart = i;
  while (i < n && isTokenChar(value.charCodeAt(i))) i++;
  if (i === tagStart) return false;
  while (i < n && isBlank(value.charCodeAt(i))) i++;
  return i === n;
}

/**
 * The length of a From value without its tag parameter, when the tag is the only thing after the last `>`: the
 * identity read from either is the same (the header's tag is never read). Otherwise the value's length. The last
 * `>` is looked for by a loop from the end (String#lastIndexOf is a call into the runtime on a sliced string).
 */
function fromKeyLength(value: string): number {
  const n = value.length;
  if (n > MAX_HEADER_TEXT) return n;
  let gt = n - 1;
  while (gt >= 0 && value.charCodeAt(gt) !== 62 /* > */) gt--;
  if (gt < 0) return n;
  return tagAloneFrom(value, gt + 1) ? gt + 1 : n;
}

/** A From value without its tag parameter (see fromKeyLength), else the value itself. */
export function withoutFromTag(value: string): string {
  const n = fromKeyLength(value);
  return n === value.length ? value : value.slice(0, n);
}

/** The values' length in all, From values without their tags, plus their number. */
function keySize(v: IdentityHeaders): number {
  let size = v.country.length + length(v.pai) + length(v.rpid) + length(v.privacy) + length(v.identity);
  size += length(v.attestation);
  const from = v.from;
  size += from.length;
  for (let i = 0; i < from.length; i++) size += i === 0 ? v.fromKey : fromKeyLength(from[i]!);
  return size;
}

/** The values' length in all, plus their number. */
function length(values: readonly string[]): number {
  let n = values.length;
  for (let i = 0; i < values.length; i++) n += values[i]!.length;
  return n;
}

/**
 * The hash a request's identity is filed under: FNV-1a over the first P-Asserted-Identity value, else
 * Remote-Party-ID's, else From's without its tag (HASH_START for none), read in place; its low 30 bits, a small
 * integer V8 keeps unboxed and a Map compares in its table, where a string key is hashed in V8's runtime and, on a
 * hit, the key kept is read and compared (one more fetch from memory on a repeat caller's decision). One caller's:
 * the number it asserts or sends. The rest of the values, and the first one itself, tell apart what is filed under it.
 */
function firstHash(v: IdentityHeaders): number {
  return firstValueHash(v) & 0x3fffffff;
}

/** firstHash's FNV-1a, all 32 bits: what valuesHash goes on from, so the first value is read once. */
function firstValueHash(v: IdentityHeaders): number {
  if (v.pai.length > 0) return hashText(HASH_START, v.pai[0]!);
  if (v.rpid.length > 0) return hashText(HASH_START, v.rpid[0]!);
  if (v.from.length > 0) return hashText(HASH_START, v.from[0]!, v.fromKey);
  return HASH_START;
}

/**
 * The key the cache holds for the values: the country, then each header's count of values and its values in turn,
 * From's without their tags. A count is never a string, so no two sets of values make the same key.
 */
function heldKey(v: IdentityHeaders): ValuesKey {
  const key: (string | number)[] = [v.country];
  listInto(key, v.pai);
  listInto(key, v.rpid);
  key.push(v.from.length);
  for (let i = 0; i < v.from.length; i++) key.push(withoutFromTag(v.from[i]!));
  listInto(key, v.privacy);
  listInto(key, v.identity);
  listInto(key, v.attestation);
  return key;
}

function listInto(key: (string | number)[], values: readonly string[]): void {
  key.push(values.length);
  for (let i = 0; i < values.length; i++) key.push(values[i]!);
}

/** The identities kept under one first value: the one whose values are `v`'s, else null. */
function findKept(head: KeptIdentity | undefined, v: IdentityHeaders): KeptIdentity | null {
  for (let k = head ?? null; k !== null; k = k.next) if (matchesHeldText(k.held, v)) return k;
  return null;
}

/**
 * heldKey(v) as one string: each count, and each value's length followed by the value, a UTF-16 unit each (a key is
 * MAX_IDENTITY_KEY units at most, so every count and length fits in one). No two keys make the same text: each
 * value's extent is given before it.
 */
function heldText(key: ValuesKey): string {
  let text = '';
  for (const part of key)
    text += typeof part === 'number' ? String.fromCharCode(part) : String.fromCharCode(part.length) + part;
  return flatCopy(text);
}

/** Whether `held` is heldText(heldKey(v)), compared unit by unit in place (the request's values are its slices). */
function matchesHeldText(held: string, v: IdentityHeaders): boolean {
  let at = matchTextValue(held, 0, v.country, v.country.length);
  if (at >= 0) at = matchTextList(held, at, v.pai);
  if (at >= 0) at = matchTextList(held, at, v.rpid);
  const from = v.from;
  if (at < 0 || held.charCodeAt(at) !== from.length) return false;
  at++;
  for (let i = 0; i < from.length && at >= 0; i++) {
    const raw = from[i]!;
    at = matchTextValue(held, at, raw, i === 0 ? v.fromKey : fromKeyLength(raw));
  }
  if (at >= 0) at = matchTextList(held, at, v.privacy);
  if (at >= 0) at = matchTextList(held, at, v.identity);
  if (at >= 0) at = matchTextList(held, at, v.attestation);
  return at === held.length;
}

/** Where `held`'s text after the list at `at` starts when that list is `values` (count, then each value), else -1. */
function matchTextList(held: string, at: number, values: readonly string[]): number {
  if (held.charCodeAt(at) !== values.length) return -1;
  let i = at + 1;
  for (let j = 0; j < values.length && i >= 0; j++) i = matchTextValue(held, i, values[j]!, values[j]!.length);
  return i;
}

/** Where `held`'s text after the value at `at` starts when that value is the first `n` units of `value`, else -1. */
function matchTextValue(held: string, at: number, value: string, n: number): number {
  if (held.charCodeAt(at) !== n || at + 1 + n > held.length) return -1;
  const from = at + 1;
  for (let i = 0; i < n; i++) if (held.charCodeAt(from + i) !== value.charCodeAt(i)) return -1;
  return from + n;
}

/**
 * A hash of the values for admission: FNV-1a on from `first` (firstValueHash: the first value's text, read once for
 * both hashes; a new caller's From was hashed twice until session 50), then the country, each header's count and each
 * value's length, and each value's text but the first's (From's without their tags). The counts say which value
 * `first` was: P-Asserted-Identity's first, else Remote-Party-ID's, else From's.
 */
function valuesHash(v: IdentityHeaders, first: number): number {
  const inPai = v.pai.length > 0;
  const inRpid = !inPai && v.rpid.length > 0;
  let h = hashList(hashText(first, v.country), v.pai, inPai ? 1 : 0);
  h = hashList(h, v.rpid, inRpid ? 1 : 0);
  h = hashUnit(h, v.from.length);
  for (let i = 0; i < v.from.length; i++) {
    const raw = v.from[i]!;
    const n = i === 0 ? v.fromKey : fromKeyLength(raw);
    h = hashUnit(h, n);
    if (i > 0 || inPai || inRpid) h = hashText(h, raw, n);
  }
  h = hashList(h, v.privacy, 0);
  h = hashList(h, v.identity, 0);
  return hashList(h, v.attestation, 0);
}

/** `hash` extended by the count of `values`, each one's length, and the text of each from `from` on. */
function hashList(hash: number, values: readonly string[], from: number): number {
  let h = hashUnit(hash, values.length);
  for (let i = 0; i < values.length; i++) {
    h = hashUnit(h, values[i]!.length);
    if (i >= from) h = hashText(h, values[i]!);
  }
  return h;
}

/** The key the identity cache would hold for a request's values (null: not cached, too long): for the tests. */
export function identityKeyOf(headers: SipHeaderSource, opts: IdentifyOptions): ValuesKey | null {
  const values = readIdentityHeaders(headers, countryOf(opts));
  return keySize(values) > MAX_IDENTITY_KEY ? null : heldKey(values);
}

/** The string the identity cache holds for a request's values (heldText; null: not cached, too long): for the tests. */
export function identityTextOf(headers: SipHeaderSource, opts: IdentifyOptions): string | null {
  const key = identityKeyOf(headers, opts);
  return key === null ? null : heldText(key);
}

/** The hash the identity cache files a request's values under (firstHash): for the tests. */
export function identityHashOf(headers: SipHeaderSource, opts: IdentifyOptions): number {
  return firstHash(readIdentityHeaders(headers, countryOf(opts)));
}

/** Whether the identity cache finds `held` (identityKeyOf's) for a request's values: for the tests. */
export function identityKeyMatches(held: ValuesKey, headers: SipHeaderSource, opts: IdentifyOptions): boolean {
  return matchesHeldText(heldText(held), readIdentityHeaders(headers, countryOf(opts)));
}

function frozen(identity: CallerIdentity): CallerIdentity {
  if (identity.number !== null) {
    Object.freeze(identity.number.flags);
    Object.freeze(identity.number);
  }
  if (identity.passport) {
    Object.freeze(identity.passport.orig);
    Object.freeze(identity.passport.dest);
    Object.freeze(identity.passport);
  }
  return Object.freeze(identity);
}

/** The cache's entry for the request's values, or a new entry of its own when the cache does not keep them. */
function identifyCached(headers: SipHeaderSource, opts: IdentifyOptions): KeptIdentity {
  const values = readIdentityHeaders(headers, countryOf(opts));
  if (keySize(values) > MAX_IDENTITY_KEY) return keptIdentity('', identify(values), null);
  const hash = firstValueHash(values);
  const first = hash & 0x3fffffff; // firstHash's
  const known = identities.get(first, values);
  if (known !== null) return known;
  const identity = identify(values);
  // A caller heard once (the cache does not keep it): its identity is this request's alone, and freezing it (a map
  // transition per object, calls into V8's runtime) was ~10% of a new caller's caller ID on cold caches (perf).
  if (!identities.admits(valuesHash(values, hash))) return keptIdentity('', identity, null);
  // Kept: its strings and its key copied, or the whole SIP message each is a slice of stays alive with the cache
  // entry (~0.7 KB per caller in bench:soak's INVITEs, ×20,000 entries at most; heap snapshots of the soak, README).
  return identities.add(first, heldText(heldKey(values)), frozen(ownIdentity(identity)));
}

/** `number` with its strings copied (see detached): a number the identity cache keeps. */
function ownNumber(number: PhoneNumber): PhoneNumber {
  return {
    raw: detached(number.raw),
    // The caller's key (callerKey), looked up in the index's Maps at every decision: in one piece (flatCopy).
    e164: number.e164 === null ? null : flatCopy(number.e164),
    type: number.type === null ? null : detached(number.type),
    valid: number.valid,
    country: number.country === null ? null : detached(number.country),
    flags: number.flags.map(detached),
  };
}

function ownIdentity(identity: CallerIdentity): CallerIdentity {
  const own: CallerIdentity = {
    number: identity.number === null ? null : ownNumber(identity.number),
    displayName: identity.displayName === null ? null : detached(identity.displayName),
    source: identity.source,
    withheld: identity.withheld,
    withheldReason: identity.withheldReason,
    attestation: identity.attestation,
    verstat: identity.verstat === null ? null : detached(identity.verstat),
  };
  if (identity.passport !== undefined)
    own.passport =
      identity.passport === null
        ? null
        : { orig: identity.passport.orig.map(detached), dest: identity.passport.dest.map(detached) };
  return own;
}

/**
 * Who is calling, from the headers of an INVITE or MESSAGE. Never throws, whatever the headers hold: a value that
 * cannot be read is kept raw and flagged in `number.flags`. A caller with `Privacy: id` is withheld but keeps
 * the asserted number (carriers send it on trusted trunks): policy sees "withheld", the register sees who.
 */
export function identifyCaller(headers: SipHeaderSource, opts: IdentifyOptions): CallerIdentity {
  return identifyKept(headers, opts).identity;
}

/**
 * identifyCaller's identity with the slot of the caller's entry in the identity cache (CallerSlot): the same entry,
 * so the same slot, for each request of a repeat caller while the cache keeps it; a new, empty one otherwise.
 */
export function identifyKept(headers: SipHeaderSource, opts: IdentifyOptions): KeptCaller {
  try {
    return identifyCached(headers, opts);
  } catch {
    // Unreachable by design (the fuzz test tries hard); if it happens, know nothing rather than break the call.
    return keptIdentity('', Object.assign({}, UNKNOWN_CALLER), null);
  }
}

/**
 * The key under which the register and the index keep a caller: the E.164 number, else `raw:` and the number as
 * received, else null (withheld without any number). A withheld caller whose number is known is keyed by it.
 *
 * A withheld caller with no E.164 number has no key either: what is left of its caller ID is the carrier's
 * placeholder (`"Anonymous" <sip:0000000000@…>`, `"Privato" <sip:0@…>`), the same for every caller the carrier passes
 * withheld. Keyed by it, a hospital, a school and a call centre were one caller: the school was refused for the call
 * centre's refusal and the hospital's short call (session 49, through drachtio-server with sipp). Nothing is learned
 * of such callers, as of `sip:anonymous@…`; `screening.withheld` and the withheld action are the office's say.
 *
 * Nor has a caller ID that is a placeholder without being withheld (`<sip:0000000000@…>`, `<sip:+39@…>`:
 * isPlaceholderNumber), for the same reason: keyed by it, a school was refused for a call centre's decline behind the
 * same junk ID (session 49); nor a country code and zeros, which parses to E.164 (`+390000000000`, session 50).
 * `screening.unparsable` is the office's say over such calls (classify.ts).
 */
export function callerKey(identity: CallerIdentity): string | null {
  const n = identity.number;
  if (n === null) return null;
  if (n.e164 !== null) return n.valid || !isPlaceholderNumber(n) ? n.e164 : null;
  if (identity.withheld || n.raw === '' || isPlaceholderNumber(n)) return null;
  return `raw:${n.raw}`;
}
