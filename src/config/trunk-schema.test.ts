import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trunkAccounts } from '../trunk/settings.js';
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
    const spaced = () =>
      loadConfig({ env: { TRUNK_REGISTRAR: 'sip:ho st', TRUNK_USERNAME: 'u', TRUNK_PASSWORD: 'p' } });
    expect(spaced).toThrow(/expected the registrar as a SIP URI/);
    expect(spaced).not.toThrow(/registrar's host/);
    // An unbracketed IPv6 address was read as the host `2001` (registered to a host that is not there), a port
    // past 65535 or not a number was taken or dropped; each is now refused, saying how to write it.
    for (const registrar of [
      'sip:2001:db8::1',
      'sip:2001:db8::1:5060',
      'sip:host:abc',
      'sip:host:99999',
      'sip:host:0',
    ]) {
      expect(
        () => loadConfig({ env: { TRUNK_REGISTRAR: registrar, TRUNK_USERNAME: 'u', TRUNK_PASSWORD: 'p' } }),
        registrar,
      ).toThrow(
        /trunk\.registrar \(from TRUNK_REGISTRAR\): expected the registrar's host as a name or an address .* in brackets, such as sip:\[2001:db8::1\]:5060/,
      );
    }
    // The host and port as the trunk reads them (readHostPort), so what passed the schema's pattern and not the
    // reader is refused too: an IPv4 address or no address in brackets, text after them.
    for (const [registrar, problem] of [
      ['sip:[1.2.3.4]:5060', '[1.2.3.4] is not an IPv6 address'],
      ['sip:[:::]', '[:::] is not an IPv6 address'],
      ['sip:[::1]x', '"x" follows [::1]'],
      ['sip:2001:db8::1', '"2001:db8::1" has more than one colon outside brackets'],
    ] as const) {
      expect(
        () => loadConfig({ env: { TRUNK_REGISTRAR: registrar, TRUNK_USERNAME: 'u', TRUNK_PASSWORD: 'p' } }),
        registrar,
      ).toThrow(
        `trunk.registrar (from TRUNK_REGISTRAR): expected the registrar's host as a name or an address with an optional port from 1 to 65535; an IPv6 address in brackets, such as sip:[2001:db8::1]:5060; here ${problem}`,
      );
    }
    for (const registrar of [
      'sip:[2001:db8::1]',
      'sips:[2001:db8::1]:5061;transport=tls',
      'sip:sip.carrier.example:5060;transport=tcp',
    ]) {
      expect(
        loadConfig({ env: { TRUNK_REGISTRAR: registrar, TRUNK_USERNAME: 'u', TRUNK_PASSWORD: 'p' } }).trunk.registrar,
      ).toBe(registrar);
    }
    expect(() =>
      loadConfig({
        env: { TRUNK_REGISTRAR: 'sip:r', TRUNK_USERNAME: 'u', TRUNK_INBOUND_FROM: '203.0.113.10,10.0.0.0/33' },
      }),
    ).toThrow(/trunk\.inboundFrom\.1 \(from TRUNK_INBOUND_FROM\): expected an IP address or a CIDR/);
    // Named with its unit, not zod's "Too small: expected number to be >=30" (user37, session 37).
    expect(() => loadConfig({ env: { TRUNK_EXPIRES: '10' } })).toThrow(
      /trunk\.expires \(from TRUNK_EXPIRES\): expected at least 30 seconds \(the registration's lifetime, in seconds: 30 to 86400\)/,
    );
    expect(() => loadConfig({ env: { TRUNK_EXPIRES: '90000' } })).toThrow(
      /trunk\.expires \(from TRUNK_EXPIRES\): expected at most 86400 seconds \(one day/,
    );
    expect(() =>
      loadConfig({ env: { TRUNK_REGISTRAR: 'sip:r', TRUNK_USERNAME: 'u', TRUNK_CONTACT_HOST: 'a b' } }),
    ).toThrow(/trunk\.contactHost/);
    // The Contact host and the domain are read as the registrar's host: an IPv4 address in brackets, a port 0 or
    // past 65535 passed their pattern.
    const trunkWith = (env: Record<string, string>) => () =>
      loadConfig({ env: { TRUNK_REGISTRAR: 'sip:r', TRUNK_USERNAME: 'u', TRUNK_PASSWORD: 'p', ...env } });
    expect(trunkWith({ TRUNK_CONTACT_HOST: '[192.0.2.7]:5062' })).toThrow(
      'trunk.contactHost (from TRUNK_CONTACT_HOST): expected an address or host name with an optional port from 1 to 65535, such as 198.51.100.7 or 198.51.100.7:5062; an IPv6 address in brackets, such as [2001:db8::7]:5062; here [192.0.2.7] is not an IPv6 address',
    );
    expect(trunkWith({ TRUNK_CONTACT_HOST: '192.0.2.7:0' })).toThrow(/here port 0 is out of range \(1 to 65535\)/);
    expect(trunkWith({ TRUNK_DOMAIN: 'voip.carrier.example:99999' })).toThrow(
      'trunk.domain (from TRUNK_DOMAIN): expected a host name such as sip.carrier.example; here port 99999 is out of range (1 to 65535)',
    );
    expect(
      trunkWith({ TRUNK_CONTACT_HOST: '[2001:db8::7]:5062', TRUNK_DOMAIN: '[2001:db8::9]' })().trunk,
    ).toMatchObject({
      contactHost: '[2001:db8::7]:5062',
      domain: '[2001:db8::9]',
    });
  });
});

describe('further carrier accounts (trunk.accounts, TRUNK_2_* … TRUNK_4_*)', () => {
  const FIRST = { TRUNK_REGISTRAR: 'sip:127.0.0.1:5090', TRUNK_USERNAME: '0612345678', TRUNK_PASSWORD: 's3cret' };
  const overlayFile = (yaml: string): string => {
    const dir = mkdtempSync(join(tmpdir(), 'crocetta-accounts-'));
    writeFileSync(join(dir, 'over.yaml'), yaml);
    return join(dir, 'over.yaml');
  };

  it('are none by default; TRUNK_2_* and TRUNK_3_* are the first two, with defaults for what they do not give', () => {
    expect(loadConfig({ env: {} }).trunk).toMatchObject({ number: '', accounts: [] });
    const config = loadConfig({
      env: {
        ...FIRST,
        TRUNK_NUMBER: '0612345678',
        TRUNK_2_USERNAME: 'ufficio2',
        TRUNK_2_PASSWORD: 'pw-2',
        TRUNK_2_AUTH_USERNAME: 'auth-2',
        TRUNK_2_NUMBER: '+390612345670',
        TRUNK_3_USERNAME: '0612345671',
        TRUNK_3_PASSWORD: 'pw-3',
      },
    });
    expect(config.trunk.number).toBe('0612345678');
    expect(config.trunk.accounts).toEqual([
      {
        username: 'ufficio2',
        password: 'pw-2',
        authUsername: 'auth-2',
        number: '+390612345670',
        registrar: '',
        domain: '',
        contactHost: '',
        trunkUri: '',
      },
      {
        username: '0612345671',
        password: 'pw-3',
        authUsername: '',
        number: '',
        registrar: '',
        domain: '',
        contactHost: '',
        trunkUri: '',
      },
    ]);
  });

  it("set one key of the config file's account: user names in the file, passwords in the environment", () => {
    const file = overlayFile(
      'trunk:\n  accounts:\n    - { username: "0612345670", number: "0612345670", domain: "other.example", expires: 120 }\n',
    );
    const config = loadConfig({ env: { ...FIRST, CROCETTA_CONFIG: file, TRUNK_2_PASSWORD: 'pw-2' } });
    expect(config.trunk.accounts).toEqual([
      {
        username: '0612345670',
        password: 'pw-2',
        authUsername: '',
        number: '0612345670',
        registrar: '',
        domain: 'other.example',
        expires: 120,
        contactHost: '',
        trunkUri: '',
      },
    ]);
  });

  it('say clearly what is missing or wrong: no password, a user name twice, a number twice, a gap, no registrar', () => {
    expect(() => loadConfig({ env: { ...FIRST, TRUNK_2_USERNAME: 'ufficio2' } })).toThrow(
      /trunk\.accounts\.0\.password \(TRUNK_2_PASSWORD\): required: the password the carrier gave for this account/,
    );
    expect(() => loadConfig({ env: { ...FIRST, TRUNK_2_PASSWORD: 'pw-2' } })).toThrow(
      /trunk\.accounts\.0\.username \(TRUNK_2_USERNAME\): required/,
    );
    expect(() => loadConfig({ env: { ...FIRST, TRUNK_2_USERNAME: '0612345678', TRUNK_2_PASSWORD: 'pw-2' } })).toThrow(
      /trunk\.accounts\.0\.username \(from TRUNK_2_USERNAME\): user name 0612345678 is already trunk\.username's/,
    );
    expect(() =>
      loadConfig({
        env: {
          ...FIRST,
          TRUNK_2_USERNAME: 'a',
          TRUNK_2_PASSWORD: 'p',
          TRUNK_2_NUMBER: '0612345670',
          TRUNK_3_USERNAME: 'a',
          TRUNK_3_PASSWORD: 'p',
          TRUNK_3_NUMBER: '0612345670',
        },
      }),
    ).toThrow(
      /trunk\.accounts\.1\.username \(from TRUNK_3_USERNAME\): user name a is already trunk\.accounts\.0\.username's[\s\S]*trunk\.accounts\.1\.number \(from TRUNK_3_NUMBER\): number 0612345670 is already trunk\.accounts\.0\.number's/,
    );
    // The same number at a second carrier (a backup route for a DID): refused, saying why and what to do instead.
    expect(() =>
      loadConfig({
        env: {
          ...FIRST,
          TRUNK_NUMBER: '0612345670',
          TRUNK_2_REGISTRAR: 'sip:backup-carrier.example',
          TRUNK_2_USERNAME: 'b',
          TRUNK_2_PASSWORD: 'p',
          TRUNK_2_NUMBER: '0612345670',
        },
      }),
    ).toThrow(
      /trunk\.accounts\.0\.number \(from TRUNK_2_NUMBER\): number 0612345670 is already trunk\.number's: the PBX's calls from a number go out on one line, so a number is one account's\. If this line gets calls to the same number through another carrier \(a backup route\), leave its number empty \(trunk\.accounts\.0\.number, TRUNK_2_NUMBER\)/,
    );
    expect(() => loadConfig({ env: { ...FIRST, TRUNK_3_USERNAME: 'b', TRUNK_3_PASSWORD: 'p' } })).toThrow(
      /trunk\.accounts\.0 \(TRUNK_2_USERNAME, TRUNK_2_PASSWORD\) is missing while a later account is set/,
    );
    expect(() =>
      loadConfig({ env: { ...FIRST, TRUNK_2_USERNAME: 'b', TRUNK_2_PASSWORD: 'p', TRUNK_2_NUMBER: '02-123' } }),
    ).toThrow(/trunk\.accounts\.0\.number \(from TRUNK_2_NUMBER\): expected the phone number of this account/);
    expect(() => loadConfig({ env: { TRUNK_2_USERNAME: 'b', TRUNK_2_PASSWORD: 'p' } })).toThrow(
      /trunk\.accounts: trunk\.accounts needs trunk\.registrar \(TRUNK_REGISTRAR\)/,
    );
    expect(() =>
      loadConfig({
        env: {
          ...FIRST,
          CROCETTA_CONFIG: overlayFile('trunk:\n  accounts:\n    - { username: x, password: y, secret: z }\n'),
        },
      }),
    ).toThrow(/unknown setting trunk\.accounts\.0\.secret/);
  });
});

describe('an account at another carrier (trunk.accounts[i].registrar, TRUNK_2_REGISTRAR …)', () => {
  const FIRST = {
    TRUNK_REGISTRAR: 'sip:sip.carrier-a.example',
    TRUNK_USERNAME: '0612345678',
    TRUNK_PASSWORD: 's3cret',
    TRUNK_DOMAIN: 'voip.carrier-a.example',
    TRUNK_INBOUND_FROM: '203.0.113.0/24',
  };
  const SECOND = { TRUNK_2_USERNAME: 'fax', TRUNK_2_PASSWORD: 'pw-2', TRUNK_2_NUMBER: '0612345679' };

  it('is read from TRUNK_2_REGISTRAR, _DOMAIN, _CONTACT_HOST, _INBOUND_FROM and _EXPIRES, and registers there', () => {
    const config = loadConfig({
      env: {
        ...FIRST,
        ...SECOND,
        TRUNK_2_REGISTRAR: 'sip:198.51.100.5:5070;transport=tcp',
        TRUNK_2_CONTACT_HOST: '192.0.2.7:5062',
        TRUNK_2_INBOUND_FROM: '198.51.100.0/28, 198.51.100.77',
        TRUNK_2_EXPIRES: '300',
        TRUNK_3_USERNAME: 'ufficio3',
        TRUNK_3_PASSWORD: 'pw-3',
      },
    });
    expect(config.trunk.accounts[0]).toMatchObject({
      registrar: 'sip:198.51.100.5:5070;transport=tcp',
      contactHost: '192.0.2.7:5062',
      inboundFrom: ['198.51.100.0/28', '198.51.100.77'],
      expires: 300,
    });
    const [first, second, third] = trunkAccounts(config.trunk);
    // Its own registrar, transport, domain (its registrar's host, not trunk.domain: that is the first carrier's),
    // Contact host and carrier addresses.
    expect(second).toMatchObject({
      index: 1,
      sameCarrier: false,
      registrar: { uri: 'sip:198.51.100.5:5070;transport=tcp', host: '198.51.100.5', port: 5070, transport: 'tcp' },
      domain: '198.51.100.5',
      aor: 'sip:fax@198.51.100.5',
      contactHost: '192.0.2.7:5062',
      inboundFrom: ['198.51.100.0/28', '198.51.100.77'],
      expires: 300,
      credentialsHint: expect.stringContaining('TRUNK_2_PASSWORD') as unknown,
    });
    // The others are as before: the first carrier's registrar, domain and addresses.
    for (const a of [first, third]) {
      expect(a).toMatchObject({
        sameCarrier: true,
        registrar: { uri: 'sip:sip.carrier-a.example' },
        domain: 'voip.carrier-a.example',
        inboundFrom: ['203.0.113.0/24'],
        expires: 600,
      });
    }
  });

  it('takes its own outbound proxy from TRUNK_2_URI (trunk.accounts[i].trunkUri), refusing what is not a SIP URI', () => {
    const config = loadConfig({
      env: {
        ...FIRST,
        ...SECOND,
        TRUNK_2_REGISTRAR: 'sip:reg.carrier-b.example',
        TRUNK_2_INBOUND_FROM: '198.51.100.0/28',
        TRUNK_2_URI: 'sip:sbc.carrier-b.example:5070;transport=tcp',
      },
    });
    expect(config.trunk.accounts[0]?.trunkUri).toBe('sip:sbc.carrier-b.example:5070;transport=tcp');
    expect(trunkAccounts(config.trunk).map((a) => a.trunkUri)).toEqual([
      '',
      'sip:sbc.carrier-b.example:5070;transport=tcp',
    ]);
    expect(() =>
      loadConfig({
        env: {
          ...FIRST,
          ...SECOND,
          TRUNK_2_REGISTRAR: 'sip:reg.carrier-b.example',
          TRUNK_2_INBOUND_FROM: '198.51.100.0/28',
          TRUNK_2_URI: 'sbc.carrier-b.example',
        },
      }),
    ).toThrow(
      /trunk\.accounts\.0\.trunkUri \(from TRUNK_2_URI\): expected a SIP URI such as sip:proxy\.carrier\.example/,
    );
  });

  it('takes its own domain when given, and from anyone when neither carrier lists its addresses', () => {
    const config = loadConfig({
      env: {
        ...FIRST,
        TRUNK_INBOUND_FROM: '',
        ...SECOND,
        TRUNK_2_REGISTRAR: 'sips:sip.carrier-b.example',
        TRUNK_2_DOMAIN: 'carrier-b.example',
      },
    });
    expect(trunkAccounts(config.trunk)[1]).toMatchObject({
      aor: 'sips:fax@carrier-b.example',
      registrar: { transport: 'tls' },
      inboundFrom: [],
    });
  });

  it('say clearly what is wrong: a bad URI, no addresses where the first carrier has some, the same carrier written otherwise', () => {
    expect(() => loadConfig({ env: { ...FIRST, ...SECOND, TRUNK_2_REGISTRAR: 'carrier-b.example' } })).toThrow(
      /trunk\.accounts\.0\.registrar \(from TRUNK_2_REGISTRAR\): expected the registrar as a SIP URI without a user part/,
    );
    expect(() => loadConfig({ env: { ...FIRST, ...SECOND, TRUNK_2_REGISTRAR: 'sip:198.51.100.5' } })).toThrow(
      /trunk\.accounts\.0\.inboundFrom \(TRUNK_2_INBOUND_FROM\): required: this account registers at another carrier \(sip:198\.51\.100\.5\) while trunk\.inboundFrom \(TRUNK_INBOUND_FROM\) lists the first carrier's addresses only, so every call of this one would get 403/,
    );
    expect(() =>
      loadConfig({
        env: { ...FIRST, ...SECOND, TRUNK_2_REGISTRAR: 'sip:198.51.100.5', TRUNK_2_INBOUND_FROM: '198.51.100.0/33' },
      }),
    ).toThrow(/trunk\.accounts\.0\.inboundFrom\.0 \(from TRUNK_2_INBOUND_FROM\): expected an IP address or a CIDR/);
    expect(() =>
      loadConfig({
        env: {
          ...FIRST,
          ...SECOND,
          TRUNK_2_REGISTRAR: 'sip:SIP.carrier-a.example:5060;transport=tcp',
          TRUNK_2_INBOUND_FROM: '0.0.0.0/0',
        },
      }),
    ).toThrow(
      /trunk\.accounts\.0\.registrar \(from TRUNK_2_REGISTRAR\): sip:SIP\.carrier-a\.example:5060;transport=tcp is trunk\.registrar \(sip:sip\.carrier-a\.example\) written otherwise: leave it empty for an account at the same carrier/,
    );
    expect(() =>
      loadConfig({
        env: {
          ...FIRST,
          ...SECOND,
          TRUNK_2_REGISTRAR: 'sip:198.51.100.5',
          TRUNK_2_INBOUND_FROM: '198.51.100.5',
          TRUNK_2_CONTACT_HOST: '192.0.2.7:70000',
        },
      }),
    ).toThrow(
      /trunk\.accounts\.0\.contactHost \(from TRUNK_2_CONTACT_HOST\): expected an address or host name .*; here port 70000 is out of range \(1 to 65535\)/,
    );
    // The first account is trunk: itself: an account at another carrier alone is not enough.
    expect(() => loadConfig({ env: { ...SECOND, TRUNK_2_REGISTRAR: 'sip:198.51.100.5' } })).toThrow(
      /trunk\.accounts: trunk\.accounts needs trunk\.registrar \(TRUNK_REGISTRAR\) and the first account/,
    );
  });
});

describe('the same user name at two carriers', () => {
  const A = {
    TRUNK_REGISTRAR: 'sip:sip.carrier-a.example',
    TRUNK_USERNAME: 'ufficio',
    TRUNK_PASSWORD: 'pw-a',
  };
  const B = { TRUNK_2_REGISTRAR: 'sip:voip.carrier-b.example', TRUNK_2_USERNAME: 'ufficio', TRUNK_2_PASSWORD: 'pw-b' };

  it("is taken: the second carrier's account registers the Contact user <user name>-<line>, its AOR and digest user unchanged", () => {
    const accounts = trunkAccounts(
      loadConfig({ env: { ...A, ...B, TRUNK_3_USERNAME: 'fax', TRUNK_3_PASSWORD: 'p' } }).trunk,
    );
    expect(accounts.map((a) => [a.username, a.contactUser, a.aor, a.credentials.username])).toEqual([
      ['ufficio', 'ufficio', 'sip:ufficio@sip.carrier-a.example', 'ufficio'],
      ['ufficio', 'ufficio-2', 'sip:ufficio@voip.carrier-b.example', 'ufficio'],
      ['fax', 'fax', 'sip:fax@sip.carrier-a.example', 'fax'],
    ]);
  });

  it("is refused at one carrier (one account listed twice), and where a Contact user would be another account's user name", () => {
    expect(() => loadConfig({ env: { ...A, TRUNK_2_USERNAME: 'ufficio', TRUNK_2_PASSWORD: 'pw-b' } })).toThrow(
      /trunk\.accounts\.0\.username \(from TRUNK_2_USERNAME\): user name ufficio is already trunk\.username's at the same carrier \(sip:sip\.carrier-a\.example\): that is one account, listed twice\. Remove this entry; or, if this line is at another carrier, give it that carrier's registrar \(trunk\.accounts\.0\.registrar, TRUNK_2_REGISTRAR\)/,
    );
    expect(() =>
      loadConfig({
        env: { ...A, ...B, TRUNK_3_USERNAME: 'ufficio', TRUNK_3_PASSWORD: 'p', TRUNK_3_REGISTRAR: B.TRUNK_2_REGISTRAR },
      }),
    ).toThrow(
      /trunk\.accounts\.1\.username \(from TRUNK_3_USERNAME\): user name ufficio is already trunk\.accounts\.0\.username's at the same carrier/,
    );
    expect(() => loadConfig({ env: { ...A, ...B, TRUNK_3_USERNAME: 'ufficio-2', TRUNK_3_PASSWORD: 'p' } })).toThrow(
      /trunk\.accounts\.1\.username \(from TRUNK_3_USERNAME\): user name ufficio-2 is the Contact user of trunk\.accounts\.0\.username .*List this account before trunk\.accounts\.0\.username/,
    );
    // Listed the other way round, it is fine: ufficio-2 keeps its name, the second ufficio registers ufficio-3.
    const accounts = trunkAccounts(
      loadConfig({
        env: {
          ...A,
          TRUNK_2_USERNAME: 'ufficio-2',
          TRUNK_2_PASSWORD: 'p',
          TRUNK_3_REGISTRAR: B.TRUNK_2_REGISTRAR,
          TRUNK_3_USERNAME: 'ufficio',
          TRUNK_3_PASSWORD: 'pw-b',
        },
      }).trunk,
    );
    expect(accounts.map((a) => a.contactUser)).toEqual(['ufficio', 'ufficio-2', 'ufficio-3']);
  });
});

describe("docs/trunks.md's two-carrier example (Registration trunk in front, 6.)", () => {
  const page = readFileSync(new URL('../../docs/trunks.md', import.meta.url), 'utf8');
  const section = page.slice(page.indexOf('**Lines at two carriers**'));
  /** The first ```lang block of the section, without the list item's indentation. */
  const block = (lang: string): string => {
    const m = new RegExp(`^( *)\`\`\`${lang}\\n([\\s\\S]*?)^\\1\`\`\``, 'm').exec(section);
    if (!m?.[2]) throw new Error(`no ${lang} block in docs/trunks.md's two-carrier section`);
    const indent = m[1] ?? '';
    return m[2]
      .split('\n')
      .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
      .join('\n');
  };
  const expectTwoCarriers = (config: ReturnType<typeof loadConfig>): void => {
    const [main, fax] = trunkAccounts(config.trunk);
    expect(main).toMatchObject({ sameCarrier: true, registrar: { uri: 'sip:sip.carrier-a.example' } });
    expect(fax).toMatchObject({
      sameCarrier: false,
      registrar: { uri: 'sip:voip.carrier-b.example' },
      domain: 'voip.carrier-b.example',
      number: '0212345690',
      inboundFrom: ['198.51.100.0/28'],
    });
  };

  it('loads as written: the variables', () => {
    const env = Object.fromEntries(
      block('sh')
        .split('\n')
        .filter((l) => !l.trim().startsWith('#'))
        .flatMap((l) => l.trim().split(/\s+/))
        .filter((t) => t.includes('='))
        .map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]),
    );
    expect(Object.keys(env)).toContain('TRUNK_2_REGISTRAR');
    expectTwoCarriers(loadConfig({ env }));
  });

  it('loads as written: the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crocetta-readme-'));
    writeFileSync(join(dir, 'two-carriers.yaml'), block('yaml'));
    expectTwoCarriers(loadConfig({ env: { CROCETTA_CONFIG: join(dir, 'two-carriers.yaml') } }));
  });
});
