/**
 * The trunk's one reader of `host[:port]`: the registrar URI's (trunk.registrar), the Contact host and the domain an
 * operator writes (trunk.contactHost, trunk.domain), and each address in drachtio-server's listening list
 * (`udp/1.2.3.4:5060`, contact.ts). As RFC 3261 writes a hostport (§19.1.1, §25.1): a host name, an IPv4 address
 * or an IPv6 address in brackets (`[2001:db8::1]:5060`), then an optional port from 1 to 65535, nothing else.
 *
 * drachtio-server 0.9.10 writes its IPv6 addresses in brackets too, so its list is read by the same rule. The list
 * in its answer to `authenticate` (`BaseClient::processClientMessage`, src/client.cpp) joins
 * `SipTransport::getHostport` (src/sip-transports.cpp) of each transport: `proto/` + the external IP or
 * `getHost()` + `:port`; `getHost()` is sofia-sip's `tpn_host`, set by `tport_convert_addr`
 * (libsofia-sip-ua/tport/tport.c), which writes an address with `tport_hostport` (brackets around any AF_INET6
 * address) or, bound to all interfaces, with `localipname` (brackets around an IPv6 one); the external IP must be
 * an IPv4 address (`SipTransport::init`). Seen: contacts `sip:127.0.0.1:…`, `sip:[fd00::2]:…` and `sip:[::]:…` were
 * reported as `udp/127.0.0.1:23060,tcp/[fd00::2]:23064,udp/[::1]:23063,udp/[fd00::2]:23063` (hostport-readers.test.ts).
 * The SIP messages' own hostports are callerid's splitHostPort's, which reads on past what follows them. Pure.
 */
import { isIP } from 'node:net';
import type { HostPort } from '../callerid/index.js';

/** What is wrong with a hostport, in words that end a sentence (`port 0 is out of range (1 to 65535)`). */
export interface HostPortProblem {
  problem: string;
}

/** A host name (RFC 1123 labels, at most 253 characters) or an IPv4 address. */
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;

/** Reads `host[:port]` whole: the host and port, or what is wrong with the text. */
export function readHostPort(text: string): HostPort | HostPortProblem {
  let host: string;
  let rest: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return { problem: `${JSON.stringify(text)} has no closing bracket` };
    host = text.slice(1, close);
    rest = text.slice(close + 1);
    if (host === '') return { problem: 'the brackets are empty' };
    if (isIP(host) !== 6) return { problem: `[${host}] is not an IPv6 address` };
    if (rest !== '' && !rest.startsWith(':')) return { problem: `${JSON.stringify(rest)} follows [${host}]` };
  } else {
    const colon = text.indexOf(':');
    if (colon >= 0 && text.indexOf(':', colon + 1) >= 0)
      return { problem: `${JSON.stringify(text)} has more than one colon outside brackets` };
    host = colon < 0 ? text : text.slice(0, colon);
    rest = colon < 0 ? '' : text.slice(colon);
    if (host === '') return { problem: 'there is no host' };
    if (!NAME.test(host)) return { problem: `${JSON.stringify(host)} is not a host name or an address` };
  }
  if (rest === '') return { host, port: null };
  const port = rest.slice(1);
  if (!/^\d+$/.test(port)) return { problem: `the port ${JSON.stringify(port)} is not a number` };
  if (Number(port) < 1 || Number(port) > 65535) return { problem: `port ${port} is out of range (1 to 65535)` };
  return { host, port: Number(port) };
}

/** The problem readHostPort finds in `text`, or null when it reads. */
export function hostPortProblem(text: string): string | null {
  const read = readHostPort(text);
  return 'problem' in read ? read.problem : null;
}
