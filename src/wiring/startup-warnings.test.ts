import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/loader.js';
import type { Config } from '../config/schema.js';
import { startupWarnings } from './startup-warnings.js';

/** The default config with the API token set (else its warning is in every list), changed by `edit`. */
function config(env: Record<string, string> = {}, edit: (c: Config) => void = () => undefined): Config {
  const c = loadConfig({ env: { CROCETTA_API_TOKEN: 'secret-token-1234567890', ...env } });
  edit(c);
  return c;
}

describe('startup warnings: what the configuration alone says the operator should know', () => {
  it('none for the defaults with an API token', () => {
    expect(startupWarnings(config())).toEqual([]);
  });

  it('an unset API token: the JSON API answers 503', () => {
    expect(startupWarnings(config({ CROCETTA_API_TOKEN: '' }))).toEqual([
      'CROCETTA_API_TOKEN is not set: the JSON API answers 503 until it is',
    ]);
  });

  it('the ignored store.batchWindowMs', () => {
    expect(startupWarnings(config({}, (c) => (c.store.batchWindowMs = 10)))).toEqual([
      expect.stringContaining('store.batchWindowMs is ignored'),
    ]);
  });

  it('608 configured (for any verdict or category) without a contact for its jCard; none once a contact is set', () => {
    expect(startupWarnings(config({ ACTION_NUISANCE: 'reject:608' }))).toEqual([
      expect.stringContaining('reject608 has no contact'),
    ]);
    expect(startupWarnings(config({}, (c) => (c.actions.byCategory = { energy: 'reject:608' })))).toHaveLength(1);
    expect(
      startupWarnings(config({ ACTION_NUISANCE: 'reject:608' }, (c) => (c.reject608.email = 'office@example.com'))),
    ).toEqual([]);
  });

  it('outbound calls on while the PBX is known only by name (no address to recognise its calls by)', () => {
    const named = config(
      { PBX_URI: 'sip:pbx.example.com:5080' },
      (c) => (c.pbx.outbound.trunkUri = 'sip:carrier.example.com'),
    );
    expect(startupWarnings(named)).toEqual([expect.stringContaining('set pbx.outbound.fromAddresses')]);
    const byAddress = config(
      { PBX_URI: 'sip:192.0.2.10:5080' },
      (c) => (c.pbx.outbound.trunkUri = 'sip:carrier.example.com'),
    );
    expect(startupWarnings(byAddress)).toEqual([]);
  });

  it('more announcements at once than the RTP range has even ports: the ones beyond get the plain refusal', () => {
    // 31450-31699: 125 even ports (a bench once gave crocetta this range for 200 announcements: 1 call in 3 got 607).
    expect(startupWarnings(config({ RTP_PORTS: '31450-31699' }))).toEqual([
      expect.stringContaining('media.rtpPorts 31450-31699 has 125 even ports'),
    ]);
    expect(startupWarnings(config({ RTP_PORTS: '31451-31850' }))).toEqual([]);
    expect(startupWarnings(config({ RTP_PORTS: '31451-31849' }))).toHaveLength(1);
  });
});
