import { apiText } from './api-text.js';
import type { MessageKey } from './i18n.js';

/** An error's text in the panel's catalogue (i18n.ts): the pages say it in the office's language. */
export interface Said {
  key: MessageKey;
  params?: Record<string, string | number>;
}

/**
 * An error that knows its HTTP status; thrown by panel routes, turned into a response by error-handler.ts only.
 * `message` is English, the JSON API's words; `said`, when given, is the same error in the panel's catalogue, which a
 * page (or panel.js's form) says in the office's language and in its own words.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly said?: Said,
  ) {
    super(message);
    this.name = 'HttpError';
  }

  /** An error whose text is the catalogue's `key` (its message is the JSON API's words for it, api-text.ts). */
  static said(status: number, key: MessageKey, params?: Record<string, string | number>): HttpError {
    return new HttpError(status, apiText(key, params), { key, ...(params !== undefined && { params }) });
  }
}
