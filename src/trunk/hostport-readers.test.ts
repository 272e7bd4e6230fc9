/**
 * The trunk's one reader of a host and port (readHostPort, host-port.ts), input by input, through its two callers:
 * drachtio-server's hostport list (parseHostports: a port required, an item that does not read skipped and said)
 * and the registrar URI (parseRegistrar: its scheme and parameters around it, the port optional, a URI that does
 * not read refused). Session 27 pinned what the two readers each did before they became one; the rows marked
 * "was:" are what changed (each failed on that code).
 */
import { describe, expect, it } from 'vitest';
import { parseHostports, type ListenAddress } from './contact.js';
import { parseRegistrar } from './settings.js';

describe("drachtio-server's hostport list, item by item", () => {
  it.each<[string, ListenAddress | string]>([
    ['udp/1.2.3.4:5060', { transport: 'udp', host: '1.2.3.4', port: 5060 }],
    ['UDP/1.2.3.4:5060', { transport: 'udp', host: '1.2.3.4', port: 5060 }],
    [' tcp/host.example:5080 ', { transport: 'tcp', host: 'host.example', port: 5080 }],
    ['tls/[2001:db8::7]:5061', { transport: 'tls', host: '2001:db8::7', port: 5061 }],
    ['wss/[::1]:443', { transport: 'wss', host: '::1', port: 443 }],
    ['udp/1.2.3.4:65535', { transport: 'udp', host: '1.2.3.4', port: 65535 }],
    // An IPv6 address without brackets: drachtio-server 0.9.10 writes its addresses in brackets (host-port.ts).
    // Was: host 2001:db8::1, the host running to the last colon.
    ['udp/2001:db8::1:5060', '"2001:db8::1:5060" has more than one colon outside brackets'],
    // Was: host a:b.
    ['udp/a:b:5060', '"a:b:5060" has more than one colon outside brackets'],
    // Junk: text after the brackets (was: host ::1]x), empty brackets (was: host ''), an IPv4 address in brackets
    // (was: host 1.2.3.4), a port above 65535 (was: port 99999) or 0 (was: port 0).
    ['udp/[::1]x:5060', '"x:5060" follows [::1]'],
    ['udp/[]:5060', 'the brackets are empty'],
    ['udp/[1.2.3.4]:5060', '[1.2.3.4] is not an IPv6 address'],
    ['udp/1.2.3.4:99999', 'port 99999 is out of range (1 to 65535)'],
    ['udp/1.2.3.4:0', 'port 0 is out of range (1 to 65535)'],
    // Refused before as after: no port, a port that is no number, text after the port, no host, no transport.
    ['udp/1.2.3.4', 'there is no port'],
    ['udp/[::1]', 'there is no port'],
    ['udp/1.2.3.4:x', 'the port "x" is not a number'],
    ['udp/1.2.3.4:123456', 'port 123456 is out of range (1 to 65535)'],
    ['udp/1.2.3.4:5060junk', 'the port "5060junk" is not a number'],
    ['udp/:5060', 'there is no host'],
    ['udp/ 1.2.3.4:5060', 'expected a transport, / and an address with its port, such as udp/203.0.113.7:5060'],
    ['1.2.3.4:5060', 'expected a transport, / and an address with its port, such as udp/203.0.113.7:5060'],
    ['u2/1.2.3.4:5060', 'expected a transport, / and an address with its port, such as udp/203.0.113.7:5060'],
  ])('%j', (item, address) => {
    const skipped: Array<[string, string]> = [];
    const read = parseHostports(item, (what, problem) => skipped.push([what, problem]));
    if (typeof address === 'string') {
      expect(read).toEqual([]);
      expect(skipped).toEqual([[item, address]]);
    } else {
      expect(read).toEqual([address]);
      expect(skipped).toEqual([]);
    }
  });

  it('reads the list drachtio-server 0.9.10 sent for contacts on 127.0.0.1, [fd00::2] and [::] (IPv6 in brackets)', () => {
    const skipped: string[] = [];
    const list = 'udp/127.0.0.1:23060,tcp/[fd00::2]:23064,udp/[::1]:23063,udp/[fd00::2]:23063';
    expect(parseHostports(list, (item) => skipped.push(item))).toEqual([
      { transport: 'udp', host: '127.0.0.1', port: 23060 },
      { transport: 'tcp', host: 'fd00::2', port: 23064 },
      { transport: 'udp', host: '::1', port: 23063 },
      { transport: 'udp', host: 'fd00::2', port: 23063 },
    ]);
    expect(skipped).toEqual([]);
  });

  it('reads the good items of a list around a bad one, and skips empty ones silently', () => {
    const skipped: string[] = [];
    expect(parseHostports('udp/1.2.3.4:5060,,tcp/[]:5060,tcp/[::1]:5061', (item) => skipped.push(item))).toEqual([
      { transport: 'udp', host: '1.2.3.4', port: 5060 },
      { transport: 'tcp', host: '::1', port: 5061 },
    ]);
    expect(skipped).toEqual(['tcp/[]:5060']);
    expect(parseHostports('', (item) => skipped.push(item))).toEqual([]);
    expect(skipped).toHaveLength(1);
  });
});

describe('the registrar URI, input by input', () => {
  it.each<[string, { scheme: string; host: string; port: number | null; transport: string } | string]>([
    ['sip:sip.carrier.example', { scheme: 'sip', host: 'sip.carrier.example', port: null, transport: 'udp' }],
    ['sip:127.0.0.1:5090;transport=TCP', { scheme: 'sip', host: '127.0.0.1', port: 5090, transport: 'tcp' }],
    ['sips:[2001:db8::1]:5061', { scheme: 'sips', host: '2001:db8::1', port: 5061, transport: 'tls' }],
    ['sip:[::1]', { scheme: 'sip', host: '::1', port: null, transport: 'udp' }],
    ['SIP:Host.Example:5060', { scheme: 'sip', host: 'Host.Example', port: 5060, transport: 'udp' }],
    [' sip:host ', { scheme: 'sip', host: 'host', port: null, transport: 'udp' }],
    ['sip:host;transport=ws', { scheme: 'sip', host: 'host', port: null, transport: 'ws' }],
    ['sip:host;transport=bogus', { scheme: 'sip', host: 'host', port: null, transport: 'udp' }],
    ['sips:host;transport=udp', { scheme: 'sips', host: 'host', port: null, transport: 'udp' }],
    ['sip:host?x=1', { scheme: 'sip', host: 'host', port: null, transport: 'udp' }],
    // An IPv6 address without brackets. Was: the host 2001, ending at the first colon.
    ['sip:2001:db8::1', '"2001:db8::1" has more than one colon outside brackets'],
    // What the schema refuses before it gets here (trunk-schema.ts asks registrarProblem), now refused here too.
    // Was: no port (host:abc), port 5060 (host:5060>), host ::1 (junk after the brackets), host ho (a space),
    // host user@host, port 99999999, port 0, host '' (empty brackets).
    ['sip:host:abc', 'the port "abc" is not a number'],
    ['sip:host:5060>', 'the port "5060>" is not a number'],
    ['sip:[::1]junk:5060', '"junk:5060" follows [::1]'],
    ['sip:ho st', '"ho st" is not a host name or an address'],
    ['sip:user@host', '"user@host" is not a host name or an address'],
    ['sip:host:99999999', 'port 99999999 is out of range (1 to 65535)'],
    ['sip:host:0', 'port 0 is out of range (1 to 65535)'],
    ['sip:[]', 'the brackets are empty'],
    // Refused before as after: no host, another scheme.
    ['sip:', 'there is no host'],
    ['sip:;transport=tcp', 'there is no host'],
    ['sip: host', '" host" is not a host name or an address'],
    ['tel:+39', 'expected a sip: or sips: URI'],
  ])('%j', (uri, address) => {
    if (typeof address === 'string')
      expect(() => parseRegistrar(uri)).toThrow(`not a registrar URI: ${uri}: ${address}`);
    else expect(parseRegistrar(uri)).toEqual({ uri: uri.trim(), ...address });
  });
});
