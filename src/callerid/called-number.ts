import { parseNameAddr } from './header-values.js';
import { readHeader } from './identify-caller.js';
import { normalizeNumber } from './normalize-number.js';
import { parseUri, uriNumberText } from './sip-uri.js';
import type { IdentifyOptions, PhoneNumber, SipHeaderSource } from './types.js';

function numberIn(uriText: string, defaultCountry: string): PhoneNumber | null {
  const uri = parseUri(uriText);
  const text = uriNumberText(uri);
  return text === null ? null : normalizeNumber(text, defaultCountry);
}

/**
 * Where the called party is named. Normally the Request-URI. On a call a registration trunk sends to our
 * registered contact, the Request-URI's user is the account's user name (`trunkUsername`), which is no DID even
 * when it is all digits: the DID is then in P-Called-Party-ID (RFC 3455), else in To.
 */
export function calledPartyUris(
  headers: SipHeaderSource,
  trunkUsername = '',
): { uris: string[]; toTrunkContact: boolean } {
  const requestUri = typeof headers.requestUri === 'string' ? headers.requestUri : '';
  const to = readHeader(headers, 'to')[0];
  const toUri = to === undefined ? null : parseNameAddr(to).uri;
  if (trunkUsername !== '' && parseUri(requestUri).user === trunkUsername) {
    const pcpid = readHeader(headers, 'p-called-party-id')[0];
    const pcpidUri = pcpid === undefined ? null : parseNameAddr(pcpid).uri;
    return { uris: [pcpidUri, toUri].filter((u): u is string => u !== null && u !== ''), toTrunkContact: true };
  }
  return { uris: [requestUri, ...(toUri === null ? [] : [toUri])], toTrunkContact: false };
}

/**
 * The number that was called (our DID): the Request-URI's user part, else the To header's. DIDs arrive national
 * (`0212345678`), E.164 (`+39...`), or with the country code as a trunk prefix (`39...`, `0039...`); all normalize
 * the same way. A Request-URI without a number (`sip:pbx@10.0.0.5`, registration-style trunks) defers to To; a
 * call to the registration trunk's contact (`trunkUsername`) reads P-Called-Party-ID, else To (calledPartyUris).
 * Null when none carries a number. Never throws.
 */
export function calledNumber(
  headers: SipHeaderSource,
  opts: IdentifyOptions & { trunkUsername?: string },
): PhoneNumber | null {
  try {
    const country = typeof opts?.defaultCountry === 'string' ? opts.defaultCountry : '';
    const { uris } = calledPartyUris(headers, typeof opts?.trunkUsername === 'string' ? opts.trunkUsername : '');
    // The Request-URI's number usually is the DID: To is parsed only when it is not (one libphonenumber parse).
    let first: PhoneNumber | null = null;
    for (const uri of uris) {
      const n = numberIn(uri, country);
      if (n?.e164 != null) return n;
      first ??= n;
    }
    return first;
  } catch {
    return null;
  }
}

/**
 * The user part to put in the Request-URI towards the PBX for a call to the registration trunk's contact: the
 * DID as the carrier wrote it (P-Called-Party-ID, else To), or null when neither has a user part.
 */
export function trunkCalledUser(headers: SipHeaderSource, trunkUsername: string): string | null {
  try {
    const { uris, toTrunkContact } = calledPartyUris(headers, trunkUsername);
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
