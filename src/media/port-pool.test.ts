import { describe, expect, it } from 'vitest';
import { literalLookup, parsePortRange } from './port-pool.js';

describe('RTP port pool helpers', () => {
  it('answers an IP literal at once (no deferred DNS lookup per packet), v4 and v6', () => {
    const answers: [string, number][] = [];
    literalLookup('192.0.2.10', 4, (err, address, family) => {
      expect(err).toBeNull();
      answers.push([address, family]);
    });
    literalLookup('2001:db8::1', { family: 6 }, (_err, address, family) => answers.push([address, family]));
    expect(answers).toEqual([
      ['192.0.2.10', 4],
      ['2001:db8::1', 6],
    ]);
  });

  it('still resolves a host name (legal in SDP), later', async () => {
    let sync = true;
    const answer = await new Promise<[string, number]>((resolve, reject) => {
      literalLookup('localhost', 4, (err, address, family) => (err ? reject(err) : resolve([address, family])));
      expect(sync).toBe(true);
      sync = false;
    });
    expect(answer).toEqual(['127.0.0.1', 4]);
  });

  it('reads a port range and refuses a broken one', () => {
    expect(parsePortRange('20000 - 20999')).toEqual({ low: 20000, high: 20999 });
    expect(() => parsePortRange('30000-20000')).toThrow(/invalid RTP port range/);
  });
});
