import { readHeader, withoutFromTag } from './identify-caller.js';
import type { TrunkUsers } from './called-number.js';
import type { SipHeaderSource } from './types.js';

/**
 * Every value of a request identifyCaller and calledNumber read, with the settings they read them with, as one
 * string: two requests with the same key get the same caller identity (the same values) and the same called number
 * from them. What each reads (identify-caller.ts readIdentityHeaders, called-number.ts readCalledValues): the
 * P-Asserted-Identity, Remote-Party-ID, From (without its lone tag, which identify never reads: the identity cache's
 * own key drops it the same way), Privacy, Identity (and its compact form) and P-Attestation-Indicator values, the
 * Request-URI, To's first value and P-Called-Party-ID's (read here whatever the trunk accounts: a key more exact than
 * needed), the default country and the registration trunk's accounts (their `key` names the whole set). Each value
 * is written after its length and each list after its count, so no two sets of values make the same key.
 */
export function screenedValuesKey(
  headers: SipHeaderSource,
  opts: { defaultCountry: string; trunkUsers?: TrunkUsers },
): string {
  const country = typeof opts.defaultCountry === 'string' ? opts.defaultCountry : '';
  const requestUri = typeof headers.requestUri === 'string' ? headers.requestUri : '';
  let key = part(part(part('', country), opts.trunkUsers?.key ?? ''), requestUri);
  key = list(key, readHeader(headers, 'to'), 1);
  key = list(key, readHeader(headers, 'p-called-party-id'), 1);
  key = list(key, readHeader(headers, 'p-asserted-identity'));
  key = list(key, readHeader(headers, 'remote-party-id'));
  const from = readHeader(headers, 'from');
  key += `${from.length};`;
  for (let i = 0; i < from.length; i++) key = part(key, withoutFromTag(from[i]!));
  key = list(key, readHeader(headers, 'privacy'));
  key = list(key, readHeader(headers, 'identity'));
  return list(key, readHeader(headers, 'p-attestation-indicator'));
}

/** `key` and `value` after its length. */
function part(key: string, value: string): string {
  return `${key}${value.length}:${value}`;
}

/** `key` and the first `most` values after their count. */
function list(key: string, values: readonly string[], most = values.length): string {
  const n = Math.min(most, values.length);
  let out = `${key}${n};`;
  for (let i = 0; i < n; i++) out = part(out, values[i]!);
  return out;
}
