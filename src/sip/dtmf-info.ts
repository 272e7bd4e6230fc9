/**
 * A key sent as SIP INFO (pure): `application/dtmf-relay` (Cisco's `Signal=1` / `Duration=160` lines, the common
 * one) and `application/dtmf` (the key alone). Keys are 0-9, *, #, A-D; some phones send the RFC 4733 event
 * code instead (10 for *, 11 for #). Anything else is no key.
 */
const KEYS = '0123456789*#ABCD';

function keyOf(value: string): string | null {
  const v = value.trim().toUpperCase();
  if (v.length === 1 && KEYS.includes(v)) return v;
  if (/^1[0-5]$/.test(v)) return KEYS[Number(v)] ?? null;
  return null;
}

export function keyOfInfo(contentType: string | undefined, body: string | undefined): string | null {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const text = body ?? '';
  if (type === 'application/dtmf-relay') {
    const signal = /^\s*signal\s*=\s*(\S+)\s*$/im.exec(text);
    return signal?.[1] !== undefined ? keyOf(signal[1]) : null;
  }
  if (type === 'application/dtmf') return keyOf(text);
  return null;
}
