import { describe, expect, it } from 'vitest';
import { dialledKey, outboundSources } from './outbound.js';

describe('outbound calls', () => {
  it('learn the number dialled as E.164, without the outside-line prefix', () => {
    expect(dialledKey('0298765409', '', 'IT')).toBe('+390298765409');
    expect(dialledKey('00298765409', '0', 'IT')).toBe('+390298765409');
    expect(dialledKey('0033612345678', '', 'IT')).toBe('+33612345678');
    expect(dialledKey('+12025550123', '', 'IT')).toBe('+12025550123');
  });

  it('learn nothing from extensions, short codes or junk', () => {
    expect(dialledKey('201', '', 'IT')).toBeNull();
    expect(dialledKey('112', '', 'IT')).toBeNull();
    expect(dialledKey('<script>', '', 'IT')).toBeNull();
    expect(dialledKey('', '', 'IT')).toBeNull();
    expect(dialledKey(null, '', 'IT')).toBeNull();
  });

  it('take the PBX address from its URI when none is configured, if it is an IP address', () => {
    expect(outboundSources('sip:192.168.1.10:5060', [])).toEqual(['192.168.1.10']);
    expect(outboundSources('sip:pbx@[2001:db8::10]:5060;transport=tcp', [])).toEqual(['2001:db8::10']);
    expect(outboundSources('sip:pbx.lan', [])).toEqual([]);
    expect(outboundSources('sip:pbx.lan', ['10.0.0.2', '10.0.0.3'])).toEqual(['10.0.0.2', '10.0.0.3']);
  });
});
