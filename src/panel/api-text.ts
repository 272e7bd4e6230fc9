/**
 * The JSON API's words for the errors it shares with the panel's pages. The page catalogue (i18n.ts) says an error to
 * the office, in its language and in plain words (what went wrong, what to do next); the JSON API (`/api/…`) says the
 * same error in English, naming the route, the parameter or the mechanism, as it always has: scripts, the CLI and
 * tests read these answers, so they are kept here word for word (api-text.test.ts pins them). A key that is not here
 * is never said by the API (only pages say it).
 */
import { fillParams, textIn, type MessageKey } from './i18n.js';

/** Every catalogue error the JSON API can answer, in the API's words. */
export const API_TEXT = {
  errorNoRoute: 'no such route: {method} {path}',
  errorInternal: 'internal error',
  errorBodyTooLarge: 'request entity too large',
  errorBadJson: 'invalid JSON body',
  errorInvalidRequest: 'invalid request: {detail}',
  errorNumberRequired: 'a phone number is required (at most 64 characters)',
  errorNotNumber: 'not a phone number: {text}',
  errorHiddenUnknown: 'no withheld caller of this register has this name (hidden:...)',
  errorRegisterUnavailable:
    'the register cannot write at the moment (disk full, I/O errors or locked): nothing was changed, try again later',
  // The dossier's (GET /api/dossier): its parameters named; a period as parsePeriod says it (src/dossier/period.ts).
  errorCompanyAndNumber: 'company, number: give one of them, not both',
  errorPeriodSince: '{detail}',
  errorPeriodUntil: '{detail}',
  errorPeriodOrder: '{detail}',
  // A request body body-parser refused, by its type (error-handler.ts): its words as the API answered them (the
  // library's, now ours, so an upgrade of it cannot change them), but a broken compression, which answered zlib's
  // own words ("incorrect header check").
  errorTooManyFields: 'too many parameters',
  errorCharset: 'unsupported charset "{charset}"',
  errorContentEncoding: 'unsupported content encoding "{encoding}"',
  errorBodyDamaged: 'the request body could not be decompressed (Content-Encoding: {encoding})',
  errorRequestAborted: 'request aborted',
  errorRequestSize: 'request size did not match content length',
} as const satisfies Partial<Record<MessageKey, string>>;

/** An error's text on the JSON API: its words here, else (an error only pages say) the page's English. */
export function apiText(key: MessageKey, params?: Record<string, string | number>): string {
  const words: Partial<Record<MessageKey, string>> = API_TEXT;
  const text = words[key];
  return text === undefined ? textIn('en', key, params) : fillParams(text, params);
}
