import { describe, expect, it } from 'vitest';
import { digestAnswer, parseChallenges, pickChallenge } from './digest.js';

function paramsOf(header: string): Map<string, string> {
  const [parsed] = parseChallenges(header);
  return parsed?.params ?? new Map<string, string>();
}

describe('digest challenges', () => {
  it('read quoted values with commas and escaped quotes, and unquoted tokens', () => {
    const c = pickChallenge([
      'Digest realm="sip.carrier.example", nonce="a,b\\"c", qop="auth,auth-int", algorithm=MD5, opaque="xyz"',
    ]);
    expect(c).toEqual({
      realm: 'sip.carrier.example',
      nonce: 'a,b"c',
      opaque: 'xyz',
      algorithm: 'MD5',
      qop: 'auth',
      stale: false,
    });
  });

  it('take the scheme case-insensitively and see stale=true', () => {
    expect(pickChallenge(['DIGEST realm="r", nonce="n", stale=TRUE'])).toMatchObject({
      realm: 'r',
      nonce: 'n',
      stale: true,
      qop: null,
    });
  });

  it('prefer SHA-256 when a carrier offers it beside MD5, also when repeated headers were joined with a comma', () => {
    const joined =
      'Digest realm="r", nonce="n1", algorithm=MD5, qop="auth",Digest realm="r", nonce="n2", algorithm=SHA-256, qop="auth"';
    expect(pickChallenge([joined])).toMatchObject({ nonce: 'n2', algorithm: 'SHA-256' });
  });

  it('refuse what cannot be answered, without throwing', () => {
    expect(pickChallenge([])).toBeNull();
    expect(pickChallenge(['Basic realm="r"'])).toBeNull();
    expect(pickChallenge(['Digest realm="r"'])).toBeNull(); // no nonce
    expect(pickChallenge(['Digest realm="r", nonce="n", algorithm=SHA-512-256'])).toBeNull();
    expect(pickChallenge(['Digest realm="r", nonce="n", qop="auth-conf"'])).toBeNull();
    expect(pickChallenge(['Digest realm="unterminated, nonce="n'])).toBeNull();
    expect(pickChallenge(['=,,,"""', 'Digest', 'x'.repeat(100_000)])).toBeNull();
  });

  it('keep the first of a repeated parameter', () => {
    expect(paramsOf('Digest nonce="a", nonce="b"').get('nonce')).toBe('a');
  });
});

describe('digest answers', () => {
  it('match RFC 2617 §3.5 (MD5, qop=auth)', () => {
    const challenge = pickChallenge([
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    ]);
    expect(challenge).not.toBeNull();
    const answer = digestAnswer(
      challenge!,
      { username: 'Mufasa', password: 'Circle Of Life' },
      { method: 'GET', uri: '/dir/index.html' },
      { nc: 1, cnonce: '0a4f113b' },
    );
    const p = paramsOf(answer);
    expect(p.get('response')).toBe('6629fae49393a05397450978507c4ef1');
    expect(p.get('qop')).toBe('auth');
    expect(p.get('nc')).toBe('00000001');
    expect(p.get('opaque')).toBe('5ccc069c403ebaf9f0171e9517f40e41');
    expect(p.get('uri')).toBe('/dir/index.html');
  });

  it('match RFC 7616 §3.9.1 (SHA-256 and MD5)', () => {
    const header = (alg: string): string =>
      `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${alg}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`;
    const creds = { username: 'Mufasa', password: 'Circle of Life' };
    const req = { method: 'GET', uri: '/dir/index.html' };
    const opts = { nc: 1, cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ' };
    expect(paramsOf(digestAnswer(pickChallenge([header('SHA-256')])!, creds, req, opts)).get('response')).toBe(
      '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    );
    expect(paramsOf(digestAnswer(pickChallenge([header('MD5')])!, creds, req, opts)).get('response')).toBe(
      '8ca523f5e9506fed4657c9700eebdbec',
    );
  });

  it('answer an RFC 2069 challenge (no qop) without nc or cnonce', () => {
    const answer = digestAnswer(
      pickChallenge(['Digest realm="r", nonce="n"'])!,
      { username: 'u', password: 'p' },
      { method: 'REGISTER', uri: 'sip:r' },
    );
    const p = paramsOf(answer);
    expect(p.has('nc')).toBe(false);
    expect(p.has('qop')).toBe(false);
    // MD5(MD5(u:r:p):n:MD5(REGISTER:sip:r))
    expect(p.get('response')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('escape quotes in the user name instead of breaking the header', () => {
    const answer = digestAnswer(
      pickChallenge(['Digest realm="r", nonce="n"'])!,
      { username: 'a"b', password: 'p' },
      { method: 'REGISTER', uri: 'sip:r' },
    );
    expect(answer).toContain('username="a\\"b"');
    expect(paramsOf(answer).get('username')).toBe('a"b');
  });
});
