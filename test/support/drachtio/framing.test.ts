import { describe, expect, it } from 'vitest';
import { FrameDecoder, FramingError, encodeFrame } from './framing.js';

describe('drachtio framing', () => {
  it('counts the length in UTF-8 bytes, not characters', () => {
    const frame = encodeFrame('id|sip|è☎');
    expect(frame.toString('utf8')).toBe('12#id|sip|è☎');
  });

  it('decodes several messages arriving in one chunk', () => {
    const decoder = new FrameDecoder();
    const chunk = Buffer.concat([encodeFrame('a|ping'), encodeFrame('b|route|invite'), encodeFrame('c|x')]);
    expect(decoder.push(chunk)).toEqual(['a|ping', 'b|route|invite', 'c|x']);
    expect(decoder.pending).toBe(0);
  });

  it('reassembles messages split anywhere, even inside the length prefix or a multi-byte character', () => {
    const messages = ['1|sip|||\r\nMESSAGE sip:+39@x SIP/2.0\r\n\r\nciao 👋 è', '2|ping', `3|${'z'.repeat(3000)}`];
    const stream = Buffer.concat(messages.map(encodeFrame));
    for (const size of [1, 2, 3, 7, 64, 1000]) {
      const decoder = new FrameDecoder();
      const out: string[] = [];
      for (let i = 0; i < stream.length; i += size) out.push(...decoder.push(stream.subarray(i, i + size)));
      expect(out).toEqual(messages);
    }
  });

  it('accepts five length digits and refuses six, like drachtio-server readMessageLength', () => {
    const big = 'y'.repeat(99_999);
    expect(new FrameDecoder().push(encodeFrame(big))).toEqual([big]);
    expect(() => new FrameDecoder().push(Buffer.from('100000#'))).toThrow(FramingError);
    expect(() => new FrameDecoder().push(Buffer.from('123456'))).toThrow(FramingError);
  });

  it('refuses a prefix that is not digits', () => {
    expect(() => new FrameDecoder().push(Buffer.from('12a#xx'))).toThrow(FramingError);
    expect(() => new FrameDecoder().push(Buffer.from('#xx'))).toThrow(FramingError);
  });
});
