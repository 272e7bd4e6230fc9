import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { actionPolicy, screeningRules } from './derive.js';
import { ConfigError, loadConfig } from './loader.js';
import { chooseAction } from '../screening/policy.js';
import type { Decision } from '../screening/types.js';
import { caller } from '../screening/test-fixtures.js';

function tempYaml(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'crocetta-config-'));
  const file = join(dir, 'mine.yaml');
  writeFileSync(file, text);
  return file;
}

describe('loadConfig', () => {
  it('loads the shipped defaults, which are valid as they are', () => {
    const config = loadConfig({ env: {} });
    expect(config.defaultCountry).toBe('IT');
    expect(config.actions.nuisance).toBe('reject');
    expect(config.pbx.recordRoute).toBe(true);
    expect(config.screening.repeat).toEqual({ enabled: true, attempts: 3, withinDays: 7 });
  });

  it("asks for nice -10 for the RTP pacer's thread by default; null leaves it, a value out of -20..19 is refused", () => {
    expect(loadConfig({ env: {} }).media.rtpThreadNice).toBe(-10);
    const config = (yaml: string) => loadConfig({ env: { CROCETTA_CONFIG: tempYaml(yaml) } });
    expect(config('media:\n  rtpThreadNice: null\n').media.rtpThreadNice).toBeNull();
    expect(config('media:\n  rtpThreadNice: 5\n').media.rtpThreadNice).toBe(5);
    expect(() => config('media:\n  rtpThreadNice: -30\n')).toThrow(/media\.rtpThreadNice/);
  });

  it("asks for SCHED_FIFO 1 for the RTP pacer's thread by default; null is off, a value out of 1..99 is refused", () => {
    expect(loadConfig({ env: {} }).media.rtpThreadRealtime).toBe(1);
    const config = (yaml: string) => loadConfig({ env: { CROCETTA_CONFIG: tempYaml(yaml) } });
    expect(config('media:\n  rtpThreadRealtime: null\n').media.rtpThreadRealtime).toBeNull();
    expect(config('media:\n  rtpThreadRealtime: 10\n').media.rtpThreadRealtime).toBe(10);
    expect(() => config('media:\n  rtpThreadRealtime: 0\n')).toThrow(/media\.rtpThreadRealtime/);
  });

  it('takes trap DIDs from TRAP_DIDS, national or E.164, and refuses one that is no phone number', () => {
    expect(loadConfig({ env: {} }).screening.trapDids).toEqual([]);
    expect(loadConfig({ env: { TRAP_DIDS: '+390212345698, +390212345699' } }).screening.trapDids).toEqual([
      '+390212345698',
      '+390212345699',
    ]);
    // The national form, as every other number setting takes it (user37, session 37: refused as "not E.164"); the
    // classifier gets E.164.
    const national = loadConfig({ env: { TRAP_DIDS: '0212345699, 02 1234 5698,06-1234-5697' } });
    expect(screeningRules(national).trapDids).toEqual(['+390212345699', '+390212345698', '+390612345697']);
    expect(() => loadConfig({ env: { TRAP_DIDS: 'centralino' } })).toThrow(
      /screening\.trapDids\.0 \(from TRAP_DIDS\): expected a phone number such as 02 1234 5699/,
    );
    expect(() => loadConfig({ env: { TRAP_DIDS: '0212' } })).toThrow(
      /screening\.trapDids\.0 \(from TRAP_DIDS\): expected a phone number such as 02 1234 5699 or \+390212345699 \(read for defaultCountry IT\)/,
    );
    expect(loadConfig({ env: {} }).screening.learning.prefixes).toMatchObject({
      enabled: false,
      nuisanceHalfLifeDays: 30,
    });
  });

  it('leaves the refusal mark off by default; sip.markRefusals or MARK_REFUSALS turns it on', () => {
    expect(loadConfig({ env: {} }).sip).toEqual({ markRefusals: false });
    const file = tempYaml('sip:\n  markRefusals: true\n');
    expect(loadConfig({ env: { CROCETTA_CONFIG: file } }).sip.markRefusals).toBe(true);
    for (const word of ['true', 'TRUE', 'on', 'yes', '1', ' true ']) {
      expect(loadConfig({ env: { MARK_REFUSALS: word } }).sip.markRefusals, word).toBe(true);
    }
    // The variable wins over the file, off as well as on.
    for (const word of ['false', 'off', 'no', '0']) {
      expect(loadConfig({ env: { CROCETTA_CONFIG: file, MARK_REFUSALS: word } }).sip.markRefusals, word).toBe(false);
    }
    expect(() => loadConfig({ env: { MARK_REFUSALS: 'kamailio' } })).toThrow(
      'MARK_REFUSALS (sip.markRefusals): expected true or false, got "kamailio"',
    );
    expect(() => loadConfig({ env: { CROCETTA_CONFIG: tempYaml('sip:\n  markRefusals: "yes"\n') } })).toThrow(
      /sip\.markRefusals: /,
    );
  });

  it("accepts check and check:<seconds> wherever an action is, and the check section's defaults", () => {
    const config = loadConfig({
      env: { ACTION_SUSPECT: 'check', ACTION_WITHHELD: 'check:5', ACTION_NUISANCE: 'check:60' },
    });
    expect([config.actions.suspect, config.actions.withheld, config.actions.nuisance]).toEqual([
      'check',
      'check:5',
      'check:60',
    ]);
    expect(config.check).toEqual({ digit: '1', waitSeconds: 8, rememberDays: 30, language: 'both', file: '' });
    expect(() => loadConfig({ env: { ACTION_SUSPECT: 'check:61' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { ACTION_SUSPECT: 'check:0' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { CROCETTA_CONFIG: tempYaml('check:\n  digit: "12"\n') } })).toThrow(/check\.digit/);
  });

  it("docs/configuration.md's three lines with the check load as written", () => {
    const page = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    const section = page.slice(page.indexOf('The three lines of issue 15 with the check'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const config = loadConfig({ env: { CROCETTA_CONFIG: tempYaml(yaml) } });
    expect(config.policies.map((p) => [p.name, p.action])).toEqual([
      ['support line', 'tag'],
      ['sales line', 'check'],
      ['after hours', 'check:12'],
    ]);
    expect(actionPolicy(config).suspect).toEqual({ kind: 'tag' });
  });

  it('overlays CROCETTA_CONFIG key by key, leaving the other defaults', () => {
    const file = tempYaml('pbx:\n  uri: sip:10.1.1.1:5060\nscreening:\n  repeat:\n    attempts: 2\n');
    const config = loadConfig({ env: { CROCETTA_CONFIG: file } });
    expect(config.pbx.uri).toBe('sip:10.1.1.1:5060');
    expect(config.pbx.forwardMode).toBe('proxy');
    expect(config.screening.repeat).toEqual({ enabled: true, attempts: 2, withinDays: 7 });
  });

  it('still loads a file that sets store.batchWindowMs (deprecated, ignored), and defaults to durable answers', () => {
    const config = loadConfig({ env: { CROCETTA_CONFIG: tempYaml('store:\n  batchWindowMs: 10\n') } });
    expect(config.store).toMatchObject({ batchWindowMs: 10, durableBeforeAnswer: true, spoolMaxWrites: 20_000 });
    expect(loadConfig({ env: {} }).store.batchWindowMs).toBeUndefined();
  });

  it('lets the environment win over both files', () => {
    const file = tempYaml('pbx:\n  uri: sip:10.1.1.1:5060\n');
    const config = loadConfig({
      env: {
        CROCETTA_CONFIG: file,
        PBX_URI: 'sip:127.0.0.1:5080',
        DRACHTIO_PORT: '9023',
        CROCETTA_DB: '/tmp/x.sqlite',
        ACTION_NUISANCE: 'reject:608',
        ACTION_WITHHELD: 'reject:433',
        DEFAULT_COUNTRY: 'fr',
      },
    });
    expect(config.pbx.uri).toBe('sip:127.0.0.1:5080');
    expect(config.drachtio.port).toBe(9023);
    expect(config.store.file).toBe('/tmp/x.sqlite');
    expect(config.actions.nuisance).toBe('reject:608');
    expect(config.actions.withheld).toBe('reject:433');
    expect(config.defaultCountry).toBe('FR');
  });

  it('sends calls to the PBX registered to crocetta when PBX_REGISTER_USERNAME is set and PBX_URI is not', () => {
    expect(loadConfig({ env: {} }).pbx.uri).toBe('sip:127.0.0.1:5080');
    const registered = loadConfig({
      env: { PBX_REGISTER_USERNAME: 'fritzbox', PBX_REGISTER_PASSWORD: 'a long secret' },
    });
    expect(registered.pbx.uri).toBe('');
    expect(registered.pbx.register).toMatchObject({
      username: 'fritzbox',
      password: 'a long secret',
      realm: 'crocetta',
    });
    const both = loadConfig({
      env: { PBX_REGISTER_USERNAME: 'fritzbox', PBX_REGISTER_PASSWORD: 'a long secret', PBX_URI: 'sip:10.0.0.5' },
    });
    expect(both.pbx.uri).toBe('sip:10.0.0.5');
    expect(() => loadConfig({ env: { PBX_REGISTER_USERNAME: 'fritzbox', PBX_REGISTER_PASSWORD: 'short' } })).toThrow(
      /pbx\.register\.password.*at least 8 characters/,
    );
    expect(() => loadConfig({ env: { PBX_REGISTER_PASSWORD: 'a long secret' } })).toThrow(/pbx\.register\.username/);
    expect(() =>
      loadConfig({ env: { PBX_REGISTER_USERNAME: 'fritz box', PBX_REGISTER_PASSWORD: 'a long secret' } }),
    ).toThrow(/pbx\.register\.username \(from PBX_REGISTER_USERNAME\)/);
  });

  it('fails fast naming the key and the variable for a bad environment value', () => {
    expect(() => loadConfig({ env: { ACTION_NUISANCE: 'rejet' } })).toThrow(
      /actions\.nuisance \(from ACTION_NUISANCE\)/,
    );
    expect(() => loadConfig({ env: { DRACHTIO_PORT: '90x' } })).toThrow(
      /DRACHTIO_PORT \(drachtio\.port\): expected a whole number/,
    );
    expect(() => loadConfig({ env: { ACTION_SUSPECT: 'reject:999' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { PBX_URI: 'http://pbx' } })).toThrow(/pbx\.uri.*SIP URI/);
  });

  it('says a port range given the higher port first is in the wrong order, not out of bounds', () => {
    const error = (env: Record<string, string>): string => {
      try {
        loadConfig({ env });
      } catch (err) {
        return (err as Error).message;
      }
      return '(loaded)';
    };
    expect(error({ RTP_PORTS: '21299-21200' })).toMatch(
      /media\.rtpPorts \(from RTP_PORTS\): expected the lower port first, then the higher/,
    );
    expect(error({ RTP_PORTS: '21299-21200' })).not.toMatch(/within 1024-65535/);
    expect(error({ RTP_PORTS: '80-21200' })).toMatch(/expected low-high within 1024-65535/);
    expect(error({ RTP_PORTS: '21200-21299' })).toBe('(loaded)');
  });

  it('says a one-port range is too few ports, not in the wrong order', () => {
    const error = (env: Record<string, string>): string => {
      try {
        loadConfig({ env });
      } catch (err) {
        return (err as Error).message;
      }
      return '(loaded)';
    };
    for (const range of ['21000-21000', '21001-21001']) {
      const message = error({ RTP_PORTS: range });
      expect(message).toMatch(/media\.rtpPorts \(from RTP_PORTS\): a range needs two ports at least/);
      expect(message).not.toMatch(/lower port first/);
    }
    expect(error({ RTP_PORTS: '21000-21001' })).toBe('(loaded)');
    expect(error({ RTP_PORTS: '21001-21002' })).toBe('(loaded)');
  });

  it('refuses a PBX or outbound trunk URI whose host or port does not read, saying what is wrong', () => {
    // A typo in the port started crocetta with a PBX address no call can reach.
    expect(() => loadConfig({ env: { PBX_URI: 'sip:192.168.1.10:5060x' } })).toThrow(
      'pbx.uri (from PBX_URI): expected a SIP URI with a host name or an address and an optional port from 1 to 65535, such as sip:192.168.1.10:5060; here the port "5060x" is not a number',
    );
    expect(() => loadConfig({ env: { PBX_URI: 'sip:pbx.ufficio.lan:65536' } })).toThrow(
      /pbx\.uri \(from PBX_URI\): .*here port 65536 is out of range \(1 to 65535\)/,
    );
    expect(() => loadConfig({ env: { PBX_URI: 'sip:2001:db8::1' } })).toThrow(/pbx\.uri .*more than one colon/);
    expect(() => loadConfig({ env: { TRUNK_URI: 'sip:proxy.carrier.example:' } })).toThrow(
      /pbx\.outbound\.trunkUri \(from TRUNK_URI\): .*here the port "" is not a number/,
    );
    // What reads still does: a user part, parameters, IPv6 in brackets, a name without a port.
    for (const uri of [
      'sip:192.168.1.10:5060',
      'sip:pbx@192.168.1.10:5060;transport=tcp',
      'sips:[2001:db8::1]:5061',
      'sip:pbx.ufficio.lan',
      'SIP:10.0.0.5;lr',
    ]) {
      expect(loadConfig({ env: { PBX_URI: uri } }).pbx.uri, uri).toBe(uri);
    }
  });

  it('names unknown keys (typos) and bad values from the overlay file', () => {
    expect(() => loadConfig({ env: { CROCETTA_CONFIG: tempYaml('pbx:\n  urii: sip:x\n') } })).toThrow(
      /unknown setting pbx\.urii/,
    );
    expect(() =>
      loadConfig({ env: { CROCETTA_CONFIG: tempYaml('screening:\n  thresholds:\n    suspect: 2\n') } }),
    ).toThrow(/screening\.thresholds\.suspect/);
    expect(() => loadConfig({ env: { CROCETTA_CONFIG: tempYaml('timeZone: Mars/Olympus\n') } })).toThrow(/timeZone/);
  });

  it('reports an unreadable or broken overlay file clearly', () => {
    expect(() => loadConfig({ env: { CROCETTA_CONFIG: '/nonexistent/crocetta.yaml' } })).toThrow(
      /cannot read config file/,
    );
    expect(() => loadConfig({ env: { CROCETTA_CONFIG: tempYaml('pbx: [unclosed\n') } })).toThrow(/not valid YAML/);
    expect(() => loadConfig({ env: { CROCETTA_CONFIG: tempYaml('- a list\n') } })).toThrow(/mapping/);
  });

  it("reads a category map's known names in either language as the key the register keeps; two for one are refused", () => {
    // Migration 11 stores a mark typed `energia` as `energy`: a config keyed `energia` must still reach it.
    const config = loadConfig({
      env: {
        CROCETTA_CONFIG: tempYaml(
          [
            'actions:',
            '  byCategory:',
            '    energia: reject:486',
            '    Telefonia: announce-early',
            '    Fotovoltaico: reject:603',
            'announcements:',
            '  files:',
            '    byCategory:',
            '      Energia: /etc/crocetta/energia.wav',
            'dossier:',
            '  it:',
            '    surveyCategories: [sondaggi, Altro]',
            '',
          ].join('\n'),
        ),
      },
    });
    expect(config.actions.byCategory).toEqual({
      energy: 'reject:486',
      telecom: 'announce-early',
      fotovoltaico: 'reject:603', // the office's own category: lower-cased, as before
    });
    expect(config.announcements.files.byCategory).toEqual({ energy: '/etc/crocetta/energia.wav' });
    expect(config.dossier.it.surveyCategories).toEqual(['sondaggi', 'other']);
    const stored = (category: string): Decision => ({
      verdict: 'nuisance',
      score: 1,
      reasons: [{ code: 'marked-nuisance', text: 'marked', weight: 1, params: { category } }],
    });
    const policy = actionPolicy(config);
    const identity = caller('+390298765432');
    expect(chooseAction(stored('energy'), identity, policy)).toEqual({ kind: 'reject', status: 486 });
    expect(chooseAction(stored('telecom'), identity, policy)).toEqual({ kind: 'announce-early' });
    expect(chooseAction(stored('Fotovoltaico'), identity, policy)).toEqual({ kind: 'reject', status: 603 });

    const twice = (yaml: string) => () => loadConfig({ env: { CROCETTA_CONFIG: tempYaml(yaml) } });
    expect(twice('actions:\n  byCategory:\n    energy: reject\n    energia: reject:486\n')).toThrow(
      'actions.byCategory.energia: "energy" and "energia" name the same category (energy): keep one',
    );
    expect(
      twice('announcements:\n  files:\n    byCategory:\n      Luce e gas: /a.wav\n      energy: /b.wav\n'),
    ).toThrow(
      'announcements.files.byCategory.energy: "Luce e gas" and "energy" name the same category (energy): keep one',
    );
    expect(twice('actions:\n  byCategory:\n    Fotovoltaico: reject\n    fotovoltaico: hangup\n')).toThrow(
      /"Fotovoltaico" and "fotovoltaico" name the same category \(fotovoltaico\)/,
    );
  });

  it('refuses a look-back shorter than the repeat window', () => {
    const file = tempYaml('store:\n  lookbackDays: 3\n');
    expect(() => loadConfig({ env: { CROCETTA_CONFIG: file } })).toThrow(/lookbackDays/);
  });
});
