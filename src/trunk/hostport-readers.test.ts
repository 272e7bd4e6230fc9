/**
 * The trunk's two readers of a host and port, pinned input by input: drachtio-server's hostport list
 * (parseHostports, its own pattern: a port required, the host up to the last colon) and the registrar URI
 * (parseRegistrar: its scheme and parameters around splitHostPort, the port optional, the host up to the first
 * colon). What each accepts and refuses today, oddities included, so that a change of either says so here.
 */
import { describe, expect, it } from 'vitest';
import { parseHostports, type ListenAddress } from './contact.js';
import { parseRegistrar } from './settings.js';

describe("drachtio-server's hostport list, item by item", () => {
  it.each<[string, ListenAddress | null]>([
    ['udp/1.2.3.4:5060', { transport: 'udp', host: '1.2.3.4', port: 5060 }],
    ['UDP/1.2.3.4:5060', { transport: 'udp', host: '1.2.3.4', port: 5060 }],
    [' tcp/host.example:5080 ', { transport: 'tcp', host: 'host.example', port: 5080 }],
    ['tls/[2001:db8::7]:5061', { transport: 'tls', host: '2001:db8::7', port: 5061 }],
    ['wss/[::1]:443', { transport: 'wss', host: '::1', port: 443 }],
    // An IPv6 address without brackets: the host runs to the last colon.
    ['udp/2001:db8::1:5060', { transport: 'udp', host: '2001:db8::1', port: 5060 }],
    ['udp/a:b:5060', { transport: 'udp', host: 'a:b', port: 5060 }],
    // Junk it lets through: text after the brackets, empty brackets, a port above 65535.
    ['udp/[::1]x:5060', { transport: 'udp', host: '::1]x', port: 5060 }],
    ['udp/[]:5060', { transport: 'udp', host: '', port: 5060 }],
    ['udp/1.2.3.4:99999', { transport: 'udp', host: '1.2.3.4', port: 99999 }],
    // Refused: no port, a port that is no number or has six digits, text after the port, no host, no transport.
    ['udp/1.2.3.4', null],
    ['udp/[::1]', null],
    ['udp/1.2.3.4:x', null],
    ['udp/1.2.3.4:123456', null],
    ['udp/1.2.3.4:5060junk', null],
    ['udp/:5060', null],
    ['udp/ 1.2.3.4:5060', null],
    ['1.2.3.4:5060', null],
    ['u2/1.2.3.4:5060', null],
  ])('%j', (item, address) => {
    expect(parseHostports(item)).toEqual(address === null ? [] : [address]);
  });
});

describe('the registrar URI, input by input', () => {
  it.each<[string, { scheme: string; host: string; port: number | null; transport: string } | null]>([
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
    // An IPv6 address without brackets: the host ends at the first colon (the list's reader reads it whole).
    ['sip:2001:db8::1', { scheme: 'sip', host: '2001', port: null, transport: 'udp' }],
    // What the schema refuses before it gets here, read anyway: a port that is no number is none, text after a
    // port or the brackets ignored, a user part kept in the host, no port limit.
    ['sip:host:abc', { scheme: 'sip', host: 'host', port: null, transport: 'udp' }],
    ['sip:host:5060>', { scheme: 'sip', host: 'host', port: 5060, transport: 'udp' }],
    ['sip:[::1]junk:5060', { scheme: 'sip', host: '::1', port: null, transport: 'udp' }],
    ['sip:ho st', { scheme: 'sip', host: 'ho', port: null, transport: 'udp' }],
    ['sip:user@host', { scheme: 'sip', host: 'user@host', port: null, transport: 'udp' }],
    ['sip:host:99999999', { scheme: 'sip', host: 'host', port: 99999999, transport: 'udp' }],
    // Refused: no host, another scheme.
    ['sip:', null],
    ['sip:;transport=tcp', null],
    ['sip: host', null],
    ['tel:+39', null],
  ])('%j', (uri, address) => {
    if (address === null) expect(() => parseRegistrar(uri)).toThrow(`not a registrar URI: ${uri}`);
    else expect(parseRegistrar(uri)).toEqual({ uri: uri.trim(), ...address });
  });
});
