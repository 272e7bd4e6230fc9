import { parseNameAddr } from './header-values.js';
import { readHeader } from './identify-caller.js';
import { normalizeNumber } from './normalize-number.js';
import {
  detached,
  detachedValues,
  HASH_START,
  hashText,
  RecentValuesCache,
  sameText,
  type ValuesEntry,
  type ValuesKey,
} from './recent-cache.js';
import { parseUri, uriNumberText } from './sip-uri.js';
import type { IdentifyOptions, PhoneNumber, SipHeaderSource } from './types.js';

function numberIn(uriText: string, defaultCountry: string): PhoneNumber | null {
  const uri = parseUri(uriText);
  const text = uriNumberText(uri);
  // The text copied (detached): the number's raw text and E.164 are made of it, and a slice of the Request-URI or a
  // header value is a view of the whole SIP message, which the cache's number (and a call's) would keep alive.
  return text === null ? null : normalizeNumber(detached(text), defaultCountry);
}

/**
 * The registration trunk's accounts, as the called party is read: each account's user name (the Request-URI user
 * of the calls the carrier sends to that account's contact) and the account's own number ('' when none is
 * configured: the DID is then read from P-Called-Party-ID, else To). `key` names the whole set for the caches
 * ('' = no registration trunk). Built once at start (trunkUsers).
 */
export interface TrunkUsers {
  readonly key: string;
  readonly numbers: ReadonlyMap<string, string>;
}

export const NO_TRUNK_USERS: TrunkUsers = Object.freeze({ key: '', numbers: new Map<string, string>() });

/** The accounts' user names and numbers; an empty user name is left out (registration off). */
export function trunkUsers(accounts: ReadonlyArray<{ username: string; number?: string }>): TrunkUsers {
  const listed = accounts.filter((a) => a.username !== '');
  if (listed.length === 0) return NO_TRUNK_USERS;
  return Object.freeze({
    key: listed.map((a) => `${a.username}\n${a.number ?? ''}`).join('\n'),
    numbers: new Map(listed.map((a) => [a.username, a.number ?? ''])),
  });
}

/** One user name (the single account's form, kept for callers that have only that) or the accounts. */
function usersOf(trunk: string | TrunkUsers | undefined): TrunkUsers {
  if (trunk === undefined || trunk === '') return NO_TRUNK_USERS;
  return typeof trunk === 'string' ? trunkUsers([{ username: trunk }]) : trunk;
}

/** The values the called party is read from, and the settings it is read with. */
interface CalledValues {
  requestUri: string;
  to: string | undefined;
  /** Read only when a trunk account is configured. */
  pcpid: string | undefined;
  country: string;
  trunk: TrunkUsers;
}

function readCalledValues(headers: SipHeaderSource, country: string, trunk: TrunkUsers): CalledValues {
  return {
    requestUri: typeof headers.requestUri === 'string' ? headers.requestUri : '',
    to: readHeader(headers, 'to')[0],
    pcpid: trunk.key === '' ? undefined : readHeader(headers, 'p-called-party-id')[0],
    country,
    trunk,
  };
}

function partyUris(v: CalledValues): { uris: string[]; toTrunkContact: boolean } {
  const toUri = v.to === undefined ? null : parseNameAddr(v.to).uri;
  const accountNumber = v.trunk.key === '' ? undefined : v.trunk.numbers.get(parseUri(v.requestUri).user ?? '');
  if (accountNumber !== undefined) {
    // The account's configured number is the number called; a bare number reads as a URI's user.
    if (accountNumber !== '') return { uris: [accountNumber], toTrunkContact: true };
    const pcpidUri = v.pcpid === undefined ? null : parseNameAddr(v.pcpid).uri;
    return { uris: [pcpidUri, toUri].filter((u): u is string => u !== null && u !== ''), toTrunkContact: true };
  }
  return { uris: [v.requestUri, ...(toUri === null ? [] : [toUri])], toTrunkContact: false };
}

/**
 * Where the called party is named. Normally the Request-URI. On a call a registration trunk sends to one of our
 * registered contacts, the Request-URI's user is that account's user name, which is no DID even when it is all
 * digits: the DID is then the account's configured number, else P-Called-Party-ID (RFC 3455), else To.
 */
export function calledPartyUris(
  headers: SipHeaderSource,
  trunk: string | TrunkUsers = '',
): { uris: string[]; toTrunkContact: boolean } {
  return partyUris(readCalledValues(headers, '', usersOf(trunk)));
}

/** The first URI's number with an E.164 form, else the first number at all: later URIs are read only if needed. */
function firstNumber(uris: readonly string[], country: string): PhoneNumber | null {
  let first: PhoneNumber | null = null;
  for (const uri of uris) {
    const n = numberIn(uri, country);
    if (n?.e164 != null) return n;
    if (first === null && n !== null) first = n;
  }
  return first;
}

/**
 * Called numbers of recent requests by the values they were read from: an office has a handful of DIDs, each
 * called again and again. Frozen, shared by the requests with the same values; keys of hostile length not kept.
 */
const calledNumbers = new RecentValuesCache<PhoneNumber | null>(1000);
const MAX_CALLED_KEY = 1024;

/**
 * The cache's entry the last request's called number came from: compared first, before anything is hashed. An
 * office's calls go to one or a few numbers, mostly its main one, so the next request is usually to the same DID;
 * hashing its Request-URI and To (slices of the whole message, ~5 ns a character) cost more than the compare. A
 * request to another number pays one compare that fails (lengths, then the first differing character).
 */
let lastCalled: ValuesEntry<PhoneNumber | null> | null = null;

/** The values' length in all, or more than MAX_CALLED_KEY. */
function calledSize(v: CalledValues): number {
  return v.country.length + v.trunk.key.length + v.requestUri.length + (v.to?.length ?? 0) + (v.pcpid?.length ?? 0);
}

function calledHash(v: CalledValues): number {
  const hash = hashText(hashText(HASH_START, v.requestUri), v.to ?? '');
  return v.pcpid === undefined ? hash : hashText(hash, v.pcpid);
}

/** The cache key of the values (an absent header as -1: a number is never a value). */
function calledKey(v: CalledValues): ValuesKey {
  return [v.requestUri, v.to ?? -1, v.pcpid ?? -1, v.country, v.trunk.key];
}

/** calledKey(v) equals `held`, compared without building it. */
function matchesCalled(held: ValuesKey, v: CalledValues): boolean {
  return (
    typeof held[0] === 'string' &&
    sameText(held[0], v.requestUri) &&
    (v.to === undefined ? held[1] === -1 : typeof held[1] === 'string' && sameText(held[1], v.to)) &&
    held[2] === (v.pcpid ?? -1) &&
    held[3] === v.country &&
    held[4] === v.trunk.key
  );
}

/**
 * The number that was called (our DID): the Request-URI's user part, else the To header's. DIDs arrive national
 * (`0212345678`), E.164 (`+39...`), or with the country code as a trunk prefix (`39...`, `0039...`); all normalize
 * the same way. A Request-URI without a number (`sip:pbx@10.0.0.5`, registration-style trunks) defers to To; a
 * call to one of the registration trunk's contacts (`trunkUsers`, or the one `trunkUsername`) is that account's
 * number, else P-Called-Party-ID, else To (calledPartyUris). Null when none carries a number. Never throws.
 */
export function calledNumber(
  headers: SipHeaderSource,
  opts: IdentifyOptions & { trunkUsername?: string; trunkUsers?: TrunkUsers },
): PhoneNumber | null {
  try {
    const country = typeof opts?.defaultCountry === 'string' ? opts.defaultCountry : '';
    const trunk = opts?.trunkUsers ?? usersOf(typeof opts?.trunkUsername === 'string' ? opts.trunkUsername : '');
    const values = readCalledValues(headers, country, trunk);
    const last = lastCalled;
    if (last !== null && matchesCalled(last.key, values)) return last.value;
    const cachable = calledSize(values) <= MAX_CALLED_KEY;
    const hash = cachable ? calledHash(values) : 0;
    const cached = cachable ? calledNumbers.entry(hash, matchesCalled, values) : undefined;
    if (cached !== undefined) {
      lastCalled = cached;
      return cached.value;
    }
    const called = firstNumber(partyUris(values).uris, country);
    if (called !== null) {
      Object.freeze(called.flags);
      Object.freeze(called);
    }
    if (cachable && calledNumbers.admits(hash))
      lastCalled = calledNumbers.set(hash, detachedValues(calledKey(values)), called);
    return called;
  } catch {
    return null;
  }
}

/**
 * The user part to put in the Request-URI towards the PBX for a call to one of the registration trunk's contacts:
 * the account's number as configured, else the DID as the carrier wrote it (P-Called-Party-ID, else To), or null
 * when none has a user part.
 */
export function trunkCalledUser(headers: SipHeaderSource, trunk: string | TrunkUsers): string | null {
  try {
    const { uris, toTrunkContact } = calledPartyUris(headers, trunk);
    if (!toTrunkContact) return null;
    for (const uri of uris) {
      const user = parseUri(uri).user;
      if (user !== null && user !== '') return user;
    }
    return null;
  } catch {
    return null;
  }
}
