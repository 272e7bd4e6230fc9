/**
 * identifyCaller must never throw, whatever arrives. Seeded random input (reproducible), biased towards the
 * characters SIP parsers trip on, plus mutations of real INVITEs; every result must also keep its invariants.
 */
import { describe, expect, it } from 'vitest';
import { INVITE_CASES, inviteText } from '../../test/fixtures/callerid-invites.js';
import { headersFrom, headersOf } from '../../test/support/sip-headers.js';
import { calledNumber, callerKey, identifyCaller, normalizeNumber, parsePassport } from './index.js';
import { identifyUnguarded } from './identify-caller.js';
import type { CallerIdentity, IdentifyOptions, SipHeaderSource } from './types.js';
import { mulberry32 as rng } from '../../test/support/prng.js';

const PIECES = [
  '"',
  '\\',
  '<',
  '>',
  ';',
  ',',
  '=',
  '@',
  ':',
  '%',
  '%2B',
  '%00',
  '%C3',
  '+',
  '00',
  '39',
  '0212345678',
  ' ',
  '\t',
  '\r\n',
  '\u0000',
  '\u202E',
  '\u200B',
  '\uD800',
  '\uDC00',
  '😀',
  'sip:',
  'sips:',
  'tel:',
  'anonymous',
  'user=phone',
  'privacy=full',
  'party=called',
  'phone-context=+39',
  'verstat=TN-Validation-Passed-A',
  'tag=',
  '.',
  '-',
  '(',
  ')',
  'id',
  'critical',
  'none',
  'Anonymous',
  'ÿ',
  '\u0085',
  'eyJ',
  '.e30.',
];

function randomText(next: () => number, maxPieces: number): string {
  const n = Math.floor(next() * maxPieces);
  let s = '';
  for (let i = 0; i < n; i++) {
    if (next() < 0.2) s += String.fromCharCode(Math.floor(next() * 0x10000));
    else s += PIECES[Math.floor(next() * PIECES.length)] ?? '';
  }
  return s;
}

const NAMES = [
  'p-asserted-identity',
  'remote-party-id',
  'from',
  'privacy',
  'identity',
  'to',
  'p-attestation-indicator',
];

function randomHeaders(next: () => number): SipHeaderSource {
  const values: Record<string, string[]> = {};
  for (const name of NAMES) {
    if (next() < 0.3) continue;
    values[name] = Array.from({ length: 1 + Math.floor(next() * 3) }, () => randomText(next, 30));
  }
  return headersOf(values, randomText(next, 10));
}

/** Runs the unguarded path (a throw fails the test) and checks the guarded one agrees. */
function identifyChecked(headers: SipHeaderSource, opts: IdentifyOptions): CallerIdentity {
  const id = identifyUnguarded(headers, opts);
  expect(identifyCaller(headers, opts)).toEqual(id);
  return id;
}

/** Characters a sanitized display name must not contain: controls, bidi controls, zero-width, lone surrogates. */
const FORBIDDEN = (c: number): boolean =>
  c <= 0x1f ||
  (c >= 0x7f && c <= 0x9f) ||
  (c >= 0x202a && c <= 0x202e) ||
  (c >= 0x2066 && c <= 0x2069) ||
  (c >= 0x200b && c <= 0x200f) ||
  c === 0x061c ||
  c === 0xfeff ||
  (c >= 0xd800 && c <= 0xdfff);

function checkInvariants(id: CallerIdentity): void {
  expect(() => JSON.stringify(id)).not.toThrow();
  expect(id.withheld).toBe(id.withheldReason !== null);
  if (id.displayName !== null) {
    expect(Array.from(id.displayName).length).toBeLessThanOrEqual(128);
    expect([...id.displayName].find((ch) => FORBIDDEN(ch.codePointAt(0) ?? 0))).toBeUndefined();
    expect(id.displayName).toBe(id.displayName.trim());
    expect(id.displayName).not.toBe('');
  }
  if (id.number !== null) {
    expect(Array.from(id.number.raw).length).toBeLessThanOrEqual(64);
    if (id.number.e164 !== null) expect(id.number.e164).toMatch(/^\+[1-9]\d{1,14}$/);
    else expect(id.number.flags.length).toBeGreaterThan(0);
  }
  expect([null, 'A', 'B', 'C']).toContain(id.attestation);
  const key = callerKey(id);
  if (key !== null) expect(key.length).toBeGreaterThan(0);
}

describe('fuzz', () => {
  it('random headers: never throws, invariants hold', () => {
    const next = rng(0xc0ffee);
    for (let i = 0; i < 3000; i++) {
      const headers = randomHeaders(next);
      const id = identifyChecked(headers, { defaultCountry: next() < 0.8 ? 'IT' : 'US' });
      checkInvariants(id);
      calledNumber(headers, { defaultCountry: 'IT' });
    }
  });

  it('random bytes decoded as UTF-8 and Latin-1', () => {
    const next = rng(42);
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(Array.from({ length: Math.floor(next() * 200) }, () => Math.floor(next() * 256)));
      for (const text of [bytes.toString('utf8'), bytes.toString('latin1')]) {
        checkInvariants(
          identifyChecked(headersOf({ from: text, 'p-asserted-identity': text, privacy: text, identity: text }), {
            defaultCountry: 'IT',
          }),
        );
        expect(() => normalizeNumber(text, 'IT')).not.toThrow();
        expect(() => parsePassport(text)).not.toThrow();
      }
    }
  });

  it('mutated real INVITEs: characters deleted, duplicated, swapped', () => {
    const next = rng(7);
    for (let i = 0; i < 3000; i++) {
      const base = INVITE_CASES[Math.floor(next() * INVITE_CASES.length)];
      if (base === undefined) continue;
      const chars = [...inviteText(base.headers)];
      for (let m = 0; m < 1 + Math.floor(next() * 6); m++) {
        const at = Math.floor(next() * chars.length);
        const op = next();
        if (op < 0.33) chars.splice(at, 1);
        else if (op < 0.66) chars.splice(at, 0, chars[Math.floor(next() * chars.length)] ?? '');
        else chars.splice(at, 0, PIECES[Math.floor(next() * PIECES.length)] ?? '');
      }
      checkInvariants(identifyChecked(headersFrom(chars.join('')), { defaultCountry: 'IT' }));
    }
  });

  it('pathological sizes stay fast', () => {
    const huge = `"${'\\"'.repeat(200_000)}" <sip:${'1'.repeat(100_000)}@h>;${'a=b;'.repeat(50_000)}`;
    const headers = headersOf({
      from: huge,
      'p-asserted-identity': Array(1000).fill('<tel:+390212345678>').join(','),
      privacy: ';'.repeat(100_000),
      identity: `a.${'e30'.repeat(100_000)}.b`,
    });
    const started = performance.now();
    checkInvariants(identifyChecked(headers, { defaultCountry: 'IT' }));
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('survives bad options', () => {
    const h = headersOf({ from: '<sip:0212345678@h>' });
    checkInvariants(identifyChecked(h, undefined as unknown as { defaultCountry: string }));
    checkInvariants(identifyChecked(h, { defaultCountry: 'ZZ' }));
    checkInvariants(identifyChecked(h, { defaultCountry: 7 as unknown as string }));
  });
});
