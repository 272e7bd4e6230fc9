/**
 * Which carrier account the PBX's outbound call leaves through, when the registration trunk has several (one per
 * number): the one whose number is the caller ID the PBX presents (P-Asserted-Identity, P-Preferred-Identity,
 * else From), so the called party sees, and the carrier bills, the number the office chose; else the first account.
 * Numbers are compared in E.164 (national, +39… and 0039… forms alike). The call goes to that account's carrier:
 * its own trunkUri (TRUNK_2_URI…) when given, else TRUNK_URI (else the registrar) for the accounts at the first
 * carrier, its own registrar for one at another.
 */
import { normalizeNumber } from '../callerid/index.js';
import type { TrunkSettings } from '../trunk/settings.js';
import { uriUser } from './request-headers.js';

/** One account as the outbound B2BUA uses it. */
export interface OutboundAccount {
  username: string;
  /** Where its calls go (the dialled number becomes the user part): its carrier. */
  uri: string;
  /** From of the carrier leg. */
  aor: string;
  /** The AOR's domain, for To. */
  domain: string;
  auth: { username: string; password: string };
  /** Where its credentials are set, for the error that says to check them. */
  hint: string;
}

export interface OutboundAccounts {
  first: OutboundAccount;
  /** How many accounts there are. */
  count: number;
  /** Each account by the numbers it stands for (its `number`, and its user name when that is a number). */
  byNumber: ReadonlyMap<string, OutboundAccount>;
}

/** A number's key: its E.164 form when it has a valid one, else its digits as written; null for no number. */
function numberKey(text: string, defaultCountry: string): string | null {
  const n = normalizeNumber(text, defaultCountry);
  if (n.e164 !== null && n.valid) return n.e164;
  return /^\+?\d{3,}$/.test(text) ? text : null;
}

/**
 * Null without accounts (no registration trunk). `firstCarrierUri`: where the calls of the accounts at the first
 * carrier go (TRUNK_URI, else its registrar: outbound-route.ts); '' = their registrar.
 */
export function outboundAccounts(
  accounts: readonly TrunkSettings[],
  defaultCountry: string,
  firstCarrierUri = '',
): OutboundAccounts | null {
  const listed = accounts.map((a) => ({
    settings: a,
    account: {
      username: a.username,
      uri: a.trunkUri !== '' ? a.trunkUri : a.sameCarrier && firstCarrierUri !== '' ? firstCarrierUri : a.registrar.uri,
      aor: a.aor,
      domain: a.domain,
      auth: a.credentials,
      hint: a.credentialsHint,
    },
  }));
  const [first] = listed;
  if (first === undefined) return null;
  const byNumber = new Map<string, OutboundAccount>();
  // Configured numbers first: an account's user name never takes another's number.
  for (const { settings, account } of listed) {
    const key = settings.number === '' ? null : numberKey(settings.number, defaultCountry);
    if (key !== null && !byNumber.has(key)) byNumber.set(key, account);
  }
  for (const { settings, account } of listed) {
    const key = numberKey(settings.username, defaultCountry);
    if (key !== null && !byNumber.has(key)) byNumber.set(key, account);
  }
  return { first: first.account, count: listed.length, byNumber };
}

/** The URIs of a header's value (`"A" <sip:1@h>, <tel:+39…>`), or the value itself when it has no `<…>`. */
function urisOf(value: string): string[] {
  const bracketed = [...value.matchAll(/<([^>]*)>/g)].map((m) => m[1] ?? '');
  return bracketed.length > 0 ? bracketed : [value.split(';')[0] ?? ''];
}

/**
 * The account for a call whose caller ID headers are `callerIds` (in order of preference: P-Asserted-Identity,
 * P-Preferred-Identity, From; absent ones undefined): the first whose number is an account's, else the first account.
 */
export function accountFor(
  accounts: OutboundAccounts,
  callerIds: ReadonlyArray<string | undefined>,
  defaultCountry: string,
): OutboundAccount {
  if (accounts.count === 1) return accounts.first;
  for (const value of callerIds) {
    if (value === undefined || value === '') continue;
    for (const uri of urisOf(value)) {
      const user = uriUser(uri);
      const key = user === null ? null : numberKey(user, defaultCountry);
      const account = key === null ? undefined : accounts.byNumber.get(key);
      if (account !== undefined) return account;
    }
  }
  return accounts.first;
}
