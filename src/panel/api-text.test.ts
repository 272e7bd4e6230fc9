import { describe, expect, it } from 'vitest';
import { API_TEXT, apiText } from './api-text.js';
import { HttpError } from './http-error.js';
import { textIn } from './i18n.js';

/**
 * The JSON API's error words as the API answered them before its words left the page catalogue (the English
 * catalogue of d5faaa4, src/panel/i18n.ts, and the dossier route's own words: its company-and-number error, and a
 * period's as parsePeriod says it): scripts, the CLI and the tests read them, so they may not drift.
 */
const AS_THE_API_SAID = {
  errorNoRoute: 'no such route: {method} {path}',
  errorInternal: 'internal error',
  errorBodyTooLarge: 'request entity too large',
  errorBadJson: 'invalid JSON body',
  errorInvalidRequest: 'invalid request: {detail}',
  errorNumberRequired: 'a phone number is required (at most 64 characters)',
  errorNotNumber: 'not a phone number: {text}',
  errorRegisterUnavailable:
    'the register cannot write at the moment (disk full, I/O errors or locked): nothing was changed, try again later',
  errorCompanyAndNumber: 'company, number: give one of them, not both',
  errorPeriodSince: '{detail}',
  errorPeriodUntil: '{detail}',
  errorPeriodOrder: '{detail}',
  // body-parser's refusals, as the library worded them when the API passed its message on (session 26); a broken
  // compression said zlib's own words ("incorrect header check"), replaced by a sentence of the API's.
  errorTooManyFields: 'too many parameters',
  errorCharset: 'unsupported charset "{charset}"',
  errorContentEncoding: 'unsupported content encoding "{encoding}"',
  errorBodyDamaged: 'the request body could not be decompressed (Content-Encoding: {encoding})',
  errorRequestAborted: 'request aborted',
  errorRequestSize: 'request size did not match content length',
};

describe("the JSON API's error words (api-text.ts)", () => {
  it('are, for every error the API can answer, the words it always answered', () => {
    // The same keys (a new API error is added here on purpose), each with the same text, byte for byte.
    expect(API_TEXT).toStrictEqual(AS_THE_API_SAID);
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
