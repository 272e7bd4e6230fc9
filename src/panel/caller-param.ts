/** A caller named in a URL (`/numbers/:number`, `?number=`): E.164 (`+39...`, `%2B39...`), national, or a `raw:` key. */
import { normalizeNumber } from '../callerid/index.js';
import { UNKNOWN_CALLER, type CallerIdentity } from '../callerid/types.js';
import { HttpError } from './http-error.js';

/** The caller's register key and the identity the classifier reads (400 when it is not a phone number). */
export function keyFromParam(param: string, defaultCountry: string): { key: string; identity: CallerIdentity } {
  const text = param.trim();
  if (text.length === 0 || text.length > 64) throw HttpError.said(400, 'errorNumberRequired');
  if (text.startsWith('raw:')) {
    const raw = text.slice(4);
    return {
      key: text,
      identity: identityOf({ raw, e164: null, type: null, valid: false, country: null, flags: ['unparsable'] }),
    };
  }
  const number = normalizeNumber(text, defaultCountry);
  if (!number.e164) throw HttpError.said(400, 'errorNotNumber', { text: JSON.stringify(text) });
  return { key: number.e164, identity: identityOf(number) };
}

function identityOf(number: CallerIdentity['number']): CallerIdentity {
  return { ...UNKNOWN_CALLER, number };
}
