/**
 * The Contact and Expires headers of a REGISTER (RFC 3261 §10.2, §20.10, §20.19), read without trusting them:
 * every problem is a value (the adapter answers 400 or 403), never an exception.
 */

export interface RequestedContact {
  /** The contact URI as the PBX wrote it (inside <> when it used them), trimmed. */
  uri: string;
  /** Its `expires` parameter in seconds, when present. */
  expires: number | null;
}

export type ContactField =
  /** No Contact header: a query of the current bindings. */
  | { kind: 'none' }
  /** `Contact: *`: remove every binding of the address-of-record (only with Expires: 0). */
  | { kind: 'star' }
  | { kind: 'list'; contacts: RequestedContact[] };

export type Parsed<T> =
  { ok: true; value: T } | { ok: false; problem: 'malformed' | 'too many contacts'; detail: string };

/** RFC 3261 §10.2.1.1: larger values are taken as 2^32-1. */
export const MAX_DELTA_SECONDS = 4_294_967_295;
/** A Contact URI longer than this is refused (a PBX's is well under 200 characters). */
export const MAX_CONTACT_URI_LENGTH = 512;

/** `delta-seconds` (1*DIGIT); null when the text is anything else. */
export function parseDeltaSeconds(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,64}$/.test(t)) return null;
  const n = Number(t);
  return n > MAX_DELTA_SECONDS ? MAX_DELTA_SECONDS : n;
}

/** Splits a header value on commas outside quoted strings and <...>; null when quotes or brackets never close. */
export function splitTopLevel(text: string, separator: ',' | ';'): string[] | null {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  let angle = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') {
      if (angle) return null;
      angle = true;
    } else if (c === '>') {
      if (!angle) return null;
      angle = false;
    } else if (c === separator && !angle) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (quoted || angle) return null;
  parts.push(text.slice(start));
  return parts;
}

/** The parts of a `sip:`/`sips:` URI crocetta needs; null when it is not one. */
export interface SipUriParts {
  scheme: 'sip' | 'sips';
  user: string | null;
  /** Host without brackets (IPv6 as written inside them). */
  host: string;
  port: number | null;
  /** `;name=value` parameters as written, after the host:port (no leading ';'), and any `?headers` dropped. */
  params: string[];
}

export function parseSipUri(uri: string): SipUriParts | null {
  const m = /^(sips?):(?:([^@;?]+)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?((?:;[^?]*)?)(?:\?.*)?$/i.exec(
    uri,
  );
  if (!m) return null;
  const port = m[4] === undefined ? null : Number(m[4]);
  if (port !== null && (port < 1 || port > 65535)) return null;
  return {
    scheme: (m[1] as string).toLowerCase() as 'sip' | 'sips',
    user: m[2] ?? null,
    host: (m[3] as string).replace(/^\[|\]$/g, ''),
    port,
    params: (m[5] ?? '').split(';').filter((p) => p !== ''),
  };
}

/**
 * Reads the Contact header(s) (repeated headers joined with commas). `maxContacts` bounds the list: a longer
 * one is refused before anything is stored.
 */
export function parseContactField(value: string | undefined, maxContacts: number): Parsed<ContactField> {
  if (value === undefined || value.trim() === '') return { ok: true, value: { kind: 'none' } };
  if (value.length > maxContacts * (MAX_CONTACT_URI_LENGTH + 256)) {
    return { ok: false, problem: 'too many contacts', detail: `Contact header of ${value.length} characters` };
  }
  const entries = splitTopLevel(value, ',');
  if (entries === null) return { ok: false, problem: 'malformed', detail: 'unbalanced quotes or brackets in Contact' };
  const items = entries.map((e) => e.trim()).filter((e) => e !== '');
  if (items.length === 1 && items[0] === '*') return { ok: true, value: { kind: 'star' } };
  if (items.includes('*'))
    return { ok: false, problem: 'malformed', detail: 'Contact "*" together with other contacts' };
  if (items.length > maxContacts)
    return { ok: false, problem: 'too many contacts', detail: `${items.length} contacts (at most ${maxContacts})` };

  const contacts: RequestedContact[] = [];
  for (const item of items) {
    const one = parseContact(item);
    if (!one.ok) return one;
    contacts.push(one.value);
  }
  return { ok: true, value: { kind: 'list', contacts } };
}

function parseContact(item: string): Parsed<RequestedContact> {
  let uri: string;
  let paramText: string;
  const open = item.indexOf('<');
  if (open >= 0) {
    const close = item.indexOf('>', open);
    uri = item.slice(open + 1, close).trim();
    paramText = item.slice(close + 1);
  } else {
    // addr-spec form: parameters after the URI belong to the header, not the URI (RFC 3261 §20.10).
    const semi = item.indexOf(';');
    uri = (semi >= 0 ? item.slice(0, semi) : item).trim();
    paramText = semi >= 0 ? item.slice(semi) : '';
  }
  if (uri.length > MAX_CONTACT_URI_LENGTH) return { ok: false, problem: 'malformed', detail: 'Contact URI too long' };
  if (parseSipUri(uri) === null)
    return { ok: false, problem: 'malformed', detail: 'Contact is not a sip: or sips: URI' };

  let expires: number | null = null;
  const params = splitTopLevel(paramText, ';') ?? [];
  for (const p of params.slice(1)) {
    const [name = '', raw] = p.split('=', 2);
    if (name.trim().toLowerCase() !== 'expires') continue;
    const seconds = parseDeltaSeconds((raw ?? '').replace(/^\s*"|"\s*$/g, ''));
    if (seconds === null)
      return { ok: false, problem: 'malformed', detail: 'Contact expires parameter is not a number of seconds' };
    expires = seconds;
  }
  return { ok: true, value: { uri, expires } };
}
