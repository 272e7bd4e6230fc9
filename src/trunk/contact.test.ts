import { describe, expect, it } from 'vitest';
import { chooseContact, drachtioOwns, parseHostports } from './contact.js';
import { parseRegistrar, trunkSettings } from './settings.js';
import { trunkInput } from './test-fixtures.js';

describe("our Contact, from drachtio-server's addresses", () => {
  const hostports = parseHostports('udp/198.51.100.7:5080,tcp/198.51.100.7:5081,tls/[2001:db8::7]:5061');

  it('reads the hostport list drachtio-server sends on connect, IPv6 included, skipping junk', () => {
    expect(hostports).toEqual([
      { transport: 'udp', host: '198.51.100.7', port: 5080 },
      { transport: 'tcp', host: '198.51.100.7', port: 5081 },
      { transport: 'tls', host: '2001:db8::7', port: 5061 },
    ]);
    expect(parseHostports('')).toEqual([]);
    expect(parseHostports('garbage,udp/1.2.3.4,udp/1.2.3.4:x')).toEqual([]);
  });

  it('takes the address and port of the transport towards the registrar, never an assumed 5060', () => {
    expect(chooseContact('0612345678', 'udp', hostports, '')).toMatchObject({
      uri: 'sip:0612345678@198.51.100.7:5080',
    });
    expect(chooseContact('0612345678', 'tcp', hostports, '').uri).toBe(
      'sip:0612345678@198.51.100.7:5081;transport=tcp',
    );
    expect(chooseContact('0612345678', 'tls', hostports, '').uri).toBe(
      'sips:0612345678@[2001:db8::7]:5061;transport=tls',
    );
  });

  it("lets TRUNK_CONTACT_HOST replace the host, keeping drachtio's port unless it gives one", () => {
    expect(chooseContact('u', 'udp', hostports, '203.0.113.50').uri).toBe('sip:u@203.0.113.50:5080');
    expect(chooseContact('u', 'udp', hostports, '203.0.113.50:15060').uri).toBe('sip:u@203.0.113.50:15060');
    expect(chooseContact('u', 'udp', hostports, 'pbx.example.net').uri).toBe('sip:u@pbx.example.net:5080');
  });

  it('knows when drachtio-server would not count the Contact as its own (no Request-URI rewrite by its proxy)', () => {
    expect(drachtioOwns('sip:u@198.51.100.7:5080', hostports)).toBe(true);
    expect(drachtioOwns('sips:u@[2001:db8::7]:5061;transport=tls', hostports)).toBe(true);
    expect(drachtioOwns('sip:u@203.0.113.50:5080', hostports)).toBe(false);
    expect(drachtioOwns('sip:u@198.51.100.7:15060', hostports)).toBe(false);
  });

  it('says why there is no usable address', () => {
    expect(chooseContact('u', 'ws', hostports, '')).toMatchObject({
      uri: null,
      note: expect.stringContaining('no ws address') as unknown,
    });
    expect(chooseContact('u', 'udp', parseHostports('udp/0.0.0.0:5060'), '')).toMatchObject({
      uri: null,
      note: expect.stringContaining('TRUNK_CONTACT_HOST') as unknown,
    });
  });
});

describe('the registrar URI', () => {
  it('gives the transport (UDP unless said), host and port', () => {
    expect(parseRegistrar('sip:sip.carrier.example')).toMatchObject({
      host: 'sip.carrier.example',
      port: null,
      transport: 'udp',
      scheme: 'sip',
    });
    expect(parseRegistrar('sip:127.0.0.1:5090;transport=TCP')).toMatchObject({
      host: '127.0.0.1',
      port: 5090,
      transport: 'tcp',
    });
    expect(parseRegistrar('sips:[2001:db8::1]:5061')).toMatchObject({
      host: '2001:db8::1',
      port: 5061,
      transport: 'tls',
      scheme: 'sips',
    });
  });

  it("makes the AOR from the user name and the domain, the registrar's host by default", () => {
    const base = trunkInput();
    expect(trunkSettings(base)?.aor).toBe('sip:0612345678@127.0.0.1');
    expect(trunkSettings({ ...base, domain: 'voip.carrier.example' })?.aor).toBe('sip:0612345678@voip.carrier.example');
    expect(trunkSettings({ ...base, authUsername: 'a1' })?.credentials).toEqual({ username: 'a1', password: 'p' });
    expect(trunkSettings({ ...base, registrar: '' })).toBeNull();
  });
});
