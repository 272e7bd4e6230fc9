import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { interceptCdrStops, readCdrStop } from './cdr-stop.js';

const bye = [
  'BYE sip:pbx@127.0.0.1:5080 SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1',
  'From: <sip:+393471234567@carrier.example>;tag=a',
  'To: <sip:+390612345678@127.0.0.1>;tag=b',
  'Call-ID:   abc-123@carrier.example  ',
  'CSeq: 2 BYE',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

const rejected = [
  'SIP/2.0 487 Request Terminated',
  'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK2',
  'i: compact-9',
  'CSeq: 1 INVITE',
  'Content-Length: 12',
  '',
  'Call-ID: body',
].join('\r\n');

describe('readCdrStop', () => {
  it('reads the Call-ID, the reason and no status from a BYE record', () => {
    expect(readCdrStop(`7|cdr:stop|network|12:00:00.000|normal-release\r\n${bye}`)).toEqual({
      callId: 'abc-123@carrier.example',
      reason: 'normal-release',
      status: null,
    });
  });

  it("reads a response's status and a compact Call-ID, never a Call-ID in the body", () => {
    expect(readCdrStop(`8|cdr:stop|application|12:00:00.000|call-rejected\r\n${rejected}`)).toEqual({
      callId: 'compact-9',
      reason: 'call-rejected',
      status: 487,
    });
  });

  it('is null for anything else (a request from the network, a cdr:start, a leader alone)', () => {
    expect(readCdrStop(`9|sip|network|512|udp|1.2.3.4|5060|12:00|t|d\r\n${bye}`)).toBeNull();
    expect(readCdrStop(`9|cdr:start|network|12:00:00.000|uas\r\n${bye}`)).toBeNull();
    expect(readCdrStop('9|cdr:stop|network')).toBeNull();
  });

  it('gives an empty Call-ID (which matches no call) when the record has none', () => {
    expect(readCdrStop('9|cdr:stop|network|t|normal-release\r\nBYE sip:x SIP/2.0\r\n\r\n')?.callId).toBe('');
  });
});

describe('interceptCdrStops', () => {
  function srfWith(wire: EventEmitter | undefined) {
    return { locals: {}, _app: { client: { wp: wire } } } as unknown as Parameters<typeof interceptCdrStops>[0];
  }

  it("takes cdr:stop records before drachtio-srf's handler and passes every other message on", () => {
    const wire = new EventEmitter();
    const agent: string[] = [];
    wire.on('msg', (_socket: unknown, msg: string) => agent.push(msg));
    const stops: string[] = [];
    expect(interceptCdrStops(srfWith(wire), (s) => stops.push(s.callId))).toBe(true);
    const sip = `1|sip|network|512|udp|1.2.3.4|5060|12:00|t|d\r\n${bye}`;
    wire.emit('msg', {}, sip);
    wire.emit('msg', {}, `2|cdr:stop|network|12:00:00.000|normal-release\r\n${bye}`);
    wire.emit('msg', {}, `3|cdr:start|network|12:00:00.000|uas\r\n${bye}`);
    expect(stops).toEqual(['abc-123@carrier.example']);
    expect(agent).toEqual([sip, `3|cdr:start|network|12:00:00.000|uas\r\n${bye}`]);
  });

  it("intercepts nothing when drachtio-srf's connection is not where expected", () => {
    expect(interceptCdrStops(srfWith(undefined), () => undefined)).toBe(false);
    expect(interceptCdrStops({ locals: {} }, () => undefined)).toBe(false);
  });
});
