/**
 * A carrier's side of a SIP connection over TLS, for real-software tests (Debian's sipp is built without TLS): one TLS
 * connection from a local address of the test's choosing, the server's certificate checked against the test's own CA,
 * requests written as the test builds them, and the messages that come back read off the stream (framed by
 * Content-Length), taken in any order.
 */
import { once } from 'node:events';
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

/** One SIP message read off the stream: its first line, its headers (names lower-cased, in order) and body. */
export interface SipMessage {
  first: string;
  status: number | null;
  headers: Array<[string, string]>;
  body: string;
}

/** The first value of header `name` (lower case), undefined when there is none. */
export const header = (m: SipMessage, name: string): string | undefined => m.headers.find(([n]) => n === name)?.[1];
/** Every value of header `name` (lower case), in order, each header line one value. */
export const headers = (m: SipMessage, name: string): string[] =>
  m.headers.filter(([n]) => n === name).map(([, v]) => v);

export class TlsSipClient {
  private buffer = '';
  private readonly received: SipMessage[] = [];
  private readonly waiting: Array<() => void> = [];
  readonly localAddress: string;
  readonly localPort: number;

  private constructor(readonly socket: TLSSocket) {
    this.localAddress = socket.localAddress as string;
    this.localPort = socket.localPort as number;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.parse();
    });
  }

  /**
   * A TLS connection from `localAddress` to `host`:`port`; the server's certificate must be signed by `ca` and name
   * `servername` (a DNS name, sent as SNI), or `host` itself when it is an IP address and no servername is given.
   */
  static async open(o: {
    host: string;
    port: number;
    localAddress: string;
    ca: string;
    servername?: string;
  }): Promise<TlsSipClient> {
    const tcp = tcpConnect({ host: o.host, port: o.port, localAddress: o.localAddress });
    await once(tcp, 'connect');
    const socket = tlsConnect({
      socket: tcp,
      ca: o.ca,
      ...(o.servername === undefined ? { host: o.host } : { servername: o.servername }),
    });
    await once(socket, 'secureConnect');
    return new TlsSipClient(socket);
  }

  private parse(): void {
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [first = '', ...lines] = this.buffer.slice(0, end).split('\r\n');
      const hs = lines.map((l): [string, string] => {
        const colon = l.indexOf(':');
        return [l.slice(0, colon).trim().toLowerCase(), l.slice(colon + 1).trim()];
      });
      const length = Number(hs.find(([n]) => n === 'content-length' || n === 'l')?.[1] ?? 0);
      if (this.buffer.length < end + 4 + length) return;
      const body = this.buffer.slice(end + 4, end + 4 + length);
      this.buffer = this.buffer.slice(end + 4 + length);
      const status = /^SIP\/2\.0 (\d{3})/.exec(first)?.[1];
      this.received.push({ first, status: status === undefined ? null : Number(status), headers: hs, body });
      for (const wake of this.waiting.splice(0)) wake();
    }
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** The first message received (and not yet taken) that `match` accepts; throws after `timeoutMs` naming `what`. */
  async take(match: (m: SipMessage) => boolean, what: string, timeoutMs = 10_000): Promise<SipMessage> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const at = this.received.findIndex(match);
      if (at >= 0) return this.received.splice(at, 1)[0] as SipMessage;
      const left = until - Date.now();
      if (left <= 0) throw new Error(`no ${what} over TLS within ${timeoutMs} ms`);
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, left);
        this.waiting.push(() => {
          clearTimeout(timer);
          wake();
        });
      });
    }
  }

  close(): void {
    this.socket.end();
  }
}

/**
 * An in-dialog request (ACK, BYE) from `client` to the answer's Contact through its Record-Route, reversed (RFC 3261
 * §12.1.2: the caller's route set), over TLS.
 */
export function inDialog(
  method: 'ACK' | 'BYE',
  answer: SipMessage,
  client: TlsSipClient,
  cseq: number,
  branch: string,
): string {
  const contact = /<([^>]+)>/.exec(header(answer, 'contact') ?? '')?.[1] ?? '';
  return [
    `${method} ${contact} SIP/2.0`,
    `Via: SIP/2.0/TLS ${client.localAddress}:${client.localPort};branch=${branch};rport`,
    ...routeSet(answer).map((r) => `Route: ${r}`),
    'Max-Forwards: 70',
    `From: ${header(answer, 'from')}`,
    `To: ${header(answer, 'to')}`,
    `Call-ID: ${header(answer, 'call-id')}`,
    `CSeq: ${cseq} ${method}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** The caller's route set from an answer's Record-Route headers: every entry, in reverse order. */
export function routeSet(answer: SipMessage): string[] {
  return headers(answer, 'record-route')
    .flatMap((v) => v.split(/,(?=\s*<)/))
    .map((v) => v.trim())
    .reverse();
}

/** The 200 to a request `m` (a BYE the other side sent), from the client: its Via, From, To, Call-ID and CSeq. */
export function okTo(m: SipMessage): string {
  return [
    'SIP/2.0 200 OK',
    ...headers(m, 'via').map((v) => `Via: ${v}`),
    `From: ${header(m, 'from')}`,
    `To: ${header(m, 'to')}`,
    `Call-ID: ${header(m, 'call-id')}`,
    `CSeq: ${header(m, 'cseq')}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}
