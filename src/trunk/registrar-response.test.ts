import { describe, expect, it } from 'vitest';
import { backoffMs } from './backoff.js';
import { deltaSeconds, grantedExpiry, minExpiresFrom, refreshDelayMs } from './registrar-response.js';

describe("the registrar's answer", () => {
  const ours = 'sip:0612345678@198.51.100.7:5060';

  it('matches our contact with the default port filled in and its parameters ignored', () => {
    expect(
      grantedExpiry({ contact: ['<sip:0612345678@198.51.100.7;transport=udp>;expires=45'], expires: null }, ours, 600),
    ).toEqual({ seconds: 45, from: 'contact' });
    expect(
      grantedExpiry({ contact: ['<sip:0612345678@198.51.100.7:5062>;expires=45'], expires: '90' }, ours, 600),
    ).toEqual({ seconds: 90, from: 'expires' });
    expect(
      grantedExpiry({ contact: ['"Office" <SIP:0612345678@198.51.100.7:5060>;Expires=33'], expires: null }, ours, 600)
        .seconds,
    ).toBe(33);
  });

  it('caps absurd grants and reads only delta-seconds', () => {
    expect(grantedExpiry({ contact: [`<${ours}>;expires=4294967295`], expires: null }, ours, 600).seconds).toBe(86_400);
    expect(deltaSeconds(' 3600 ')).toBe(3600);
    expect(deltaSeconds('3600;comment')).toBe(3600);
    for (const junk of ['-1', '1e3', 'soon', '', '99999999999', null, undefined]) expect(deltaSeconds(junk)).toBeNull();
  });

  it('refreshes half-way', () => {
    expect(refreshDelayMs(40)).toBe(20_000);
    expect(refreshDelayMs(3600)).toBe(1_800_000);
    expect(refreshDelayMs(0)).toBe(500);
  });

  it('follows a sane Min-Expires only', () => {
    expect(minExpiresFrom({ minExpires: '3600' }, 600)).toEqual({ seconds: 3600 });
    expect(minExpiresFrom({ minExpires: '600' }, 600)).toHaveProperty('problem');
    expect(minExpiresFrom({ minExpires: '9999999' }, 600)).toHaveProperty('problem');
    expect(minExpiresFrom({ minExpires: null }, 600)).toHaveProperty('problem');
  });
});

describe('backoff', () => {
  const retry = { minMs: 5000, maxMs: 300_000 };
  it('doubles from the minimum to the maximum, ±25%, never under 2 s', () => {
    expect(backoffMs(1, retry, 0)).toBe(3750);
    expect(backoffMs(1, retry, 0.999999)).toBe(6250);
    expect(backoffMs(2, retry, 0.5)).toBe(10_000);
    expect(backoffMs(30, retry, 0.5)).toBe(300_000);
    expect(backoffMs(1000, retry, 0.999999)).toBe(375_000);
    expect(backoffMs(1, { minMs: 2000, maxMs: 2000 }, 0)).toBe(2000);
  });
  it('waits at least what Retry-After asks, up to the maximum', () => {
    expect(backoffMs(1, retry, 0.5, 60_000)).toBe(60_000);
    expect(backoffMs(1, retry, 0.5, 86_400_000)).toBe(300_000);
  });
});
