import { describe, expect, it } from 'vitest';
import { sipUriAddress, sipUriHost, splitHostPort } from './uri-host.js';

describe('host[:port] (splitHostPort)', () => {
  it('reads a name, an IPv4 address and an IPv6 reference, each with or without a port', () => {
    expect(splitHostPort('sip.Carrier.example')).toEqual({ host: 'sip.Carrier.example', port: null });
    expect(splitHostPort('127.0.0.1:5090')).toEqual({ host: '127.0.0.1', port: 5090 });
    expect(splitHostPort('[2001:db8::1]')).toEqual({ host: '2001:db8::1', port: null });
    expect(splitHostPort('[2001:DB8::1]:5061')).toEqual({ host: '2001:DB8::1', port: 5061 });
  });

  it('stops at the port: what follows it is not the host', () => {
    expect(splitHostPort('10.0.0.1:5060;transport=tcp')).toEqual({ host: '10.0.0.1', port: 5060 });
    expect(splitHostPort('[::1]:5060;lr')).toEqual({ host: '::1', port: 5060 });
    // A port that is no number is no port.
    expect(splitHostPort('host.example:abc')).toEqual({ host: 'host.example', port: null });
  });

  it('has no host in empty text or a bare colon', () => {
    expect(splitHostPort('')).toBeNull();
    expect(splitHostPort(':5060')).toBeNull();
  });
});

describe('the host of a SIP URI or of a header (sipUriHost)', () => {
  it('takes the host without user part, port, parameters or brackets, in lower case', () => {
    expect(sipUriHost('sip:0612345678@Carrier-B.example')).toBe('carrier-b.example');
    expect(sipUriHost('sip:0612345678@10.0.0.5:5060;transport=udp')).toBe('10.0.0.5');
    expect(sipUriHost('sips:[2001:DB8::5]:5061')).toBe('2001:db8::5');
    expect(sipUriHost('sip:ufficio@[2001:db8::5]')).toBe('2001:db8::5');
    expect(sipUriHost('sip:10.0.0.1:5070;transport=tcp')).toBe('10.0.0.1');
    expect(sipUriHost('SIP:u:secret@host.example')).toBe('host.example');
  });

  it("reads a header's name-addr, with or without a display name, and an addr-spec with header parameters", () => {
    expect(sipUriHost('"Ufficio" <sip:0612345678@carrier-b.EXAMPLE>;tag=x')).toBe('carrier-b.example');
    expect(sipUriHost('Ufficio <sip:0612345678@10.0.0.5:5062>')).toBe('10.0.0.5');
    expect(sipUriHost('<sip:0612345678@10.0.0.5>')).toBe('10.0.0.5');
    expect(sipUriHost('sip:0612345678@10.0.0.5;tag=abc')).toBe('10.0.0.5');
  });

  it('takes the host after a user part with parameters, and not a URI in the display name', () => {
    expect(sipUriHost('<sip:+390612345678;npdi@carrier.example>')).toBe('carrier.example');
    expect(sipUriHost('"sip:bogus@elsewhere.example" <sip:1@carrier.example>')).toBe('carrier.example');
  });

  it("is '' for a tel: URI, another scheme, a bare number and junk", () => {
    for (const text of ['<tel:+390612345678>', 'tel:+390612345678', 'urn:service:sos', '0612345678', '', '<>', '"x']) {
      expect(sipUriHost(text), text).toBe('');
    }
  });
});

describe('a sip: or sips: URI read apart (sipUriAddress)', () => {
  it('reads scheme, user, host, port and parameters; the host in lower case, without brackets', () => {
    const a = sipUriAddress('SIPS:acct@[2001:DB8::7]:5061;Transport=TLS?X-h=1');
    expect(a).toMatchObject({ scheme: 'sips', user: 'acct', host: '2001:db8::7', port: 5061 });
    expect(a?.params.get('transport')).toBe('TLS');
    expect(sipUriAddress('sip:Carrier.example')).toMatchObject({ scheme: 'sip', user: null, host: 'carrier.example' });
    expect(sipUriAddress('sip:%2B390612345678:pw@10.0.0.1')).toMatchObject({ user: '+390612345678', port: null });
  });

  it('is null for another scheme, a header value in <>, or no host', () => {
    for (const text of ['tel:+390612345678', '<sip:acct@10.0.0.1>', 'sip:acct@', 'sip:', '0612345678', 'http://x']) {
      expect(sipUriAddress(text), text).toBeNull();
    }
  });
});
