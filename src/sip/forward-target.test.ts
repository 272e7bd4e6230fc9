import { describe, expect, it } from 'vitest';
import { normalizeNumber } from '../callerid/index.js';
import { describeUser, drachtioRewrites, forwardTarget, isDialString, requestUser } from './forward-target.js';
import { uriUser } from './request-headers.js';
import { generatedUris } from './test-fixtures.js';

const DID = normalizeNumber('+390612345678', 'IT');

describe('the Request-URI user forwarded to the PBX', () => {
  it("keeps a sane dial string as the carrier sent it (PBX routes match the carrier's format)", () => {
    for (const user of ['0612345678', '390612345678', '+390612345678', '*31#', 'pbx-trunk_1.main', '1'.repeat(64)]) {
      expect(forwardTarget(`sip:${user}@192.0.2.1`, DID)).toEqual({ routable: true, user, replaced: null });
    }
  });

  it('replaces an oversized or odd user with the DID read from the request', () => {
    const long = '0'.repeat(37) + 'A'.repeat(200);
    expect(forwardTarget(`sip:${long}@192.0.2.1`, DID)).toEqual({
      routable: true,
      user: '+390612345678',
      replaced: long,
    });
    expect(forwardTarget('sip:1'.concat('1'.repeat(64), '@192.0.2.1'), DID)).toMatchObject({ user: '+390612345678' });
    expect(forwardTarget('sip:+39%2006%201234%205678@192.0.2.1', DID)).toMatchObject({
      user: '+390612345678',
      replaced: '+39 06 1234 5678',
    });
    expect(forwardTarget('sip:%3Cscript%3E@192.0.2.1', DID)).toMatchObject({ user: '+390612345678' });
  });

  it('has nothing routable when the user is junk and no number was read; no user at all is the PBX as configured', () => {
    expect(forwardTarget('sip:%22x%22x@192.0.2.1', null)).toEqual({
      routable: false,
      received: '"x"x',
      tooLong: false,
    });
    expect(forwardTarget('sip:192.0.2.1', null)).toEqual({ routable: true, user: null, replaced: null });
  });

  it("vouches for the DID of a call to the registration trunk's contact like a Request-URI user", () => {
    expect(forwardTarget('sip:account@192.0.2.1', DID, '192.0.2.1:5060', '0612345678')).toEqual({
      routable: true,
      user: '0612345678',
      replaced: null,
    });
  });

  it('describes a received user for logs without control characters, bounded', () => {
    expect(describeUser('0612345678')).toBe('"0612345678"');
    expect(describeUser('A'.repeat(237))).toBe(`"${'A'.repeat(20)}…" (237 characters)`);
    expect(describeUser('a\u0000b')).toBe('"a?b"');
  });
});

describe('user parameters', () => {
  it('a user with parameters (number portability) keeps the number, without them', () => {
    expect(forwardTarget('sip:+390612345678;npdi;rn=+390699@192.0.2.1;user=phone', DID)).toMatchObject({
      user: '+390612345678',
    });
  });
});

describe('where drachtio-server rewrites the request line', () => {
  it('only for a Request-URI addressed to drachtio itself, shorter than 255 characters', () => {
    expect(drachtioRewrites('sip:0612345678@192.0.2.1', '192.0.2.1:5060')).toBe(true);
    expect(drachtioRewrites('sip:0612345678@192.0.2.1:5060;user=phone', '192.0.2.1:5060')).toBe(true);
    expect(drachtioRewrites('sip:0612345678@localhost:5070', '127.0.0.1:5070')).toBe(true);
    expect(drachtioRewrites('sip:0612345678@sip.carrier.example', '192.0.2.1:5060')).toBe(false);
    expect(drachtioRewrites('sip:0612345678@192.0.2.1:5070', '192.0.2.1:5060')).toBe(false);
    expect(drachtioRewrites(`sip:${'1'.repeat(240)}@192.0.2.1`, '192.0.2.1:5060'), '254 characters').toBe(true);
    expect(drachtioRewrites(`sip:${'1'.repeat(241)}@192.0.2.1`, '192.0.2.1:5060'), '255 characters').toBe(false);
    expect(drachtioRewrites('tel:+390612345678', '192.0.2.1:5060')).toBe(false);
    expect(drachtioRewrites('sip:0612345678@192.0.2.1', undefined), 'unknown: assumed').toBe(true);
  });

  it('so an odd user is replaced by the DID only there; elsewhere, or too long, it is refused (414 when too long)', () => {
    const odd = '%22x%22';
    expect(forwardTarget(`sip:${odd}@192.0.2.1`, DID, '192.0.2.1:5060')).toMatchObject({
      routable: true,
      user: '+390612345678',
    });
    expect(forwardTarget(`sip:${odd}@sip.carrier.example`, DID, '192.0.2.1:5060')).toEqual({
      routable: false,
      received: '"x"',
      tooLong: false,
    });
    const long = `sip:${'A'.repeat(300)}@192.0.2.1`;
    expect(forwardTarget(long, DID, '192.0.2.1:5060')).toMatchObject({ routable: false, tooLong: true });
    // A sane user in a long Request-URI goes on: drachtio forwards it unchanged, with that user.
    expect(forwardTarget(`sip:0612345678;x=${'y'.repeat(260)}@192.0.2.1`, DID, '192.0.2.1:5060')).toMatchObject({
      routable: true,
      user: '0612345678',
    });
  });
});

describe('the next call to the same Request-URI (the last target kept)', () => {
  it('works the target out again when any of the four values it is made of changed', () => {
    const odd = 'sip:%3Cscript%3E@192.0.2.1:5060';
    const other = normalizeNumber('+390698765432', 'IT');
    expect(forwardTarget(odd, DID, '192.0.2.1:5060')).toMatchObject({ routable: true, user: '+390612345678' });
    // The same Request-URI read with another DID, none, another address drachtio received it on, or a trunk's DID.
    expect(forwardTarget(odd, other, '192.0.2.1:5060')).toMatchObject({ routable: true, user: '+390698765432' });
    expect(forwardTarget(odd, null, '192.0.2.1:5060')).toEqual({
      routable: false,
      received: '<script>',
      tooLong: false,
    });
    expect(forwardTarget(odd, DID, '192.0.2.9:5060')).toEqual({
      routable: false,
      received: '<script>',
      tooLong: false,
    });
    expect(forwardTarget(odd, DID, '192.0.2.1:5060', '0612345678')).toMatchObject({ user: '0612345678' });
    expect(forwardTarget('sip:0612345678@192.0.2.1:5060', DID, '192.0.2.1:5060')).toMatchObject({
      user: '0612345678',
      replaced: null,
    });
    // And the same four values again: the same target, whose fields nobody can change for the next call.
    const once = forwardTarget(odd, DID, '192.0.2.1:5060');
    const again = forwardTarget(odd, normalizeNumber('+390612345678', 'IT'), '192.0.2.1:5060');
    expect(again).toBe(once);
    expect(Object.isFrozen(again)).toBe(true);
  });
});

describe('the Request-URI user read and tested without regular expressions', () => {
  // The former regular expressions, as the reference.
  const userByRegex = (requestUri: string): string | null => {
    const uri = requestUri.trim();
    if (/^sips?:/i.test(uri) && !/^sips?:[^?>@]*@/i.test(uri)) return null;
    return uriUser(uri);
  };
  const dialByRegex = (user: string): boolean => user.length <= 64 && /^[0-9A-Za-z+*#._~-]+$/.test(user);

  it('requestUser reads what the two sip: tests and uriUser read', () => {
    for (const uri of generatedUris(20_000)) expect([uri, requestUser(uri)]).toEqual([uri, userByRegex(uri)]);
  });

  it('isDialString accepts what /^[0-9A-Za-z+*#._~-]+$/ accepted, 64 characters at most', () => {
    for (let c = 0; c < 0x180; c++) {
      const ch = String.fromCharCode(c);
      expect([c, isDialString(ch), isDialString(`06${ch}12`)]).toEqual([c, dialByRegex(ch), dialByRegex(`06${ch}12`)]);
    }
    for (const user of [...generatedUris(5_000), '', '1'.repeat(64), '1'.repeat(65), `${'a'.repeat(63)}#`]) {
      expect([user, isDialString(user)]).toEqual([user, dialByRegex(user)]);
    }
  });
});
