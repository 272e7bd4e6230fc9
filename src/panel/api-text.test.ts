import { describe, expect, it } from 'vitest';
import { API_TEXT, apiText } from './api-text.js';
import { HttpError } from './http-error.js';
import { textIn } from './i18n.js';

type Params = Record<string, string | number> | undefined;

/**
 * What the JSON API answers for each error it can answer, parameters filled in as its routes fill them, in the words
 * it answered before they left the page catalogue (the English catalogue of d5faaa4, src/panel/i18n.ts, and the
 * dossier route's own words: its company-and-number error, and a period's as parsePeriod says it); body-parser's
 * refusals as the library worded them when the API passed its message on (session 26), but a broken compression,
 * which said zlib's own words ("incorrect header check"), replaced by a sentence of the API's. Scripts, the CLI and
 * the tests read these answers, so they may not drift.
 */
const THE_API_SAYS: Array<[key: keyof typeof API_TEXT, params: Params, said: string]> = [
  ['errorNoRoute', { method: 'DELETE', path: '/api/attempts' }, 'no such route: DELETE /api/attempts'],
  ['errorInternal', undefined, 'internal error'],
  ['errorBodyTooLarge', undefined, 'request entity too large'],
  ['errorBadJson', undefined, 'invalid JSON body'],
  [
    'errorInvalidRequest',
    { detail: 'limit: expected a whole number from 1 to 1000' },
    'invalid request: limit: expected a whole number from 1 to 1000',
  ],
  ['errorNumberRequired', undefined, 'a phone number is required (at most 64 characters)'],
  ['errorNotNumber', { text: '"abc"' }, 'not a phone number: "abc"'],
  ['errorHiddenUnknown', undefined, 'no withheld caller of this register has this name (hidden:...)'],
  [
    'errorRegisterUnavailable',
    undefined,
    'the register cannot write at the moment (disk full, I/O errors or locked): nothing was changed, try again later',
  ],
  ['errorCompanyAndNumber', undefined, 'company, number: give one of them, not both'],
  ['errorPeriodSince', { detail: 'since: expected a day (YYYY-MM-DD)' }, 'since: expected a day (YYYY-MM-DD)'],
  ['errorPeriodUntil', { detail: 'until: expected a day (YYYY-MM-DD)' }, 'until: expected a day (YYYY-MM-DD)'],
  ['errorPeriodOrder', { detail: 'since: must be before until' }, 'since: must be before until'],
  ['errorTooManyFields', undefined, 'too many parameters'],
  ['errorCharset', { charset: 'LATIN9' }, 'unsupported charset "LATIN9"'],
  ['errorContentEncoding', { encoding: 'br' }, 'unsupported content encoding "br"'],
  ['errorBodyDamaged', { encoding: 'gzip' }, 'the request body could not be decompressed (Content-Encoding: gzip)'],
  ['errorRequestAborted', undefined, 'request aborted'],
  ['errorRequestSize', undefined, 'request size did not match content length'],
];

describe("the JSON API's error words (api-text.ts)", () => {
  it('are, for every error the API can answer, the words it always answered, parameters filled in', () => {
    // Every error the API can answer is here (a new one is added here on purpose), each said byte for byte.
    expect(THE_API_SAYS.map(([key]) => key).sort()).toEqual(Object.keys(API_TEXT).sort());
    for (const [key, params, said] of THE_API_SAYS) expect(apiText(key, params), key).toBe(said);
  });

  it("are what HttpError.said's message and apiText say, parameters filled in", () => {
    expect(apiText('errorNoRoute', { method: 'GET', path: '/api/x' })).toBe('no such route: GET /api/x');
    expect(HttpError.said(400, 'errorNotNumber', { text: '"abc"' }).message).toBe('not a phone number: "abc"');
    expect(HttpError.said(400, 'errorNumberRequired').said).toEqual({ key: 'errorNumberRequired' });
  });

  it("differ from the English page's words, which say the same to the office in sentences", () => {
    for (const key of Object.keys(API_TEXT) as Array<keyof typeof API_TEXT>) {
      const page = textIn('en', key);
      expect(page, key).not.toBe(API_TEXT[key]);
      expect(page, key).toMatch(/^[A-Z]/); // a sentence: a capital, a full stop (or the detail that ends it)
      expect(page, key).toMatch(/(\.|\{detail\})$/);
    }
  });

  it("give an error only pages say (no API words) the English page's words, e.g. for the log", () => {
    expect(apiText('errorNoRule')).toBe(textIn('en', 'errorNoRule'));
  });
});
