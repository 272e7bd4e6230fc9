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
 * The number that was called (our DID): the Request-URI's user part, else the To header's. DIDs arrive national
 * (`0212345678`), E.164 (`+39...`), or with the country code as a trunk prefix (`39...`, `0039...`); all normalize
 * the same way. A Request-URI without a number (`sip:pbx@10.0.0.5`, registration-style trunks) defers to To.
 * Null when neither carries a number. Never throws.
 */
export function calledNumber(headers: SipHeaderSource, opts: IdentifyOptions): PhoneNumber | null {
  try {
    const country = typeof opts?.defaultCountry === 'string' ? opts.defaultCountry : '';
    const fromRuri = typeof headers.requestUri === 'string' ? numberIn(headers.requestUri, country) : null;
    if (fromRuri?.e164 != null) return fromRuri;
    const to = readHeader(headers, 'to')[0];
    const fromTo = to === undefined ? null : numberIn(parseNameAddr(to).uri, country);
    if (fromTo?.e164 != null) return fromTo;
    return fromRuri ?? fromTo;
  } catch {
    return null;
  }
}
