/**
 * The four SIP URI readers that each had their own host regex and now read through sipUriAddress (uri-host.ts):
 * the PBX's address (outboundSources), whether drachtio-server rewrites a Request-URI (drachtioRewrites), whether a
 * Contact is drachtio's own (drachtioOwns), and our binding among a registrar's (grantedExpiry). On realistic input
 * each answers as its regex did (every `same` row passes on the sources before the move, checked); the `changed`
 * rows are the odd inputs the regexes read wrong, each with why.
 */
import { describe, expect, it } from 'vitest';
import { drachtioRewrites } from '../sip/forward-target.js';
import { outboundSources } from '../sip/outbound.js';
import { drachtioOwns, parseHostports } from '../trunk/contact.js';
import { grantedExpiry } from '../trunk/registrar-response.js';

describe("the PBX's address from its URI (outboundSources)", () => {
  it.each([
    ['sip:127.0.0.1:5080', ['127.0.0.1']],
    ['sip:192.168.1.10', ['192.168.1.10']],
    ['sip:192.168.1.10:5060;transport=tcp', ['192.168.1.10']],
    ['sips:10.0.0.1:5061', ['10.0.0.1']],
    ['SIP:10.0.0.2', ['10.0.0.2']],
    ['sip:[2001:db8::1]:5060', ['2001:db8::1']],
    ['sip:[2001:db8::1]', ['2001:db8::1']],
    ['sip:pbx@10.0.0.3', ['10.0.0.3']],
    ['sip:pbx:secret@10.0.0.3:5070', ['10.0.0.3']],
    ['sip:+390612345678@10.0.0.4;user=phone', ['10.0.0.4']],
    ['sip:+39;npdi@10.0.0.5', ['10.0.0.5']],
    ['sip:pbx.example.com', []],
    ['tel:+390612345678', []],
    ['"PBX" <sip:10.0.0.8>', []],
    ['http://10.0.0.1', []],
    ['10.0.0.13', []],
  ])('same: %s → %j', (uri, sources) => {
    expect(outboundSources(uri, [])).toEqual(sources);
  });

  it.each([
    // Lower case, as drachtio-server reports a source address: the regex kept `2001:DB8::1`, which never matched.
    ['sip:[2001:DB8::1]', ['2001:db8::1']],
    // `?headers` end the host (RFC 3261 §19.1.1): the regex read `10.0.0.1?x=1`, no IP address, so no source.
    ['sip:10.0.0.1?x=1', ['10.0.0.1']],
  ])('changed: %s → %j', (uri, sources) => {
    expect(outboundSources(uri, [])).toEqual(sources);
  });
});

describe('whether drachtio-server puts our destination in the request line (drachtioRewrites)', () => {
  it.each([
    ['sip:+390612345678@127.0.0.1', '127.0.0.1:5060', true],
    ['sip:+390612345678@127.0.0.1:5060', '127.0.0.1:5060', true],
    ['sip:0612345678@localhost', '127.0.0.1:5060', true],
    ['sip:0612345678@localhost:5060', '127.0.0.1:5060', true],
    ['sip:0612345678@10.0.0.1:5070;transport=tcp', '10.0.0.1:5070', true],
    ['sip:0612345678@10.0.0.1:5070;transport=tcp', '10.0.0.1:5060', false],
    ['sips:0612345678@10.0.0.1:5060', '10.0.0.1:5060', true],
    ['sip:0612345678@10.0.0.1;lr;transport=udp', '10.0.0.1:5060', true],
    ['sip:0612345678@10.0.0.1?X-h=1', '10.0.0.1:5060', true],
    ['sip:0612345678@[::1]', '[::1]:5060', true],
    ['sip:0612345678@[::1]:5060', '[::1]:5060', true],
    ['sip:0612345678@[2001:DB8::1]:5060', '[2001:db8::1]:5060', true],
    ['sip:0612345678@[::1]', '::1:5060', false],
    ['sip:0612345678@PBX.Example:5060', 'pbx.example:5060', true],
    ['sip:0612345678@pbx.example', 'PBX.example:5060', true],
    ['sip:10.0.0.1:5070', '10.0.0.1:5070', true],
    ['sip:u:pw@10.0.0.1', '10.0.0.1:5060', true],
    ['sip:+39;npdi@10.0.0.1', '10.0.0.1:5060', true],
    ['sip:0612345678@192.0.2.1', '10.0.0.1:5060', false],
    ['sip:0612345678@', '10.0.0.1:5060', false],
    ['tel:+390612345678', '10.0.0.1:5060', false],
    ['sip:0612345678@10.0.0.1', '', true],
  ])('same: %s received on %j → %s', (uri, receivedOn, rewrites) => {
    expect(drachtioRewrites(uri, receivedOn)).toBe(rewrites);
  });

  it.each([
    // A port is a number: `05060` is 5060 (the regexes compared the text).
    ['sip:0612345678@10.0.0.1:05060', '10.0.0.1:5060', true],
    // A `>` in the user part: the regex took the text before `>` for the host (`a`).
    ['sip:a>b@10.0.0.1', '10.0.0.1:5060', true],
  ])('changed: %s received on %j → %s', (uri, receivedOn, rewrites) => {
    expect(drachtioRewrites(uri, receivedOn)).toBe(rewrites);
  });
});

describe("whether a Contact is one of drachtio-server's addresses (drachtioOwns)", () => {
  const hostports = parseHostports(
    'udp/203.0.113.7:5060,tcp/203.0.113.7:5060,tls/203.0.113.7:5061,udp/[2001:db8::7]:5060,udp/pbx.example:5080',
  );
  it.each([
    ['sip:acct@203.0.113.7:5060', true],
    ['sip:acct@203.0.113.7', true],
    ['sip:acct@203.0.113.7:5070;transport=tcp', false],
    ['sip:acct@203.0.113.7:5061;transport=tls', true],
    ['sips:acct@203.0.113.7:5061;transport=tls', true],
    // No port: 5060 whatever the scheme, as before (drachtio's list decides).
    ['sips:acct@203.0.113.7;transport=tls', true],
    ['sip:acct@[2001:db8::7]:5060', true],
    ['sip:acct@[2001:DB8::7]', true],
    ['sip:acct@PBX.example:5080', true],
    ['sip:acct@198.51.100.1:5060', false],
    // Our Contact always has a user part: without one it is not ours.
    ['sip:203.0.113.7:5060', false],
    ['sip:acct@2001:db8::7', false],
    ['sip:@203.0.113.7', true],
    ['sip:a;p=1@203.0.113.7', true],
    ['sip:acct@', false],
  ])('same: %s → %s', (contact, owned) => {
    expect(drachtioOwns(contact, hostports)).toBe(owned);
  });

  it.each([
    // `?headers` end the host: the regex read `203.0.113.7?x=1`.
    ['sip:acct@203.0.113.7?x=1', true],
    // A Contact URI is given without <> (chooseContact's): in <> it is no URI. The regex found the `@` anywhere.
    ['<sip:acct@203.0.113.7>', false],
  ])('changed: %s → %s', (contact, owned) => {
    expect(drachtioOwns(contact, hostports)).toBe(owned);
  });
});

describe("our binding's expiry among the registrar's Contacts (grantedExpiry)", () => {
  /** Which expiry is ours: the binding's (its seconds) or, when no binding is ours, the Expires header's (60). */
  const granted = (ours: string, binding: string): number =>
    grantedExpiry({ contact: [binding], expires: '60' }, ours, 90).seconds;

  it.each([
    ['sip:acct@203.0.113.7:5060', '<sip:acct@203.0.113.7:5060>;expires=300', 300],
    ['sip:acct@203.0.113.7:5060', '<sip:acct@203.0.113.7>;expires=301', 301],
    ['sip:acct@203.0.113.7', '<sip:acct@203.0.113.7:5061>;expires=302', 60],
    ['sip:acct@203.0.113.7', '<sips:acct@203.0.113.7>;expires=303', 60],
    ['sips:acct@203.0.113.7', '<sips:acct@203.0.113.7>;expires=303', 303],
    ['sips:acct@203.0.113.7', '<sip:acct@203.0.113.7:5061;transport=tls>;expires=305', 305],
    ['sip:acct@203.0.113.7;transport=TLS', '<sip:acct@203.0.113.7;transport=tls>;expires=304', 304],
    ['sip:acct@203.0.113.7;transport=tls', '<sip:acct@203.0.113.7>;expires=301', 60],
    // The user part is case-sensitive, the host is not.
    ['sip:acct@203.0.113.7', '<sip:ACCT@203.0.113.7>;expires=306', 60],
    ['sip:acct@host.example', '<sip:acct@HOST.example>;expires=307', 307],
    ['sip:acct@[2001:db8::7]:5060', '<sip:acct@[2001:DB8::7]:5060>;expires=308', 308],
    ['sip:acct@[2001:db8::7]:5060', '<sip:acct@[2001:db8::7]>;expires=309', 309],
    ['sip:acct@203.0.113.7:5060', '"Desk" <sip:acct@203.0.113.7:5060;ob>;expires=310', 310],
    ['sip:acct@203.0.113.7:5060', 'sip:acct@203.0.113.7;expires=311', 311],
    ['sip:+390612345678@203.0.113.7;transport=tcp', '<sip:+390612345678@203.0.113.7;transport=tcp>;expires=313', 313],
    ['sip:acct@203.0.113.7', '<sip:203.0.113.7>;expires=316', 60],
    ['sip:acct@203.0.113.7', '<tel:+390612345678>;expires=318', 60],
  ])('same: ours %s, listed %s → %i s', (ours, binding, seconds) => {
    expect(granted(ours, binding)).toBe(seconds);
  });

  it.each([
    // The user part compared unescaped (RFC 3261 §19.1.4): `%2B39…` is `+39…`.
    ['sip:+390612345678@203.0.113.7;transport=tcp', '<sip:%2B390612345678@203.0.113.7;transport=tcp>;expires=312', 312],
    // The user without a password or its own `;` parameters: the regex kept `acct:pw` and read no user at all
    // after `acct;x=1` (no `@` before the `;`).
    ['sip:acct@203.0.113.7', '<sip:acct:pw@203.0.113.7>;expires=314', 314],
    ['sip:acct@203.0.113.7', '<sip:acct;x=1@203.0.113.7>;expires=315', 315],
    // `;transport=tls` inside `?headers` is no URI parameter: the binding is plain sip on 5060, as ours.
    ['sip:acct@203.0.113.7', '<sip:acct@203.0.113.7?X=;transport=tls>;expires=317', 317],
    ['sips:acct@203.0.113.7', '<sip:acct@203.0.113.7?X=;transport=tls>;expires=317', 60],
  ])('changed: ours %s, listed %s → %i s', (ours, binding, seconds) => {
    expect(granted(ours, binding)).toBe(seconds);
  });
});
