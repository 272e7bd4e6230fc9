import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/loader.js';
import { createMetrics } from '../metrics.js';
import { trunkAccounts } from '../trunk/settings.js';
import { createTrunkInbound, lineOf } from './trunk-inbound.js';

const FIRST = {
  TRUNK_REGISTRAR: 'sip:sip.carrier-a.example',
  TRUNK_USERNAME: '0612345678',
  TRUNK_PASSWORD: 's3cret',
  TRUNK_INBOUND_FROM: '203.0.113.0/24',
};

/** Which addresses each account's contact takes calls from, and the setting named when it refuses one. */
function carrierOf(env: Record<string, string>) {
  const inbound = createTrunkInbound(trunkAccounts(loadConfig({ env }).trunk), createMetrics());
  return (user: string, address: string) => {
    const carrier = inbound.from.get(user);
    return carrier === undefined ? null : { allowed: carrier.list.check(address, 'ipv4'), setting: carrier.setting };
  };
}

describe("each account's carrier addresses (TRUNK_INBOUND_FROM, an account's inboundFrom)", () => {
  it('gives an account at the same carrier the first list unless it lists its own', () => {
    const of = carrierOf({
      ...FIRST,
      ...{ TRUNK_2_USERNAME: 'ufficio2', TRUNK_2_PASSWORD: 'pw-2' },
      ...{ TRUNK_3_USERNAME: 'ufficio3', TRUNK_3_PASSWORD: 'pw-3', TRUNK_3_INBOUND_FROM: '198.51.100.7' },
    });
    expect(of('0612345678', '203.0.113.9')).toEqual({ allowed: true, setting: 'TRUNK_INBOUND_FROM' });
    expect(of('ufficio2', '203.0.113.9')).toEqual({ allowed: true, setting: 'TRUNK_INBOUND_FROM' });
    // Its own list, at the same carrier: its own addresses only, named as its own setting.
    expect(of('ufficio3', '198.51.100.7')).toEqual({ allowed: true, setting: 'trunk.accounts.1.inboundFrom' });
    expect(of('ufficio3', '203.0.113.9')).toEqual({ allowed: false, setting: 'trunk.accounts.1.inboundFrom' });
  });

  it("gives an account at another carrier that carrier's list, and none without TRUNK_INBOUND_FROM's", () => {
    const of = carrierOf({
      ...FIRST,
      ...{ TRUNK_2_USERNAME: 'fax', TRUNK_2_PASSWORD: 'pw-2', TRUNK_2_REGISTRAR: 'sip:voip.carrier-b.example' },
      TRUNK_2_INBOUND_FROM: '198.51.100.0/28',
    });
    expect(of('fax', '198.51.100.3')).toEqual({ allowed: true, setting: 'trunk.accounts.0.inboundFrom' });
    expect(of('fax', '203.0.113.9')).toEqual({ allowed: false, setting: 'trunk.accounts.0.inboundFrom' });
    expect(of('0612345678', '198.51.100.3')).toEqual({ allowed: false, setting: 'TRUNK_INBOUND_FROM' });
    const open = carrierOf({ ...FIRST, TRUNK_INBOUND_FROM: '' });
    expect(open('0612345678', '198.51.100.3')).toBeNull();
  });
});

describe('a call to a user name lines at two carriers share (lineOf)', () => {
  const inbound = createTrunkInbound(
    trunkAccounts(
      loadConfig({
        env: {
          ...FIRST,
          ...{ TRUNK_2_USERNAME: '0612345678', TRUNK_2_PASSWORD: 'pw-2', TRUNK_2_REGISTRAR: 'sip:192.0.2.40:5070' },
          ...{
            TRUNK_2_DOMAIN: 'Carrier-B.example',
            TRUNK_2_URI: 'sip:192.0.2.41',
            TRUNK_2_INBOUND_FROM: '198.51.100.0/28',
          },
        },
      }).trunk,
    ),
    createMetrics(),
  );
  const plain = 'sip:0612345678@10.0.0.5:5060';

  it("is the line whose carrier's marks the call carries, in order: listed address, registrar or proxy, domain", () => {
    expect(lineOf(inbound, plain, '<sip:0612345678@10.0.0.5>', '203.0.113.9')).toBe('0612345678');
    expect(lineOf(inbound, plain, '<sip:0612345678@10.0.0.5>', '192.0.2.40')).toBe('0612345678-2');
    expect(lineOf(inbound, plain, '<sip:0612345678@10.0.0.5>', '192.0.2.41')).toBe('0612345678-2');
    expect(lineOf(inbound, plain, '"Ufficio" <sip:0612345678@carrier-b.EXAMPLE>;tag=x', '192.0.2.99')).toBe(
      '0612345678-2',
    );
    expect(lineOf(inbound, 'sip:0612345678@carrier-b.example', '<tel:+390612345678>', '192.0.2.99')).toBe(
      '0612345678-2',
    );
    // The first carrier's listed address wins over a To naming the other's domain.
    expect(lineOf(inbound, plain, '<sip:0612345678@carrier-b.example>', '203.0.113.9')).toBe('0612345678');
  });

  it('is null when nothing tells, or for a user name no two lines share', () => {
    expect(lineOf(inbound, plain, '<sip:0612345678@10.0.0.5>', '192.0.2.99')).toBeNull();
    expect(lineOf(inbound, 'sip:0612345678-2@10.0.0.5', '<sip:x@carrier-b.example>', '192.0.2.40')).toBeNull();
  });
});
