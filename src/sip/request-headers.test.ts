import { createRequire } from 'node:module';
import type Srf from 'drachtio-srf';
import { describe, expect, it } from 'vitest';
import { headerSource, isPlainUser, uriUser, withUser } from './request-headers.js';
import { generatedUris } from './test-fixtures.js';

// drachtio-srf's own classes, as its agent builds a request from what drachtio-server sends.
const require = createRequire(import.meta.url);
const SipMessage = require('drachtio-srf/lib/sip-parser/message.js') as new (raw: string) => object;
const Request = require('drachtio-srf/lib/request.js') as new (
  msg: object,
  meta: Record<string, unknown>,
) => Srf.SrfRequest;

function request(headerLines: string[]): Srf.SrfRequest {
  const raw = [
    'INVITE sip:+390612345678@10.0.0.5 SIP/2.0',
    'Via: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK-1',
    'CSeq: 1 INVITE',
    'Call-ID: 1@203.0.113.10',
    ...headerLines,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return new Request(new SipMessage(raw), { source: 'network', address: '203.0.113.10', port: '5060' });
}

const NAMES = [
  'from',
  'From',
  'FROM',
  'f',
  'to',
  't',
  'p-asserted-identity',
  'P-Asserted-Identity',
  'remote-party-id',
  'privacy',
  'identity',
  'y',
  'p-attestation-indicator',
  'P-Attestation-Indicator',
  'p-called-party-id',
  'x-custom',
  'X-Custom',
  'call-id',
  'i',
  'content-length',
  'absent-header',
];

describe('headerSource', () => {
  it('answers what req.get answers, for every name screening asks and more', () => {
    const req = request([
      'f: "Mario" <sip:+393331234567@carrier.example>;tag=a',
      't: <sip:+390612345678@10.0.0.5>',
      'P-Asserted-Identity: <tel:+393331234567>',
      'P-Attestation-Indicator: A',
      'privacy: id',
      'y: eyJhbGciOiJFUzI1NiJ9.eyJhdHRlc3QiOiJBIn0.sig;info=<https://cert.example/x.pem>',
      'X-Custom: one',
      'p-called-party-id: <sip:+390612345679@10.0.0.5>',
    ]);
    const source = headerSource(req);
    for (const name of NAMES) {
      const expected = req.get(name) as unknown;
      const own = typeof expected === 'string' && expected !== '' ? [expected] : [];
      // Identity is also read under its compact form y, which drachtio-srf does not map.
      const y = name.toLowerCase() === 'identity' ? [req.get('y')] : [];
      expect([name, source.header(name)]).toEqual([name, [...own, ...y]]);
    }
    // A name that is a property of every object (drachtio-srf's get throws on it) has no value either.
    expect(source.header('constructor')).toEqual([]);
  });

  it('get(name) answers exactly what req.get answers, in any case and compact form', () => {
    const req = request([
      'f: "Mario" <sip:+393331234567@carrier.example>;tag=a',
      't: <sip:+390612345678@10.0.0.5>',
      'User-Agent: carrier SBC 1.0',
      'P-Asserted-Identity: <tel:+393331234567>',
      'X-Custom: one',
      'x-custom: two',
    ]);
    const source = headerSource(req);
    for (const name of [
      ...NAMES,
      'CSeq',
      'cseq',
      'Via',
      'v',
      'Call-ID',
      'User-Agent',
      'user-agent',
      'Content-Length',
    ]) {
      expect([name, source.get(name)]).toEqual([name, req.get(name) as unknown]);
    }
    expect(source.get('Via')).toBe('SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK-1');
    expect(source.get('constructor')).toBeUndefined();
  });

  it('reads Identity under its full name and its compact form y (RFC 8224), both when both are sent', () => {
    const req = request(['From: <sip:1@h>;tag=a', 'Identity: full;info=<a>', 'y: short;info=<b>']);
    expect(headerSource(req).header('identity')).toEqual(['full;info=<a>', 'short;info=<b>']);
    expect(headerSource(request(['From: <sip:1@h>;tag=a', 'y: short;info=<b>'])).header('Identity')).toEqual([
      'short;info=<b>',
    ]);
  });

  it('answers as req.get when a name comes twice in different cases: the first written wins', () => {
    // drachtio-srf keeps X- and P- names as written and lower-cases the rest, so both spellings can be keys.
    for (const lines of [
      ['From: <sip:1@h>;tag=a', 'x-custom: lower', 'X-Custom: upper', 'P-Called-Party-ID: <sip:2@h>'],
      ['From: <sip:1@h>;tag=a', 'X-Custom: upper', 'x-custom: lower', 'p-called-party-id: <sip:3@h>'],
      ['From: <sip:1@h>;tag=a', 'P-Called-Party-ID: <sip:2@h>', 'p-called-party-id: <sip:3@h>'],
      // Headers read before every answer (each has a slot, filled in one pass over the table), in both orders.
      ['From: <sip:1@h>;tag=a', 'X-Crocetta-Front: upper', 'x-crocetta-front: lower', 'P-Attestation-Indicator: A'],
      ['From: <sip:1@h>;tag=a', 'x-crocetta-front: lower', 'X-Crocetta-Front: upper', 'p-attestation-indicator: B'],
      ['From: <sip:1@h>;tag=a', 'P-Attestation-Indicator: A', 'p-attestation-indicator: B', 'X-CROCETTA-FRONT: u'],
      ['From: <sip:1@h>;tag=a', 'p-attestation-indicator: B', 'P-ATTESTATION-INDICATOR: A', 'User-Agent: phone'],
    ]) {
      const req = request(lines);
      const source = headerSource(req);
      for (const name of [
        'x-custom',
        'X-CUSTOM',
        'p-called-party-id',
        'from',
        'to',
        'x-crocetta-front',
        'X-Crocetta-Front',
        'p-attestation-indicator',
        'user-agent',
      ]) {
        const expected = req.get(name) as unknown;
        expect([name, source.header(name)]).toEqual([name, typeof expected === 'string' ? [expected] : []]);
        expect([name, source.get(name)]).toEqual([name, expected]);
      }
    }
  });

  it('gives no value for an absent or empty header, and the Request-URI as received', () => {
    const req = request(['From: <sip:1@h>;tag=a', 'Privacy: ']);
    const source = headerSource(req);
    expect(source.header('remote-party-id')).toEqual([]);
    expect(source.header('privacy')).toEqual([]);
    expect(source.requestUri).toBe('sip:+390612345678@10.0.0.5');
  });

  it("reads the Request-URI and the header table from drachtio-srf's message, not through its delegated getters", () => {
    const req = request(['From: <sip:+393331234567@h>;tag=a']);
    // The Request's prototype getters (delegates: `this.msg[name]`) made unusable on this request alone.
    for (const name of ['uri', 'headers']) {
      Object.defineProperty(req, name, {
        get: () => {
          throw new Error(`req.${name} read`);
        },
      });
    }
    const source = headerSource(req);
    expect(source.requestUri).toBe('sip:+390612345678@10.0.0.5');
    expect(source.header('from')).toEqual(['<sip:+393331234567@h>;tag=a']);
    expect(source.get('Call-ID')).toBe('1@203.0.113.10');
  });

  it('reads a request whose uri was rewritten as drachtio-srf writes it (req.uri, stored on the message)', () => {
    const req = request(['From: <sip:1@h>;tag=a']);
    req.uri = 'sip:+390612345679@10.0.0.5';
    expect(headerSource(req).requestUri).toBe('sip:+390612345679@10.0.0.5');
  });

  it('falls back to req.get for a request without a header table', () => {
    const fake = { uri: 'sip:1@h', get: (name: string) => (name === 'from' ? '<sip:2@h>' : undefined) };
    const source = headerSource(fake as unknown as Srf.SrfRequest);
    expect(source.header('from')).toEqual(['<sip:2@h>']);
    expect(source.header('to')).toEqual([]);
  });
});

describe('URI users read without regular expressions', () => {
  // The readers' former regular expressions, as the reference.
  const userByRegex = (uri: string): string | null => {
    const m = /^(?:sips?|tel):([^@;?>]+)/i.exec(uri.trim());
    if (!m?.[1]) return null;
    if (!m[1].includes('%')) return m[1];
    try {
      return decodeURIComponent(m[1]);
    } catch {
      return m[1];
    }
  };
  const plainByRegex = (user: string): boolean => /^[0-9A-Za-z+\-_.!~*'()&=$,;?/]*$/.test(user);

  it('uriUser reads what /^(?:sips?|tel):([^@;?>]+)/i read, decoded alike', () => {
    const uris = generatedUris(20_000);
    for (const uri of uris) expect([uri, uriUser(uri)]).toEqual([uri, userByRegex(uri)]);
  });

  it("withUser's plain users are those /^[0-9A-Za-z+\\-_.!~*'()&=$,;?/]*$/ accepted", () => {
    for (let c = 0; c < 0x180; c++) {
      const ch = String.fromCharCode(c);
      expect([c, isPlainUser(ch), isPlainUser(`12${ch}34`)]).toEqual([c, plainByRegex(ch), plainByRegex(`12${ch}34`)]);
    }
    for (const user of generatedUris(5_000)) expect([user, isPlainUser(user)]).toEqual([user, plainByRegex(user)]);
    expect(withUser('sip:pbx.example:5080', '0612345678')).toBe('sip:0612345678@pbx.example:5080');
    expect(withUser('sip:pbx.example:5080', '06 12#')).toBe('sip:06%2012%23@pbx.example:5080');
  });
});
