/**
 * The one way a route reads its input: `parseRequest(req, { params, query, body })` runs each part through its zod
 * schema and returns it typed, or throws a ZodError that error-handler.ts turns into a 400 naming the field
 * (`limit: expected a whole number from 1 to 1000`). No route reads `req.query`, `req.params` or `req.body` itself
 * and nothing is cast. The schemas shared by several resources are here; each router keeps its own beside it.
 */
import type { Request } from 'express';
import { z } from 'zod';
import { VERDICTS } from '../screening/types.js';
import { dayFromIso } from '../store/reports/local-days.js';
import { isoDayFromTyped } from './date-text.js';
import { parseDateTime } from '../time/zoned-time.js';

/** The schemas of a request's parts; a part without a schema is not read. */
export interface RequestSchemas<P, Q, B> {
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
}

/** A request's parts, parsed: a ZodError (400) when one does not fit its schema. */
export function parseRequest<P = undefined, Q = undefined, B = undefined>(
  req: Request,
  schemas: RequestSchemas<P, Q, B>,
): { params: P; query: Q; body: B } {
  return {
    params: (schemas.params === undefined ? undefined : schemas.params.parse(req.params)) as P,
    query: (schemas.query === undefined ? undefined : schemas.query.parse(req.query)) as Q,
    // A form or JSON body that was not sent parses as {} (a missing field then names itself).
    body: (schemas.body === undefined ? undefined : schemas.body.parse(req.body ?? {})) as B,
  };
}

/**
 * One query-string or form value: a string trimmed, cut to `max` characters, empty → undefined. A repeated
 * parameter (`?a=1&a=2`, an array) is refused with "expected one value".
 */
export function text(max = 64) {
  return z
    .string({ error: 'expected one value' })
    .optional()
    .transform((v) => {
      const t = v?.trim();
      return t === undefined || t === '' ? undefined : t.slice(0, max);
    });
}

/** Like text(), but a value longer than `max` is refused instead of cut. */
export function boundedText(max: number) {
  return z
    .string({ error: 'expected one value' })
    .optional()
    .transform((v) => {
      const t = v?.trim();
      return t === undefined || t === '' ? undefined : t;
    })
    .refine((v) => v === undefined || v.length <= max, { error: `at most ${max} characters` });
}

/** A lenient filter of a page: a value outside `values` is ignored (the page shows everything), never an error. */
export function oneOf<const T extends readonly string[]>(values: T) {
  return z
    .unknown()
    .optional()
    .transform((v): T[number] | undefined =>
      typeof v === 'string' && values.includes(v.trim()) ? v.trim() : undefined,
    );
}

/** Whatever a lenient page filter was given: one string, or undefined (an array or an empty value ignored). */
export const lenientText = (max = 64) =>
  z
    .unknown()
    .optional()
    .transform((v) => {
      if (typeof v !== 'string') return undefined;
      const t = v.trim();
      return t === '' ? undefined : t.slice(0, max);
    });

/** A phone number in a URL (`:number`): what keyFromParam reads (E.164, national, a short code, `raw:`). */
export const numberParams = z.object({ number: z.string() });

/** `limit` of the JSON API: a whole number from 1 to 1000 (100 when absent). */
export const limit = (fallback = 100) =>
  z
    .string({ error: 'expected a whole number from 1 to 1000' })
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      const n = /^\d+$/.test(v) ? Number(v) : NaN;
      if (n >= 1 && n <= 1000) return n;
      ctx.addIssue({ code: 'custom', message: 'expected a whole number from 1 to 1000' });
      return z.NEVER;
    });

/** An instant: ISO 8601 or ms since epoch (undefined when absent). */
export const instant = z
  .string({ error: 'expected one value' })
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return undefined;
    const ms = /^\d+$/.test(v) ? Number(v) : parseDateTime(v);
    if (Number.isFinite(ms)) return ms;
    ctx.addIssue({ code: 'custom', message: `expected an ISO 8601 date or ms since epoch, got ${JSON.stringify(v)}` });
    return z.NEVER;
  });

/**
 * A local day of a page's date field: typed day first (`04/12/2026`, date-text.ts) or the URL's `YYYY-MM-DD`, as
 * `text` (ISO) with its day number; a value that is no day is kept as `unread`, for the page to say so.
 */
export const localDate = lenientText(20).transform(
  (v): { text: string; day: number } | { unread: string } | undefined => {
    if (v === undefined) return undefined;
    const iso = isoDayFromTyped(v);
    const day = iso === null ? undefined : dayFromIso(iso);
    return iso === null || day === undefined ? { unread: v } : { text: iso, day };
  },
);

/** The verdicts, for a page filter. */
export const verdict = oneOf(VERDICTS);

/** A checkbox of a form: checked when it sent `1`. */
export const checkbox = z
  .unknown()
  .optional()
  .transform((v) => v === '1');

/** `?marked=<label>&number=<caller key>`: the page a mark form went back to says what it did. */
export const markedQuery = z.object({
  marked: oneOf(['nuisance', 'trusted', 'none'] as const),
  number: lenientText(300),
});

/** Whether the register's mark is what `?marked=` says was done (a stale or hand-made link says nothing). */
export function markAgrees(marked: 'nuisance' | 'trusted' | 'none', mark: { label: string } | null): boolean {
  return marked === 'none' ? mark === null : mark?.label === marked;
}
