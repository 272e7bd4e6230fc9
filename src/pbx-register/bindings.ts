/**
 * The PBX's registrations as a registrar keeps them (RFC 3261 §10.3), as pure functions over a list of bindings:
 * a REGISTER in, the new list and the answer out. The adapter stores the list and sends the answer.
 */
import { parseContactField, parseDeltaSeconds, parseSipUri, type ContactField } from './contacts.js';

/** Where a REGISTER came from, as drachtio-server saw it (the PBX's address after any NAT). */
export interface Source {
  address: string;
  port: number;
  /** udp, tcp, tls, ws, wss (lower case). */
  transport: string;
}

export interface Binding {
  /** The address-of-record (the To URI, canonical: `sip:user@host`). */
  aor: string;
  /** The contact URI the PBX registered. */
  contact: string;
  expiresAt: number;
  /** When it was registered or last refreshed. */
  updatedAt: number;
  callId: string;
  cseq: number;
  source: Source;
  userAgent: string | null;
}

export interface BindingLimits {
  /** Shorter requests get 423 Interval Too Brief with this Min-Expires (s). */
  minExpires: number;
  /** Longer requests are granted this (s); also the grant when the PBX asks for nothing. */
  maxExpires: number;
  /** Bindings kept at most, over every address-of-record; the least recently refreshed go first. */
  maxContacts: number;
}

export interface RegisterRequest {
  /** The To header's value. */
  to: string;
  callId: string;
  /** The CSeq header's value (`<number> REGISTER`). */
  cseq: string;
  /** The Contact header(s), joined with commas; undefined when absent. */
  contact: string | undefined;
  /** The Expires header, when present. */
  expires: string | undefined;
  source: Source;
  userAgent: string | null;
  now: number;
}

export type RegisterResult =
  | {
      kind: 'ok';
      /** Every live binding after the request (all addresses-of-record): what to store. */
      bindings: Binding[];
      /** The request's address-of-record's bindings, for the 200's Contact list. */
      current: Binding[];
      aor: string;
      /** Whether `bindings` differs from what was given (to be stored); false for a query with nothing expired. */
      changed: boolean;
      /** What the request did, for the log. */
      action: 'query' | 'register' | 'unregister';
    }
  | { kind: 'refused'; status: 400 | 403 | 423 | 500; reason: string; detail: string; minExpires?: number };

/** `sip:user@host` of a To header (scheme and host lower-cased, no port or parameters); null when unreadable. */
export function canonicalAor(to: string): string | null {
  const inner = /<([^>]*)>/.exec(to)?.[1] ?? to.split(';')[0] ?? '';
  const uri = parseSipUri(inner.trim());
  if (uri === null) return null;
  return `${uri.scheme}:${uri.user === null ? '' : `${uri.user}@`}${uri.host.toLowerCase()}`;
}

function refused(status: 400 | 403 | 423 | 500, reason: string, detail: string): RegisterResult {
  return { kind: 'refused', status, reason, detail };
}

/** Applies one REGISTER to the bindings (RFC 3261 §10.3 steps 5-8). Expired bindings are dropped on the way. */
export function applyRegister(all: readonly Binding[], req: RegisterRequest, limits: BindingLimits): RegisterResult {
  const { now } = req;
  const aor = canonicalAor(req.to);
  if (aor === null) return refused(400, 'Bad Request', 'To is not a sip: URI');
  const cseqMatch = /^\s*(\d{1,10})\s+REGISTER\s*$/i.exec(req.cseq);
  if (!cseqMatch || req.callId.trim() === '') return refused(400, 'Bad Request', 'missing Call-ID or CSeq');
  const cseq = Number(cseqMatch[1]);
  let headerExpires: number | null = null;
  if (req.expires !== undefined) {
    headerExpires = parseDeltaSeconds(req.expires);
    if (headerExpires === null)
      return refused(400, 'Invalid Expires', `Expires "${req.expires.slice(0, 40)}" is not a number of seconds`);
  }
  const field = parseContactField(req.contact, limits.maxContacts);
  if (!field.ok) {
    return field.problem === 'too many contacts'
      ? refused(403, 'Too Many Contacts', field.detail)
      : refused(400, 'Bad Request', field.detail);
  }

  const live = all.filter((b) => b.expiresAt > now);
  const expiredDropped = live.length !== all.length;
  const ofAor = (list: readonly Binding[]) => list.filter((b) => b.aor === aor);
  const outOfOrder = (b: Binding) => b.callId === req.callId && cseq <= b.cseq;

  const contacts: ContactField = field.value;
  if (contacts.kind === 'none') {
    return { kind: 'ok', bindings: live, current: ofAor(live), aor, changed: expiredDropped, action: 'query' };
  }
  if (contacts.kind === 'star') {
    if (headerExpires !== 0) return refused(400, 'Bad Request', 'Contact "*" needs Expires: 0');
    if (ofAor(live).some(outOfOrder))
      return refused(500, 'Server Internal Error', 'un-registration out of order (CSeq not higher)');
    const kept = live.filter((b) => b.aor !== aor);
    return { kind: 'ok', bindings: kept, current: [], aor, changed: kept.length !== all.length, action: 'unregister' };
  }

  const requested = contacts.contacts.map((c) => ({
    uri: c.uri,
    seconds: c.expires ?? headerExpires ?? limits.maxExpires,
  }));
  if (requested.some((r) => r.seconds > 0 && r.seconds < limits.minExpires)) {
    return {
      kind: 'refused',
      status: 423,
      reason: 'Interval Too Brief',
      detail: 'expiry below the minimum',
      minExpires: limits.minExpires,
    };
  }
  let next = [...live];
  for (const r of requested) {
    const existing = next.find((b) => b.aor === aor && b.contact === r.uri);
    if (existing && outOfOrder(existing))
      return refused(500, 'Server Internal Error', 'registration out of order (CSeq not higher)');
    next = next.filter((b) => b !== existing);
    if (r.seconds === 0) continue;
    next.push({
      aor,
      contact: r.uri,
      expiresAt: now + Math.min(r.seconds, limits.maxExpires) * 1000,
      updatedAt: now,
      callId: req.callId,
      cseq,
      source: req.source,
      userAgent: req.userAgent,
    });
  }
  if (next.length > limits.maxContacts) {
    // Keep the most recently refreshed: a PBX that moved (new address, new Call-ID) replaces its old bindings.
    next = [...next].sort((a, b) => b.updatedAt - a.updatedAt).slice(0, limits.maxContacts);
  }
  const removedAll = requested.every((r) => r.seconds === 0);
  return {
    kind: 'ok',
    bindings: next,
    current: ofAor(next),
    aor,
    changed: true,
    action: removedAll ? 'unregister' : 'register',
  };
}

/** The Contact header value of a 200 to REGISTER: every current binding with its remaining seconds. */
export function contactsHeader(current: readonly Binding[], now: number): string {
  return current.map((b) => `<${b.contact}>;expires=${Math.max(0, Math.ceil((b.expiresAt - now) / 1000))}`).join(', ');
}

function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Where to send a call for this binding (without the user part the caller dialled). The contact as registered
 * when the REGISTER came from the contact's own address; otherwise (NAT: a private Contact; TCP: an ephemeral
 * source port) the address and transport the REGISTER came from, as carriers do (rport/received).
 */
export function deliveryUri(b: Binding): string {
  const uri = parseSipUri(b.contact);
  if (uri === null) return b.contact;
  const defaultPort = uri.scheme === 'sips' ? 5061 : 5060;
  const sameAddress =
    uri.host.toLowerCase() === b.source.address.toLowerCase() && (uri.port ?? defaultPort) === b.source.port;
  const user = uri.user === null ? '' : `${uri.user}@`;
  if (sameAddress) return b.contact.replace(/\?.*$/, '');
  const params = uri.params.filter((p) => !/^transport=/i.test(p));
  if (b.source.transport !== 'udp' && b.source.transport !== '') params.push(`transport=${b.source.transport}`);
  return `${uri.scheme}:${user}${hostPort(b.source.address, b.source.port)}${params.map((p) => `;${p}`).join('')}`;
}

/** Digits only (a DID may be written +390612345678 by the carrier and 0039... or 390612345678 by the PBX). */
function digits(user: string | null | undefined): string {
  return (user ?? '').replace(/\D/g, '').replace(/^00/, '');
}

/**
 * The binding a call to `did` goes to: one registered for that number (its AOR or contact user is the DID, as
 * when a FRITZ!Box registers each number apart), else the most recently registered or refreshed. Null when none
 * is live.
 */
export function bindingFor(all: readonly Binding[], did: string | null, now: number): Binding | null {
  const live = all.filter((b) => b.expiresAt > now).sort((a, b) => b.updatedAt - a.updatedAt);
  const wanted = digits(did);
  if (wanted.length >= 6) {
    const same = (user: string | null | undefined) => {
      const d = digits(user);
      return d.length >= 6 && (d === wanted || wanted.endsWith(d) || d.endsWith(wanted));
    };
    const own = live.find((b) => same(parseSipUri(b.aor)?.user) || same(parseSipUri(b.contact)?.user));
    if (own) return own;
  }
  return live[0] ?? null;
}
