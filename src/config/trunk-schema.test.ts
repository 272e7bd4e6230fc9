import { describe, expect, it } from 'vitest';
import { loadConfig } from './loader.js';

describe('trunk settings from the environment', () => {
  it('are off by default, and read every TRUNK_* variable', () => {
    expect(loadConfig({ env: {} }).trunk.registrar).toBe('');
    const config = loadConfig({
      env: {
        TRUNK_REGISTRAR: 'sip:127.0.0.1:5090',
        TRUNK_USERNAME: '0612345678',
        TRUNK_PASSWORD: 's3cret',
        TRUNK_AUTH_USERNAME: 'auth-0612345678',
        TRUNK_DOMAIN: 'voip.carrier.example',
        TRUNK_EXPIRES: '3600',
        TRUNK_CONTACT_HOST: '203.0.113.50:15060',
        TRUNK_INBOUND_FROM: '203.0.113.10, 198.51.100.0/24 2001:db8::/32',
      },
    });
    expect(config.trunk).toMatchObject({
      registrar: 'sip:127.0.0.1:5090',
      username: '0612345678',
      password: 's3cret',
      authUsername: 'auth-0612345678',
      domain: 'voip.carrier.example',
      expires: 3600,
      contactHost: '203.0.113.50:15060',
      inboundFrom: ['203.0.113.10', '198.51.100.0/24', '2001:db8::/32'],
    });
  });

  it('say clearly what is missing or wrong, naming the variable', () => {
    expect(() => loadConfig({ env: { TRUNK_REGISTRAR: 'sip:sip.carrier.example' } })).toThrow(
      /trunk\.username: required when trunk\.registrar \(TRUNK_REGISTRAR\) is set/,
    );
    expect(() => loadConfig({ env: { TRUNK_REGISTRAR: 'sip.carrier.example', TRUNK_USERNAME: 'u' } })).toThrow(
      /trunk\.registrar \(from TRUNK_REGISTRAR\): expected the registrar as a SIP URI/,
    );
    expect(() => loadConfig({ env: { TRUNK_REGISTRAR: 'sip:u@sip.carrier.example', TRUNK_USERNAME: 'u' } })).toThrow(
      /without a user part/,
    );
    expect(() =>
      loadConfig({
        env: { TRUNK_REGISTRAR: 'sip:r', TRUNK_USERNAME: 'u', TRUNK_INBOUND_FROM: '203.0.113.10,10.0.0.0/33' },
      }),
    ).toThrow(/trunk\.inboundFrom\.1 \(from TRUNK_INBOUND_FROM\): expected an IP address or a CIDR/);
    expect(() => loadConfig({ env: { TRUNK_EXPIRES: '5' } })).toThrow(/trunk\.expires \(from TRUNK_EXPIRES\)/);
    expect(() =>
      loadConfig({ env: { TRUNK_REGISTRAR: 'sip:r', TRUNK_USERNAME: 'u', TRUNK_CONTACT_HOST: 'a b' } }),
    ).toThrow(/trunk\.contactHost/);
  });
});
