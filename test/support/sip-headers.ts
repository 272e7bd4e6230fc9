/**
 * Raw SIP text → SipHeaderSource, the shape the drachtio adapter hands to the pure code. For tests: write the
 * INVITE as a carrier sends it and get what `identifyCaller` and `calledNumber` read.
 */
import type { SipHeaderSource } from '../../src/callerid/types.js';
// RFC 3261 compact forms, expanded as the adapter expands them: the drachtio double's table.
import { COMPACT } from './drachtio/sip-message.js';

export interface ParsedSipHeaders extends SipHeaderSource {
  method: string | null;
  /** Every header name seen, lower case, compact forms expanded. */
  names(): string[];
}

/**
 * Parses the start line (if it is a request line) and the headers up to the first empty line; folded lines
 * (starting with white space) continue the previous header. `\r\n` and `\n` line ends both work. Without a
 * request line, `requestUri` defaults to `sip:crocetta@127.0.0.1`.
 */
export function headersFrom(rawSipText: string, requestUri?: string): ParsedSipHeaders {
  const lines = rawSipText.replace(/^\s*\n/, '').split(/\r?\n/);
  const map = new Map<string, string[]>();
  let method: string | null = null;
  let ruri = requestUri ?? 'sip:crocetta@127.0.0.1';
  let last: { name: string; index: number } | null = null;
  const first = lines[0] ?? '';
  const requestLine = /^([A-Z]+) (\S+) SIP\/2\.0$/.exec(first.trim());
  if (requestLine) {
    method = requestLine[1] ?? null;
    ruri = requestUri ?? requestLine[2] ?? ruri;
    lines.shift();
  }
  for (const line of lines) {
    if (line.trim() === '') break;
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== null) {
      const values = map.get(last.name);
      if (values) values[last.index] = `${values[last.index] ?? ''} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const raw = line.slice(0, colon).trim().toLowerCase();
    const name = COMPACT[raw] ?? raw;
    const value = line.slice(colon + 1).trim();
    const values = map.get(name) ?? [];
    values.push(value);
    map.set(name, values);
    last = { name, index: values.length - 1 };
  }
  return {
    method,
    requestUri: ruri,
    header: (name: string) => [...(map.get(name.toLowerCase()) ?? [])],
    names: () => [...map.keys()],
  };
}

/** A SipHeaderSource from a plain object, for tests that do not need raw SIP: `{ from: '...', privacy: 'id' }`. */
export function headersOf(
  values: Record<string, string | string[]>,
  requestUri = 'sip:crocetta@127.0.0.1',
): SipHeaderSource {
  const map = new Map<string, string[]>();
  for (const [k, v] of Object.entries(values)) map.set(k.toLowerCase(), Array.isArray(v) ? v : [v]);
  return { requestUri, header: (name: string) => [...(map.get(name.toLowerCase()) ?? [])] };
}
