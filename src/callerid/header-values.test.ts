import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test/support/prng.js';
import { NO_PARAMS, parseNameAddr, parseNameAddrFor, parseParams, splitHeaderList } from './header-values.js';
import { parseUri, uriNumberText } from './sip-uri.js';
import { sanitizeText, unescapeUri } from './text.js';

describe('splitHeaderList', () => {
  it('splits on commas outside quotes and angle brackets', () => {
    expect(splitHeaderList('"Rossi, Mario" <sip:1@h>, <tel:+39;x=a,b>,  ,<sip:2@h>')).toEqual([
      '"Rossi, Mario" <sip:1@h>',
      '<tel:+39;x=a,b>',
      '<sip:2@h>',
    ]);
  });

  it('handles escaped quotes and stops at 16 values', () => {
    expect(splitHeaderList('"a\\",b" <sip:1@h>')).toEqual(['"a\\",b" <sip:1@h>']);
    expect(splitHeaderList(Array(100).fill('<sip:1@h>').join(','))).toHaveLength(16);
  });
});

describe('parseNameAddr', () => {
  it('reads quoted name, URI and header params', () => {
    const na = parseNameAddr('"Mario \\"M\\" Rossi" <sip:0212345678@10.0.0.1;user=phone>;tag=abc;party=calling');
    expect(na.displayName).toBe('Mario "M" Rossi');
    expect(na.uri).toBe('sip:0212345678@10.0.0.1;user=phone');
    expect(Object.fromEntries(na.params)).toEqual({ tag: 'abc', party: 'calling' });
    expect(na.malformed).toBe(false);
  });

  it('treats params after a bare addr-spec as header params, but keeps user-part params', () => {
    expect(parseNameAddr('sip:123@host;tag=x')).toMatchObject({ uri: 'sip:123@host', displayName: null });
    expect(parseNameAddr('sip:+39123;npdi@host;tag=x').uri).toBe('sip:+39123;npdi@host');
    expect(parseNameAddr('tel:+39123;verstat=No-TN-Validation').params.get('verstat')).toBe('No-TN-Validation');
  });

  it('is lenient with broken input', () => {
    expect(parseNameAddr('"Mario <sip:1@h>')).toMatchObject({ displayName: 'Mario', uri: 'sip:1@h', malformed: true });
    expect(parseNameAddr('"Mario')).toMatchObject({ displayName: 'Mario', uri: '', malformed: true });
    expect(parseNameAddr('<sip:1@h')).toMatchObject({ uri: 'sip:1@h', malformed: true });
    expect(parseNameAddr('"Mario" sip:1@h')).toMatchObject({ displayName: 'Mario', uri: 'sip:1@h', malformed: true });
    expect(parseNameAddr('')).toMatchObject({ uri: '', displayName: null });
  });
});

describe('parseNameAddrFor', () => {
  it('builds no parameters when none wanted can be there: a From with its tag alone', () => {
    expect(parseNameAddrFor('"Rossi" <sip:0212345678@h>;tag=a1b2', ['verstat']).params).toBe(NO_PARAMS);
    expect(parseNameAddrFor('sip:0212345678@h;tag=a1b2', ['verstat']).params).toBe(NO_PARAMS);
    // Everything else as parseNameAddr reads it.
    expect(parseNameAddrFor('"Rossi" <sip:0212345678@h>;tag=a1b2', ['verstat'])).toMatchObject({
      displayName: 'Rossi',
      uri: 'sip:0212345678@h',
      malformed: false,
    });
  });

  it('reads a wanted parameter in any case, quoted, after others, as parseNameAddr does', () => {
    const values = [
      '<sip:1@h>;tag=x;verstat=TN-Validation-Passed',
      '<sip:1@h>;VerStat="No-TN-Validation";tag=x',
      '<sip:1@h> ; VERSTAT = TN-Validation-Failed ',
      'sip:1@h;tag=x;verstat',
      '<sip:1@h>;tag="a;verstat=b";verstat=c',
      '<sip:1@h>;xverstat=1;verstatx=2',
      `<sip:1@h>${';p=1'.repeat(40)};verstat=late`,
      '<sip:1@h;verstat=in-uri>;tag=x',
    ];
    for (const v of values) {
      expect(parseNameAddrFor(v, ['verstat']).params.get('verstat'), v).toBe(parseNameAddr(v).params.get('verstat'));
    }
    expect(parseNameAddrFor(values[1]!, ['verstat']).params.get('verstat')).toBe('No-TN-Validation');
  });

  it('answers as parseNameAddr for every wanted name, on random values', () => {
    const rand = mulberry32(12);
    const pieces = ['<sip:1@h>', '"N" ', ';', '=', 'tag', 'verstat', 'VERSTAT', 'vErStAt', '"', 'x', ' ', 'party', 'K'];
    for (let n = 0; n < 3000; n++) {
      let v = '';
      const len = 1 + Math.floor(rand() * 12);
      for (let i = 0; i < len; i++) v += pieces[Math.floor(rand() * pieces.length)]!;
      const full = parseNameAddr(v);
      const only = parseNameAddrFor(v, ['verstat', 'party']);
      expect({ ...only, params: null }, v).toEqual({ ...full, params: null });
      expect(only.params.get('verstat'), v).toBe(full.params.get('verstat'));
      expect(only.params.get('party'), v).toBe(full.params.get('party'));
    }
  });
});

describe('parseParams', () => {
  it('lower-cases keys, unquotes values, keeps the first of a repeated key', () => {
    expect(Object.fromEntries(parseParams(';Privacy="full";screen=yes;lr;screen=no'))).toEqual({
      privacy: 'full',
      screen: 'yes',
      lr: '',
    });
  });
});

describe('parseUri', () => {
  it.each([
    ['sip:+390212345678@ims.example.it;user=phone', 'sip', '+390212345678', 'ims.example.it'],
    ['SIPS:0212345678@host:5061', 'sips', '0212345678', 'host:5061'],
    ['sip:user:secret@host', 'sip', 'user', 'host'],
    ['sip:%2B39%2002@h', 'sip', '+39 02', 'h'],
    ['sip:10.0.0.1:5060', 'sip', null, '10.0.0.1:5060'],
    ['tel:+39-02-1234;phone-context=+39', 'tel', '+39-02-1234', null],
    ['0212345678@10.0.0.1', 'none', '0212345678', '10.0.0.1'],
    ['0212345678', 'none', '0212345678', null],
    ['urn:service:sos', 'other', null, null],
    ['sip:', 'sip', null, null],
  ])('%s', (text, scheme, user, host) => {
    expect(parseUri(text)).toMatchObject({ scheme, user, host });
  });

  it('merges user-part and URI params', () => {
    const u = parseUri('sip:0212345678;phone-context=+39@h;user=phone;verstat=TN-Validation-Passed');
    expect(Object.fromEntries(u.params)).toEqual({
      'phone-context': '+39',
      user: 'phone',
      verstat: 'TN-Validation-Passed',
    });
    expect(uriNumberText(u)).toBe('+39 0212345678');
  });
});

describe('text hygiene', () => {
  it('unescapes %XX as UTF-8, Latin-1 when not UTF-8, and leaves malformed escapes', () => {
    expect(unescapeUri('%2B39%20%C3%A8')).toBe('+39 è');
    expect(unescapeUri('caf%E9')).toBe('café');
    expect(unescapeUri('%%%zz%4')).toBe('%%%zz%4');
  });

  it('sanitizes and caps', () => {
    expect(sanitizeText('  a\t\tb\u00a0\u2003c  ', 10)).toBe('a b c');
    expect(sanitizeText('abcdef', 3)).toBe('abc');
    expect(sanitizeText('ab cd', 3)).toBe('ab');
  });
});
