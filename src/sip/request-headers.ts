import type Srf from 'drachtio-srf';
import type { SipHeaderSource } from '../callerid/types.js';
import { FRONT_ASKS_MARK } from './verdict-to-sip.js';

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
 * The headers read on the way to every answer, as drachtio-srf files them (lower case, full forms): the transaction
 * check's (Call-ID, CSeq, From, Via), the caller ID's (P-Asserted-Identity, Remote-Party-ID, From, Privacy,
 * Identity and its compact form y, P-Attestation-Indicator), the called number's (To, P-Called-Party-ID), the
 * attempt's (User-Agent) and the front's ask for the refusal mark (verdict-to-sip.ts FRONT_ASKS_MARK). Each has a
 * slot, filled by the one pass over the table that also finds the names written with an upper-case letter.
 */
const SLOTTED = [
  'call-id',
  'cseq',
  'from',
  'via',
  'p-asserted-identity',
  'remote-party-id',
  'privacy',
  'identity',
  'y',
  'p-attestation-indicator',
  'to',
  'p-called-party-id',
  'user-agent',
  FRONT_ASKS_MARK.toLowerCase(),
];

/** A slotted name's slot. */
const SLOTS: ReadonlyMap<string, number> = new Map(SLOTTED.map((name, i) => [name, i]));

/** A header no slot holds (HeaderNames.slot): read from the table. */
const NO_SLOT = -1;

/**
 * The headers of a received request, as the pure caller-ID code reads them (one object, no closure per call), and
 * as the SIP side reads single headers (`get`): built once per request, so every header read on the way to the
 * answer is a property look-up rather than drachtio-srf's `req.get`.
 *
 * The header table is read the way drachtio-srf's `req.get(name)` reads it (the first header whose name matches
 * case-insensitively) without what `req.get` costs on each call (listing and lower-casing every name, reading
 * process.env) and without building a map per request: drachtio-srf's parser stores names in lower case except X-
 * and P- headers (but P-Asserted-Identity) and Diversion, kept as written. The table is read in one pass when the
 * object is made: the value of each header read before every answer (SLOTTED) goes to its slot, the first whose
 * name lower-cases to it winning, and the names written with an upper-case letter are noted in lower case. A
 * slotted header is then one read of its slot; another name none of the table's lower-cases to is one property
 * read, and only a name one of them does is looked up in the table's order. One object a request.
 */
export class RequestHeaders implements SipHeaderSource {
  readonly requestUri: string;
  /** drachtio-srf's header table; null when the request has none (then `req.get` is used). */
  private readonly table: Record<string, unknown> | null;
  /** The lower-case forms of the table's names written with an upper-case letter. */
  private readonly upperNames: readonly string[];
  /** The slotted headers' values (SLOTTED's order; undefined: none, or the table's value was undefined). */
  private readonly values: unknown[];

  constructor(private readonly req: Srf.SrfRequest) {
    // drachtio-srf's Request reads `uri` and `headers` from its SipMessage (`req.msg`) through getters the
    // `delegates` package defines, one shared closure for every name (`this[target][name]`: keyed loads V8 cannot
    // specialize); the message's own fields are the same values, read as plain properties.
    const msg = (req as { msg?: unknown }).msg;
    const from = typeof msg === 'object' && msg !== null ? (msg as { uri?: unknown; headers?: unknown }) : req;
    const uri = from.uri;
    this.requestUri = typeof uri === 'string' ? uri : '';
    const headers = from.headers;
    const table = typeof headers === 'object' && headers !== null ? (headers as Record<string, unknown>) : null;
    this.table = table;
    const values: unknown[] = new Array<unknown>(SLOTTED.length).fill(undefined);
    this.values = values;
    this.upperNames = table === null ? ALL_LOWER : readTable(table, values);
  }

  header(name: string): readonly string[] {
    const names = HEADER_NAMES.get(name) ?? headerNames(name);
    const full = names.slot === NO_SLOT ? this.lookupKey(names.key) : this.slot(names.slot, names.key);
    const short =
      names.short === null
        ? undefined
        : names.shortSlot === NO_SLOT
          ? this.lookupKey(names.short)
          : this.slot(names.shortSlot, names.short);
    const hasFull = typeof full === 'string' && full !== '';
    const hasShort = typeof short === 'string' && short !== '';
    if (hasFull) return hasShort ? [full, short] : [full];
    return hasShort ? [short] : NO_VALUES;
  }

  /** What drachtio-srf's `req.get(name)` answers (any case, compact forms included), read from the table. */
  get(name: string): unknown {
    const names = HEADER_NAMES.get(name) ?? headerNames(name);
    return names.slot === NO_SLOT ? this.lookupKey(names.key) : this.slot(names.slot, names.key);
  }

  /** The value of the slotted header `key` (its slot `slot`). */
  private slot(slot: number, key: string): unknown {
    return this.table === null ? this.req.get(key) : this.values[slot];
  }

  /** The value of the header `key` (a lower-case name as drachtio-srf files it: full forms of its compact ones). */
  private lookupKey(key: string): unknown {
    const table = this.table;
    if (table === null) return this.req.get(key);
    const upperNames = this.upperNames;
    if (upperNames === ALL_LOWER || !upperNames.includes(key)) {
      // One keyed read; the own-property check only for a value found (a name of Object.prototype's is no header).
      const value = table[key];
      return value === undefined || Object.hasOwn(table, key) ? value : undefined;
    }
    for (const name of Object.keys(table)) if (name.toLowerCase() === key) return table[name];
    return undefined;
  }
}

/**
 * One pass over the table, in its order: each slotted header's value into `values` (the first name that
 * lower-cases to it: what the table's look-up in order answers), and the lower-case forms of the names written with
 * an upper-case letter, returned (ALL_LOWER: none).
 */
function readTable(table: Record<string, unknown>, values: unknown[]): readonly string[] {
  let names: string[] | null = null;
  let filled = 0;
  for (const name in table) {
    let slot = SLOTS.get(name);
    if (slot === undefined) {
      if (!hasUpperCase(name)) continue;
      const lower = name.toLowerCase();
      (names ??= []).push(lower);
      slot = SLOTS.get(lower);
      if (slot === undefined) continue;
    }
    const bit = 1 << slot;
    // Own names only, as the look-up by name reads them (a name of Object.prototype's is no header).
    if ((filled & bit) !== 0 || !Object.hasOwn(table, name)) continue;
    filled |= bit;
    values[slot] = table[name];
  }
  return names ?? ALL_LOWER;
}

/**
 * What `header` reads for a name: the table's key and its slot, and the key of its compact form that drachtio-srf
 * keeps and its slot (`get` reads the first two only).
 */
interface HeaderNames {
  key: string;
  slot: number;
  short: string | null;
  shortSlot: number;
}

/**
 * The names `header` and `get` were asked for (the caller-ID code and the SIP side ask for a handful, always the
 * same), resolved once: one Map look-up per read instead of lower-casing the name and the look-ups of its full form
 * and its slot. Bounded: names past the bound are resolved on each read.
 */
const HEADER_NAMES = new Map<string, HeaderNames>();
const MAX_HEADER_NAMES = 64;

function headerNames(name: string): HeaderNames {
  const lower = name.toLowerCase();
  const compact = EXTRA_COMPACT.get(lower);
  const key = DRACHTIO_COMPACT.get(lower) ?? lower;
  const short = compact === undefined ? null : (DRACHTIO_COMPACT.get(compact) ?? compact);
  const names: HeaderNames = {
    key,
    slot: SLOTS.get(key) ?? NO_SLOT,
    short,
    shortSlot: short === null ? NO_SLOT : (SLOTS.get(short) ?? NO_SLOT),
  };
  if (HEADER_NAMES.size < MAX_HEADER_NAMES) HEADER_NAMES.set(name, names);
  return names;
}

/** The headers of a received request, as the pure caller-ID code and the SIP side read them. */
export function headerSource(req: Srf.SrfRequest): RequestHeaders {
  return new RequestHeaders(req);
}

/**
 * The length of a URI's scheme and its colon when it is `sip:`, `sips:` or `tel:` in any case, else 0; `sip` is set
 * for the first two. Compared in place, character by character: on the way to every forward, where a regular
 * expression's first run after a pause costs more than the compares (bench:sip's 100 calls/s, caches cold).
 */
export function uriScheme(uri: string): { length: number; sip: boolean } {
  const c0 = uri.charCodeAt(0) | 0x20;
  if (c0 === 0x73 /* s */ && (uri.charCodeAt(1) | 0x20) === 0x69 && (uri.charCodeAt(2) | 0x20) === 0x70) {
    if (uri.charCodeAt(3) === 0x3a) return SIP_SCHEME;
    if ((uri.charCodeAt(3) | 0x20) === 0x73 && uri.charCodeAt(4) === 0x3a) return SIPS_SCHEME;
    return NO_SCHEME;
  }
  if (
    c0 === 0x74 /* t */ &&
    (uri.charCodeAt(1) | 0x20) === 0x65 &&
    (uri.charCodeAt(2) | 0x20) === 0x6c &&
    uri.charCodeAt(3) === 0x3a
  ) {
    return TEL_SCHEME;
  }
  return NO_SCHEME;
}

const SIP_SCHEME = Object.freeze({ length: 4, sip: true });
const SIPS_SCHEME = Object.freeze({ length: 5, sip: true });
const TEL_SCHEME = Object.freeze({ length: 4, sip: false });
const NO_SCHEME = Object.freeze({ length: 0, sip: false });

/**
 * The user part of a SIP/tel URI as received (our DID on inbound calls), or null: what
 * `/^(?:sips?|tel):([^@;?>]+)/i` captures of the trimmed URI (every character but `@;?>` up to the first of them),
 * `%`-decoded when it can be (request-headers.test.ts compares the two over generated URIs).
 */
export function uriUser(uri: string): string | null {
  return userAfterScheme(uri.trim());
}

/** uriUser of a trimmed URI. */
export function userAfterScheme(uri: string): string | null {
  const start = uriScheme(uri).length;
  if (start === 0) return null;
  let end = start;
  while (end < uri.length) {
    const c = uri.charCodeAt(end);
    if (c === 0x40 /* @ */ || c === 0x3b /* ; */ || c === 0x3f /* ? */ || c === 0x3e /* > */) break;
    end++;
  }
  if (end === start) return null;
  const user = uri.slice(start, end);
  // Without a `%` there is nothing to decode (the usual DID): decodeURIComponent would return the same text.
  if (!user.includes('%')) return user;
  try {
    return decodeURIComponent(user);
  } catch {
    return user;
  }
}

/** An ASCII digit or letter, either case (a UTF-16 code unit). */
export function isAlphanumeric(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
}

/**
 * A user written with these characters only goes into the PBX's URI as it is (nothing to escape):
 * `[0-9A-Za-z+\-_.!~*'()&=$,;?/]*`, tested character by character (see uriScheme).
 */
export function isPlainUser(user: string): boolean {
  for (let i = 0; i < user.length; i++) {
    const c = user.charCodeAt(i);
    if (isAlphanumeric(c)) continue;
    // + - _ . ! ~ * ' ( ) & = $ , ; ? /
    if (
      c === 0x2b ||
      c === 0x2d ||
      c === 0x5f ||
      c === 0x2e ||
      c === 0x21 ||
      c === 0x7e ||
      c === 0x2a ||
      c === 0x27 ||
      c === 0x28 ||
      c === 0x29 ||
      c === 0x26 ||
      c === 0x3d ||
      c === 0x24 ||
      c === 0x2c ||
      c === 0x3b ||
      c === 0x3f ||
      c === 0x2f
    ) {
      continue;
    }
    return false;
  }
  return true;
}

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
  const escaped = isPlainUser(user)
    ? user
    : user.replace(/[^0-9A-Za-z+\-_.!~*'()&=$,;?/]/g, (c) => encodeURIComponent(c));
  return `${m[1]}:${escaped}@${m[2]}`;
}
