import { describe, expect, it } from 'vitest';
import { buildInvite, buildMessage, prepareInjected } from './sip-builders.js';
import { hostPortOf, parseSip, parseSipRequest, renderDraft, tagOf, uriOf } from './sip-message.js';

describe('SIP text helpers of the drachtio double', () => {
  it('builds a carrier-shaped INVITE with SDP and a correct Content-Length', () => {
    const raw = buildInvite({
      from: '+393331234567',
      to: '+390612345678',
      pai: 'tel:+393331234567',
      privacy: 'none',
      identity: 'eyJhbGciOiJFUzI1NiJ9.e30.sig;info=<https://cert.example/c.pem>;alg=ES256;ppt=shaken',
      extraHeaders: { 'X-Carrier': 'acme' },
    });
    const req = parseSipRequest(raw);
    expect(req.method).toBe('INVITE');
    expect(req.uri).toBe('sip:+390612345678@127.0.0.1:5060');
    expect(req.headers.via?.[0]).toMatch(/^SIP\/2\.0\/UDP 203\.0\.113\.10:5060;branch=z9hG4bK/);
    expect(tagOf(req.headers.from?.[0])).toBeTruthy();
    expect(req.headers['p-asserted-identity']).toEqual(['<tel:+393331234567>']);
    expect(req.headers['x-carrier']).toEqual(['acme']);
    expect(req.body).toMatch(/^v=0\r\n/);
    expect(Number(req.headers['content-length']?.[0])).toBe(Buffer.byteLength(req.body));
  });

  it('builds a MESSAGE whose Content-Length counts UTF-8 bytes', () => {
    const req = parseSipRequest(buildMessage({ from: '+393331234567', to: '+390612345678', body: 'perché ☎' }));
    expect(req.method).toBe('MESSAGE');
    expect(req.headers['content-length']).toEqual([String(Buffer.byteLength('perché ☎'))]);
  });

  it('fixes hand-written SIP: LF line ends, missing Via, wrong Content-Length, compact headers', () => {
    const draft = prepareInjected(
      'OPTIONS sip:x@127.0.0.1 SIP/2.0\ni: abc\nf: <sip:a@b>;tag=1\nt: <sip:x@y>\nl: 99\n\n',
      { address: '192.0.2.1', port: 5070 },
      'tcp',
    );
    const req = parseSipRequest(renderDraft(draft));
    expect(req.headers.via?.[0]).toMatch(/^SIP\/2\.0\/TCP 192\.0\.2\.1:5070;branch=z9hG4bK/);
    expect(req.headers['call-id']).toEqual(['abc']);
    expect(req.headers['content-length']).toEqual(['0']);
    expect(req.raw).toContain('\r\n\r\n');
  });

  it('reads repeated headers, tags, URIs and ports', () => {
    const res = parseSip('SIP/2.0 607 Unwanted\r\nVia: a\r\nVia: b\r\nTo: "Me" <sip:1@h;user=phone>;tag=xy\r\n\r\n');
    expect(res.kind === 'response' && res.status).toBe(607);
    expect(res.headers.via).toEqual(['a', 'b']);
    expect(tagOf(res.headers.to?.[0])).toBe('xy');
    expect(uriOf('"Me" <sip:1@h;user=phone>;tag=xy')).toBe('sip:1@h;user=phone');
    expect(hostPortOf('sip:100@10.0.0.5:5080;transport=tcp')).toEqual({ address: '10.0.0.5', port: 5080 });
  });
});
