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

  it('reads the Call-ID however it is spelled, trimmed, and a status after several blanks', () => {
    const record = (head: string) => `5|cdr:stop|network|t|normal-release\r\n${head}\r\n\r\n`;
    expect(readCdrStop(record('BYE sip:x SIP/2.0\r\nCall-ID:\t a b \t\r\nCSeq: 2 BYE'))?.callId).toBe('a b');
    expect(readCdrStop(record('BYE sip:x SIP/2.0\r\ncall-id: lower\r\nCSeq: 2 BYE'))?.callId).toBe('lower');
    expect(readCdrStop(record('BYE sip:x SIP/2.0\r\nCALL-ID : spaced'))?.callId).toBe('spaced');
    expect(readCdrStop(record('BYE sip:x SIP/2.0\r\nX-Call-ID: not-it\r\ni: it'))?.callId).toBe('it');
    expect(readCdrStop(record('BYE sip:x SIP/2.0\r\nCall-ID:'))?.callId).toBe('');
    expect(readCdrStop(record('SIP/2.0  \t 487 Request Terminated\r\nCall-ID: s'))).toEqual({
      callId: 's',
      reason: 'normal-release',
      status: 487,
    });
    expect(readCdrStop(record('BYE sip:x SIP/2.0 200\r\nCall-ID: s'))?.status).toBeNull();
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
    expect(interceptCdrStops(srfWith(wire), { follows: () => true, ended: (s) => stops.push(s.callId) })).toBe(true);
    const sip = `1|sip|network|512|udp|1.2.3.4|5060|12:00|t|d\r\n${bye}`;
    wire.emit('msg', {}, sip);
    wire.emit('msg', {}, `2|cdr:stop|network|12:00:00.000|normal-release\r\n${bye}`);
    wire.emit('msg', {}, `3|cdr:start|network|12:00:00.000|uas\r\n${bye}`);
    wire.emit('msg', {}, '4|cdr:stop|network');
    expect(stops).toEqual(['abc-123@carrier.example']);
    expect(agent).toEqual([sip, `3|cdr:start|network|12:00:00.000|uas\r\n${bye}`, '4|cdr:stop|network']);
  });

  it('asks whether the Call-ID is followed before reading the rest, and drops the record of a call not followed', () => {
    const wire = new EventEmitter();
    wire.on('msg', () => undefined);
    const asked: string[] = [];
    const ended: unknown[] = [];
    const followed = new Set(['compact-9']);
    interceptCdrStops(srfWith(wire), {
      follows: (callId) => {
        asked.push(callId);
        return followed.has(callId);
      },
      ended: (s) => ended.push(s),
    });
    wire.emit('msg', {}, `2|cdr:stop|network|12:00:00.000|normal-release\r\n${bye}`);
    wire.emit('msg', {}, `3|cdr:stop|application|12:00:00.000|call-rejected\r\n${rejected}`);
    expect(asked).toEqual(['abc-123@carrier.example', 'compact-9']);
    expect(ended).toEqual([{ callId: 'compact-9', reason: 'call-rejected', status: 487 }]);
  });

  it("intercepts nothing when drachtio-srf's connection is not where expected", () => {
    const sink = { follows: () => true, ended: () => undefined };
    expect(interceptCdrStops(srfWith(undefined), sink)).toBe(false);
    expect(interceptCdrStops({ locals: {} }, sink)).toBe(false);
  });
});
