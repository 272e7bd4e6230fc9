import type Srf from 'drachtio-srf';
import type { SipHeaderSource } from '../callerid/types.js';

/**
 * Compact header forms drachtio-srf's parser does not map (it knows f, t, i, m, ...). RFC 8224 gives Identity
 * the compact form `y`.
 */
const EXTRA_COMPACT: ReadonlyMap<string, string> = new Map([['identity', 'y']]);

/**
 * drachtio-srf's compact header forms (sip-parser/parser.js): it stores `f:` as `from` and maps a compact name
 * looked up to its full name as well.
 */
const DRACHTIO_COMPACT: ReadonlyMap<string, string> = new Map([
  ['i', 'call-id'],
  ['m', 'contact'],
  ['e', 'contact-encoding'],
  ['l', 'content-length'],
  ['c', 'content-type'],
  ['f', 'from'],
  ['s', 'subject'],
  ['k', 'supported'],
  ['t', 'to'],
  ['v', 'via'],
]);

/** True when `name` has an upper-case ASCII letter. */
function hasUpperCase(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
  }
  return false;
}

/** An absent header's values (shared: no list built per request; not frozen, so loops over it stay fast). */
const NO_VALUES: readonly string[] = [];

/** No header name of the request has an upper-case letter (the usual case: see RequestHeaders). */
const ALL_LOWER: readonly string[] = Object.freeze([]);

/**
 * The headers of a received request, as the pure caller-ID code reads them (one object, no closure per call), and
 * as the SIP side reads single headers (`get`): built once per request, so every header read on the way to the
 * answer is a property look-up rather than drachtio-srf's `req.get`.
 *
 * The header table is read the way drachtio-srf's `req.get(name)` reads it (the first header whose name matches
 * case-insensitively) without what `req.get` costs on each call (listing and lower-casing every name, reading
 * process.env) and without building a map per request: drachtio-srf's parser stores names in lower case except X-
 * and P- headers (but P-Asserted-Identity) and Diversion, kept as written. So the table is scanned once for names
 * with an upper-case letter; a name none of them lower-cases to is one property read, and only a name one of them
 * does is looked up in the table's order. One object a request: the table's reader is this object, not one of its
 * own beside it.
 */
export class RequestHeaders implements SipHeaderSource {
  readonly requestUri: string;
  /** drachtio-srf's header table; null when the request has none (then `req.get` is used). */
  private readonly table: Record<string, unknown> | null;
  /** The lower-case forms of the table's names written with an upper-case letter, found on the first look-up. */
  private upperNames: readonly string[] | undefined;

  constructor(private readonly req: Srf.SrfRequest) {
    // drachtio-srf's Request reads `uri` and `headers` from its SipMessage (`req.msg`) through getters the
    // `delegates` package defines, one shared closure for every name (`this[target][name]`: keyed loads V8 cannot
    // specialize); the message's own fields are the same values, read as plain properties.
    const msg = (req as { msg?: unknown }).msg;
    const from = typeof msg === 'object' && msg !== null ? (msg as { uri?: unknown; headers?: unknown }) : req;
    const uri = from.uri;
    this.requestUri = typeof uri === 'string' ? uri : '';
    const headers = from.headers;
    this.table = typeof headers === 'object' && headers !== null ? (headers as Record<string, unknown>) : null;
    this.upperNames = undefined;
  }

  header(name: string): readonly string[] {
    const names = HEADER_NAMES.get(name) ?? headerNames(name);
    const full = this.lookupKey(names.key);
    const short = names.short === null ? undefined : this.lookupKey(names.short);
    const hasFull = typeof full === 'string' && full !== '';
    const hasShort = typeof short === 'string' && short !== '';
    if (hasFull) return hasShort ? [full, short] : [full];
    return hasShort ? [short] : NO_VALUES;
  }

  /** What drachtio-srf's `req.get(name)` answers (any case, compact forms included), read from the table. */
  get(name: string): unknown {
    return this.lookup(hasUpperCase(name) ? name.toLowerCase() : name);
  }

  private lookup(lower: string): unknown {
    return this.lookupKey(DRACHTIO_COMPACT.get(lower) ?? lower);
  }

  /** The value of the header `key` (a lower-case name as drachtio-srf files it: full forms of its compact ones). */
  private lookupKey(key: string): unknown {
    const table = this.table;
    if (table === null) return this.req.get(key);
    const upperNames = (this.upperNames ??= upperCaseNames(table));
    if (upperNames === ALL_LOWER || !upperNames.includes(key)) {
      // One keyed read; the own-property check only for a value found (a name of Object.prototype's is no header).
      const value = table[key];
      return value === undefined || Object.hasOwn(table, key) ? value : undefined;
    }
    for (const name of Object.keys(table)) if (name.toLowerCase() === key) return table[name];
    return undefined;
  }
}

function upperCaseNames(table: Record<string, unknown>): readonly string[] {
  let names: string[] | null = null;
  for (const name in table) {
    if (hasUpperCase(name)) (names ??= []).push(name.toLowerCase());
  }
  return names ?? ALL_LOWER;
}

/** What `header(name)` reads for a name: the table's key, and the key of its compact form that drachtio-srf keeps. */
interface HeaderNames {
  key: string;
  short: string | null;
}

/**
 * The names `header` was asked for (the caller-ID code asks for a handful, always the same), resolved once: one
 * Map look-up per read instead of lower-casing the name and two look-ups. Bounded: names past the bound are
 * resolved on each read.
 */
const HEADER_NAMES = new Map<string, HeaderNames>();
const MAX_HEADER_NAMES = 64;

function headerNames(name: string): HeaderNames {
  const lower = name.toLowerCase();
  const compact = EXTRA_COMPACT.get(lower);
  const names: HeaderNames = {
    key: DRACHTIO_COMPACT.get(lower) ?? lower,
    short: compact === undefined ? null : (DRACHTIO_COMPACT.get(compact) ?? compact),
  };
  if (HEADER_NAMES.size < MAX_HEADER_NAMES) HEADER_NAMES.set(name, names);
  return names;
}

/** The headers of a received request, as the pure caller-ID code and the SIP side read them. */
export function headerSource(req: Srf.SrfRequest): RequestHeaders {
  return new RequestHeaders(req);
}

/** The user part of a SIP/tel URI as received (our DID on inbound calls), or null. */
export function uriUser(uri: string): string | null {
  const m = /^(?:sips?|tel):([^@;?>]+)/i.exec(uri.trim());
  if (!m?.[1]) return null;
  // Without a `%` there is nothing to decode (the usual DID): decodeURIComponent would return the same text.
  if (!m[1].includes('%')) return m[1];
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

/** A user written with these characters only goes into the PBX's URI as it is (nothing to escape). */
const PLAIN_USER = /^[0-9A-Za-z+\-_.!~*'()&=$,;?/]*$/;

/** The last PBX URI withUser read, and its scheme and host part: the same configured URI on every call. */
let lastPbxUri: string | null = null;
let lastPbxParts: RegExpExecArray | null = null;

/** `sip:host:port` of the PBX with `user` put in as the user part (replacing any there). */
export function withUser(pbxUri: string, user: string | null): string {
  if (!user) return pbxUri;
  if (pbxUri !== lastPbxUri) {
    lastPbxParts = /^(sips?):(?:[^@]*@)?(.*)$/i.exec(pbxUri);
    lastPbxUri = pbxUri;
  }
  const m = lastPbxParts;
  if (!m) return pbxUri;
  const escaped = PLAIN_USER.test(user)
    ? user
    : user.replace(/[^0-9A-Za-z+\-_.!~*'()&=$,;?/]/g, (c) => encodeURIComponent(c));
  return `${m[1]}:${escaped}@${m[2]}`;
}
