/**
 * Our Contact in the REGISTER: `sip:USER@<where drachtio-server listens for the transport used towards the
 * registrar>`, from the hostport list drachtio-server sends on connect (`udp/203.0.113.7:5060,tcp/…`; the
 * external address when drachtio.conf.xml sets one), or the operator's TRUNK_CONTACT_HOST. Pure.
 */
import { sipUriAddress } from '../callerid/index.js';
import { readHostPort } from './host-port.js';
import type { SipTransport } from './settings.js';

/**
 * One address drachtio-server listens on, as its hostport list says it. Not callerid's HostPort (a URI's
 * `host[:port]`): the transport is part of it and the port always given.
 */
export interface ListenAddress {
  transport: string;
  host: string;
  port: number;
}

/**
 * Parses drachtio-server's `udp/1.2.3.4:5060,tcp/[2001:db8::1]:5060` list: each item a transport, `/` and an address
 * as readHostPort reads it (an IPv6 one in brackets, as drachtio-server writes it: see host-port.ts), with its port.
 * An item that does not read is left out and given to `skipped` with what is wrong with it, to be logged.
 */
export function parseHostports(
  list: string,
  skipped: (item: string, problem: string) => void = () => {},
): ListenAddress[] {
  const out: ListenAddress[] = [];
  for (const item of list.split(',')) {
    if (item.trim() === '') continue;
    const m = /^\s*([A-Za-z]+)\/(\S*?)\s*$/.exec(item);
    if (!m?.[1] || m[2] === undefined) {
      skipped(item, 'expected a transport, / and an address with its port, such as udp/203.0.113.7:5060');
      continue;
    }
    const at = readHostPort(m[2]);
    if ('problem' in at) skipped(item, at.problem);
    else if (at.port === null) skipped(item, 'there is no port');
    else out.push({ transport: m[1].toLowerCase(), host: at.host, port: at.port });
  }
  return out;
}

export interface ContactChoice {
  /** The Contact URI (without angle brackets), or null when no address fits. */
  uri: string | null;
  /** Why this address, or why none: logged once per change. */
  note: string;
}

function hostText(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** A wildcard address cannot be reached by the carrier (drachtio bound to all interfaces without a contact). */
function unreachable(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '*';
}

export function chooseContact(
  username: string,
  transport: SipTransport,
  hostports: readonly ListenAddress[],
  contactHost: string,
): ContactChoice {
  const scheme = transport === 'tls' || transport === 'wss' ? 'sips' : 'sip';
  const param = transport === 'udp' ? '' : `;transport=${transport}`;
  const own = hostports.find((h) => h.transport === transport);
  if (contactHost !== '') {
    // The operator's address; with a port when given, else drachtio's own port for that transport.
    const written = readHostPort(contactHost);
    const hasPort = 'port' in written && written.port !== null;
    const port = hasPort ? '' : own ? `:${own.port}` : '';
    return { uri: `${scheme}:${username}@${contactHost}${port}${param}`, note: `TRUNK_CONTACT_HOST ${contactHost}` };
  }
  if (!own) {
    const listed = hostports.map((h) => h.transport).join(', ') || 'none';
    return {
      uri: null,
      note: `drachtio-server has no ${transport} address (it listens on: ${listed}); add one to drachtio.conf.xml or set TRUNK_CONTACT_HOST`,
    };
  }
  if (unreachable(own.host)) {
    return {
      uri: null,
      note: `drachtio-server reports ${own.host} for ${transport}: set TRUNK_CONTACT_HOST to the address the carrier can reach`,
    };
  }
  return {
    uri: `${scheme}:${username}@${hostText(own.host)}:${own.port}${param}`,
    note: `drachtio-server's ${transport} address`,
  };
}

/**
 * Whether drachtio-server counts the Contact's host and port as its own (its listening or external addresses,
 * which it reports on connect). Its proxy puts the app's destination in the request line only for a Request-URI
 * it counts as local (isLocalSipUri); for any other, the PBX would get the carrier's Request-URI, with the
 * account name where the DID should be. A TRUNK_CONTACT_HOST drachtio does not know is worth a warning.
 */
export function drachtioOwns(contactUri: string, hostports: readonly ListenAddress[]): boolean {
  const at = sipUriAddress(contactUri);
  if (at === null || at.user === null) return false;
  const port = at.port ?? 5060;
  return hostports.some((h) => h.host.toLowerCase() === at.host && h.port === port);
}
