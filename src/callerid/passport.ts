/**
 * STIR/SHAKEN without verification (v1): the attestation a carrier claims, read from the PASSporT in the
 * `Identity` header (RFC 8224, RFC 8225, RFC 8588) or from a `verstat` parameter. Reading only: the signature is
 * not checked, so this is a hint, not proof.
 */
import { isJsonObject } from '../json-object.js';
import { splitHeaderList } from './header-values.js';
import { MAX_RAW_NUMBER, sanitizeText } from './text.js';
import type { Attestation, Passport } from './types.js';

/** A SHAKEN PASSporT payload is a few hundred bytes; anything much larger is not one. */
const MAX_PAYLOAD_CHARS = 8_192;
const MAX_TNS = 16;

export function toAttestation(v: unknown): Attestation | null {
  if (typeof v !== 'string') return null;
  const a = v.trim().toUpperCase();
  return a === 'A' || a === 'B' || a === 'C' ? a : null;
}

/** `orig.tn` is one string in RFC 8225, `dest.tn` an array; accept either shape for both. */
function tns(v: unknown): string[] {
  if (!isJsonObject(v)) return [];
  const tn = v.tn;
  const list: unknown[] = Array.isArray(tn) ? tn : [tn];
  const out: string[] = [];
  for (const item of list) {
    if (out.length >= MAX_TNS) break;
    if (typeof item === 'string' || typeof item === 'number') {
      const s = sanitizeText(String(item), MAX_RAW_NUMBER);
      if (s !== '') out.push(s);
    }
  }
  return out;
}

/**
 * Decodes the PASSporT in one `Identity` header value (`header.payload.signature;info=<...>;alg=ES256;ppt=shaken`).
 * Returns null when it is not a compact JWS with a JSON object payload. Never throws.
 */
export function parsePassport(identityHeaderValue: string): Passport | null {
  try {
    if (typeof identityHeaderValue !== 'string') return null;
    const semi = identityHeaderValue.indexOf(';');
    const jws = (semi < 0 ? identityHeaderValue : identityHeaderValue.slice(0, semi)).trim();
    const firstDot = jws.indexOf('.');
    const secondDot = jws.indexOf('.', firstDot + 1);
    if (firstDot <= 0 || secondDot < 0) return null;
    const payload = jws.slice(firstDot + 1, secondDot);
    if (payload === '' || payload.length > MAX_PAYLOAD_CHARS) return null;
    // Buffer's base64url decoder skips characters outside the alphabet rather than throwing.
    const json: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!isJsonObject(json)) return null;
    const iat = typeof json.iat === 'number' && Number.isFinite(json.iat) ? json.iat : null;
    const origid = typeof json.origid === 'string' ? sanitizeText(json.origid, 64) : null;
    return {
      attest: toAttestation(json.attest),
      orig: { tn: tns(json.orig) },
      dest: { tn: tns(json.dest) },
      iat,
      origid,
    };
  } catch {
    return null;
  }
}

/** Every readable PASSporT in the `Identity` header values, in order (each value may list several). */
export function passportsFromIdentity(values: readonly string[]): Passport[] {
  const out: Passport[] = [];
  for (const v of values) {
    if (typeof v !== 'string') continue;
    for (const item of splitHeaderList(v)) {
      const passport = parsePassport(item);
      if (passport !== null) out.push(passport);
    }
  }
  return out;
}

/** The attestation of the first PASSporT that has one. */
export function attestationFromPassports(passports: readonly Passport[]): Attestation | null {
  return passports.find((p) => p.attest !== null)?.attest ?? null;
}

/**
 * Some carriers append the level to verstat (`TN-Validation-Passed-A`); plain `TN-Validation-Passed` gives none.
 */
export function attestationFromVerstat(verstat: string | null): Attestation | null {
  if (verstat === null) return null;
  const m = /-([ABC])$/i.exec(verstat);
  return m?.[1] === undefined ? null : toAttestation(m[1]);
}
