/**
 * Hostile REGISTERs never throw: seeded random Authorization, Contact, Expires, To and CSeq values (biased towards
 * what SIP parsers trip on) always give a result the adapter can answer with.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test/support/prng.js';
import { applyRegister } from './bindings.js';
import { DigestAuth } from './digest.js';

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
  ' ',
  '\t',
  '\r\n',
  '\u0000',
  '*',
  'Digest ',
  'username=',
  'realm=',
  'nonce=',
  'uri=',
  'response=',
  'qop=auth',
  'nc=',
  'cnonce=',
  'algorithm=MD5',
  'crocetta',
  'sip:',
  'sips:',
  'tel:',
  'expires=',
  '0',
  '60',
  '4294967296',
  '-1',
  '[',
  ']',
  '::1',
  '10.0.0.1',
  ':5060',
  ';transport=tcp',
  'REGISTER',
  '😀',
  '\uD800',
  '0123456789abcdef0123456789abcdef',
  '00000001',
];

function randomText(next: () => number, maxPieces: number): string {
  const n = Math.floor(next() * maxPieces);
  let s = '';
  for (let i = 0; i < n; i++)
    s +=
      next() < 0.1
        ? String.fromCharCode(Math.floor(next() * 0x10000))
        : (PIECES[Math.floor(next() * PIECES.length)] ?? '');
  return s;
}

describe('hostile REGISTERs', () => {
  it('never make the digest check throw', () => {
    const next = mulberry32(10);
    const auth = new DigestAuth({
      realm: 'crocetta',
      username: 'pbx',
      password: 'secret-password',
      nonceTtlMs: 60_000,
      maxNonces: 50,
    });
    const kinds = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const result = auth.verify(randomText(next, 30), 'REGISTER', '198.51.100.7', i);
      kinds.add(result.kind);
    }
    expect([...kinds].sort()).toEqual(['challenge', 'malformed']);
  });

  it('never make the registrar throw, and only answer with the codes it means to', () => {
    const next = mulberry32(11);
    const statuses = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const result = applyRegister(
        [],
        {
          to: next() < 0.5 ? '<sip:pbx@crocetta>' : randomText(next, 8),
          callId: randomText(next, 3) || 'c',
          cseq: next() < 0.7 ? '2 REGISTER' : randomText(next, 4),
          contact: next() < 0.1 ? undefined : randomText(next, 12),
          expires: next() < 0.5 ? undefined : randomText(next, 3),
          source: { address: '198.51.100.7', port: 5060, transport: 'udp' },
          userAgent: null,
          now: 0,
        },
        { minExpires: 60, maxExpires: 3600, maxContacts: 5 },
      );
      statuses.add(result.kind === 'ok' ? 'ok' : String(result.status));
    }
    for (const s of statuses) expect(['ok', '400', '403', '423', '500']).toContain(s);
    expect(statuses).toContain('ok');
    expect(statuses).toContain('400');
  });
});
