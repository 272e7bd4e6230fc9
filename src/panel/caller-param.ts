/**
 * A caller named in a URL (`/numbers/:number`, `?number=`): E.164 (`+39...`, `%2B39...`), national, a short code
 * (`48018`, its `raw:` key), a `raw:` key (a text message's sender ID: `raw:PROMO-ENERGIA`), or a withheld caller's
 * token (`hidden:...`, withheld.ts).
 */
import { normalizeNumber } from '../callerid/index.js';
import { UNKNOWN_CALLER, type CallerIdentity } from '../callerid/types.js';
import { HttpError } from './http-error.js';
import { HIDDEN_PREFIX, type WithheldCallers } from './withheld.js';

/** A caller as a URL names it. */
export interface CallerParam {
  /** Its register key (`+39...`, `raw:...`). */
  key: string;
  /** The identity the classifier reads: a token's caller is withheld (Privacy: id), as its calls were. */
  identity: CallerIdentity;
  /** The token the URL named it by; absent for a number. */
  token?: string;
}

/**
 * The caller's register key and the identity the classifier reads (400 when it is not a phone number, 404 when it is
 * a token this register did not make).
 */
export function keyFromParam(param: string, defaultCountry: string, withheld?: WithheldCallers): CallerParam {
  const text = param.trim();
  if (text.startsWith(HIDDEN_PREFIX)) {
    const key = text.length > 400 ? null : (withheld?.resolve(text) ?? null);
    if (key === null) throw HttpError.said(404, 'errorHiddenUnknown');
    const of = key.startsWith('raw:')
      ? rawKey(key, defaultCountry).identity
      : keyFromParam(key, defaultCountry).identity;
    return { key, identity: { ...of, withheld: true, withheldReason: 'privacy-header' }, token: text };
  }
  if (text.length === 0 || text.length > 64) throw HttpError.said(400, 'errorNumberRequired');
  if (text.startsWith('raw:')) return rawKey(text, defaultCountry);
  const number = normalizeNumber(text, defaultCountry);
  // A short code (`48018`, a marketer's or a bank's texts) as the register keeps it: `raw:` and its digits.
  if (number.e164 === null && number.flags.includes('short-code') && number.raw !== '') {
    return { key: `raw:${number.raw}`, identity: identityOf(number) };
  }
  if (!number.e164) throw HttpError.said(400, 'errorNotNumber', { text: JSON.stringify(text) });
  return { key: number.e164, identity: identityOf(number) };
}

/**
 * A `raw:` key's caller, with the flags its text gets as a caller ID (a short code's `short-code`, a sender ID's
 * `alphanumeric`), so that what the page says the next one gets is what it gets (a short code's texts are never
 * blocked unless marked; a sender ID's are judged as texts).
 */
function rawKey(text: string, defaultCountry: string): CallerParam {
  const raw = text.slice(4);
  const n = normalizeNumber(raw, defaultCountry);
  const flags = n.e164 === null && n.raw === raw ? n.flags : ['unparsable'];
  return { key: text, identity: identityOf({ raw, e164: null, type: null, valid: false, country: null, flags }) };
}

function identityOf(number: CallerIdentity['number']): CallerIdentity {
  return { ...UNKNOWN_CALLER, number };
}
