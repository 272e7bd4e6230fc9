import { describe, expect, it } from 'vitest';
import { DigestAuth, digestResponse, parseCredentials, type AuthResult } from './digest.js';

const SETTINGS = {
  realm: 'crocetta',
  username: 'fritzbox',
  password: 'correct horse 7',
  nonceTtlMs: 300_000,
  maxNonces: 100,
};
const PBX = '198.51.100.7';
const URI = 'sip:crocetta.example';

function nonceOf(challenge: string): string {
  return /nonce="([^"]+)"/.exec(challenge)?.[1] ?? '';
}

/** An Authorization header as a PBX computes it for the challenge. */
function authorization(
  nonce: string,
  o: { password?: string; username?: string; nc?: string; qop?: boolean; realm?: string; uri?: string } = {},
): string {
  const username = o.username ?? SETTINGS.username;
  const realm = o.realm ?? SETTINGS.realm;
  const uri = o.uri ?? URI;
  const qop = o.qop ?? true;
  const nc = o.nc ?? '00000001';
  const cnonce = 'a1b2c3d4';
  const response = digestResponse({
    username,
    realm,
    password: o.password ?? SETTINGS.password,
    method: 'REGISTER',
    uri,
    nonce,
    ...(qop ? { qop: 'auth', nc, cnonce } : {}),
  });
  return qop
    ? `Digest username="${username}",realm="${realm}",nonce="${nonce}",uri="${uri}",response="${response}",algorithm=MD5,cnonce="${cnonce}",qop=auth,nc=${nc}`
    : `Digest username="${username}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}"`;
}

describe('digest authentication of the PBX', () => {
  it('matches RFC 2617 §3.5 (the worked example)', () => {
    expect(
      digestResponse({
        username: 'Mufasa',
        realm: 'testrealm@host.com',
        password: 'Circle Of Life',
        method: 'GET',
        uri: '/dir/index.html',
        nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
        qop: 'auth',
        nc: '00000001',
        cnonce: '0a4f113b',
      }),
    ).toBe('6629fae49393a05397450978507c4ef1');
  });

  it('challenges a REGISTER without credentials with MD5 and qop=auth, then accepts the right answer', () => {
    const auth = new DigestAuth(SETTINGS);
    expect(auth.verify(undefined, 'REGISTER', PBX, 0)).toEqual({
      kind: 'challenge',
      stale: false,
      why: 'no credentials',
    });
    const challenge = auth.challenge(PBX, 0);
    expect(challenge).toMatch(/^Digest realm="crocetta", nonce="[A-Za-z0-9_-]{24}", algorithm=MD5, qop="auth"$/);
    expect(auth.verify(authorization(nonceOf(challenge)), 'REGISTER', PBX, 1000)).toEqual({
      kind: 'ok',
      username: 'fritzbox',
    });
  });

  it('accepts the same nonce again with a higher nc (a refresh), and refuses a replayed nc with a stale challenge', () => {
    const auth = new DigestAuth(SETTINGS);
    const nonce = nonceOf(auth.challenge(PBX, 0));
    const first = authorization(nonce, { nc: '00000001' });
    expect(auth.verify(first, 'REGISTER', PBX, 10).kind).toBe('ok');
    expect(auth.verify(first, 'REGISTER', PBX, 20)).toEqual({ kind: 'challenge', stale: true, why: 'replayed nonce' });
    expect(auth.verify(authorization(nonce, { nc: '00000002' }), 'REGISTER', PBX, 30).kind).toBe('ok');
  });

  it('takes a nonce without qop only once (RFC 2069 clients)', () => {
    const auth = new DigestAuth(SETTINGS);
    const nonce = nonceOf(auth.challenge(PBX, 0));
    const header = authorization(nonce, { qop: false });
    expect(auth.verify(header, 'REGISTER', PBX, 10).kind).toBe('ok');
    expect(auth.verify(header, 'REGISTER', PBX, 20)).toMatchObject({
      kind: 'challenge',
      stale: true,
      why: 'replayed nonce',
    });
  });

  it("gives a stale challenge for a right password on an expired, unknown or other client's nonce", () => {
    const auth = new DigestAuth(SETTINGS);
    const nonce = nonceOf(auth.challenge(PBX, 0));
    expect(auth.verify(authorization(nonce), 'REGISTER', '203.0.113.9', 10)).toMatchObject({
      kind: 'challenge',
      stale: true,
      why: 'unknown nonce',
    });
    expect(auth.verify(authorization(nonce), 'REGISTER', PBX, 300_001)).toMatchObject({
      kind: 'challenge',
      stale: true,
      why: 'expired nonce',
    });
    expect(auth.verify(authorization('made-up-nonce'), 'REGISTER', PBX, 10)).toMatchObject({
      kind: 'challenge',
      stale: true,
      why: 'unknown nonce',
    });
    expect(auth.challenge(PBX, 0, true)).toMatch(/, stale=true$/);
  });

  it('refuses a wrong password or user name whatever the nonce', () => {
    const auth = new DigestAuth(SETTINGS);
    const nonce = nonceOf(auth.challenge(PBX, 0));
    expect(auth.verify(authorization(nonce, { password: 'guess' }), 'REGISTER', PBX, 1)).toEqual({
      kind: 'forbidden',
      why: 'wrong password',
      username: 'fritzbox',
    });
    expect(auth.verify(authorization('unknown', { password: 'guess' }), 'REGISTER', PBX, 1).kind).toBe('forbidden');
    expect(auth.verify(authorization(nonce, { username: 'admin' }), 'REGISTER', PBX, 1)).toMatchObject({
      kind: 'forbidden',
      why: 'unknown user',
    });
    // A credential computed for another method (an INVITE's, replayed on a REGISTER) does not pass either.
    expect(auth.verify(authorization(nonce), 'INVITE', PBX, 1)).toMatchObject({
      kind: 'forbidden',
      why: 'wrong password',
    });
  });

  it('answers credentials for another realm, algorithm or qop with a fresh challenge, not a refusal', () => {
    const auth = new DigestAuth(SETTINGS);
    const nonce = nonceOf(auth.challenge(PBX, 0));
    expect(auth.verify(authorization(nonce, { realm: 'carrier.example' }), 'REGISTER', PBX, 1)).toMatchObject({
      kind: 'challenge',
      why: 'other realm',
    });
    expect(
      auth.verify(authorization(nonce).replace('algorithm=MD5', 'algorithm=SHA-256'), 'REGISTER', PBX, 1),
    ).toMatchObject({ why: 'unsupported algorithm' });
    expect(auth.verify(authorization(nonce).replace('qop=auth', 'qop=auth-int'), 'REGISTER', PBX, 1)).toMatchObject({
      why: 'unsupported qop',
    });
    expect(auth.verify('Basic Zm9vOmJhcg==', 'REGISTER', PBX, 1)).toMatchObject({
      kind: 'challenge',
      why: 'no credentials',
    });
  });

  it('picks our realm among several credentials (a repeated header joined with commas)', () => {
    const auth = new DigestAuth(SETTINGS);
    const nonce = nonceOf(auth.challenge(PBX, 0));
    const other =
      'Digest username="x", realm="carrier.example", nonce="n", uri="sip:c", response="00000000000000000000000000000000"';
    expect(auth.verify(`${other}, ${authorization(nonce)}`, 'REGISTER', PBX, 1).kind).toBe('ok');
  });

  it.each([
    ['missing response', 'Digest username="fritzbox", realm="crocetta", nonce="n", uri="sip:c"'],
    [
      'missing nonce',
      'Digest username="fritzbox", realm="crocetta", uri="sip:c", response="0123456789abcdef0123456789abcdef"',
    ],
    ['response not hex', 'Digest username="fritzbox", realm="crocetta", nonce="n", uri="sip:c", response="zz"'],
    [
      'qop without cnonce',
      'Digest username="fritzbox", realm="crocetta", nonce="n", uri="sip:c", response="0123456789abcdef0123456789abcdef", qop=auth, nc=00000001',
    ],
    [
      'qop with a bad nc',
      'Digest username="fritzbox", realm="crocetta", nonce="n", uri="sip:c", response="0123456789abcdef0123456789abcdef", qop=auth, nc=1, cnonce="c"',
    ],
    ['unterminated quote', 'Digest username="fritzbox, realm="crocetta'],
    ['duplicate parameter', 'Digest username="a", username="b", realm="crocetta"'],
    ['parameter before any scheme', 'username="a", realm="crocetta"'],
    ['garbage', '=,=,=\u0000'],
    ['huge', `Digest username="${'a'.repeat(5000)}", realm="crocetta"`],
  ])('calls malformed credentials malformed: %s', (_what, header) => {
    const result: AuthResult = new DigestAuth(SETTINGS).verify(header, 'REGISTER', PBX, 0);
    expect(result.kind).toBe('malformed');
  });

  it('reads quoted strings with escapes and unquoted tokens', () => {
    expect(parseCredentials('Digest username="a\\"b", realm="r, s", nc=00000001 ,qop=auth')).toEqual([
      { scheme: 'digest', username: 'a"b', realm: 'r, s', nc: '00000001', qop: 'auth' },
    ]);
  });

  it('remembers a bounded number of nonces, forgetting the oldest', () => {
    const auth = new DigestAuth({ ...SETTINGS, maxNonces: 3 });
    const first = nonceOf(auth.challenge(PBX, 0));
    for (let i = 1; i <= 10; i++) auth.challenge(PBX, i);
    expect(auth.nonceCount).toBe(3);
    expect(auth.verify(authorization(first), 'REGISTER', PBX, 20)).toMatchObject({ kind: 'challenge', stale: true });
  });
});
