import { once } from 'node:events';
import { createRequire } from 'node:module';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type Srf from 'drachtio-srf';
import { corkSendsPerTurn } from './cork-sends.js';

const require = createRequire(import.meta.url);
interface Wire {
  send(socket: net.Socket, msg: string): string;
}
const WireProtocol = require('drachtio-srf/lib/wire-protocol.js') as new (opts: object) => Wire;

/** A connected pair on loopback: the client's writes into the stream counted (`_write`: one, `_writev`: several). */
async function pair(): Promise<{ client: net.Socket; received: () => string; writes: number[]; close: () => void }> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const accepted = once(server, 'connection');
  const client = net.connect({ port, host: '127.0.0.1' });
  await once(client, 'connect');
  const [peer] = (await accepted) as [net.Socket];
  let got = '';
  peer.on('data', (chunk: Buffer) => (got += chunk.toString('utf8')));
  const writes: number[] = [];
  const stream = client as unknown as {
    _write: (...a: unknown[]) => void;
    _writev: (chunks: unknown[], cb: unknown) => void;
  };
  const write = stream._write.bind(client);
  const writev = stream._writev.bind(client);
  stream._write = (...a: unknown[]) => {
    writes.push(1);
    write(...a);
  };
  stream._writev = (chunks, cb) => {
    writes.push(chunks.length);
    writev(chunks, cb);
  };
  return {
    client,
    received: () => got,
    writes,
    close: () => {
      client.destroy();
      peer.destroy();
      server.close();
    },
  };
}

const srfWith = (wp: unknown): Pick<Srf, 'locals'> => ({ _app: { client: { wp } } }) as unknown as Pick<Srf, 'locals'>;
const nextTurn = (): Promise<void> => new Promise((done) => setImmediate(done));
/** The messages a drachtio-srf peer reads from the bytes (`<length>#<msgid>|<message>`), without their ids. */
const messages = (bytes: string): string[] =>
  [...bytes.matchAll(/\d+#[^|]+\|([^#]*?)(?=\d+#|$)/g)].map((m) => m[1] as string);

describe('corkSendsPerTurn', () => {
  const closing: Array<() => void> = [];
  afterEach(() => closing.splice(0).forEach((close) => close()));

  it("writes a turn's first message at once and its later ones in one write at the turn's end, in order", async () => {
    const { client, received, writes, close } = await pair();
    closing.push(close);
    const wp = new WireProtocol({});
    expect(corkSendsPerTurn(srfWith(wp))).toBe(true);

    wp.send(client, 'proxy|a');
    expect(writes).toEqual([1]); // a turn's first message goes at once, as without the cork
    wp.send(client, 'proxy|b');
    wp.send(client, 'sip|c');
    expect(writes).toEqual([1]); // the later ones wait for the turn's end
    await nextTurn();
    expect(writes).toEqual([1, 2]);

    wp.send(client, 'proxy|d');
    expect(writes).toEqual([1, 2, 1]);
    await nextTurn();
    expect(writes).toEqual([1, 2, 1]);

    while (messages(received()).length < 4) await nextTurn();
    expect(messages(received())).toEqual(['proxy|a', 'proxy|b', 'sip|c', 'proxy|d']);
  });

  it("calls beforeWrite before each write to the socket: before a turn's first message and before its corked ones leave", async () => {
    const { client, writes, close } = await pair();
    closing.push(close);
    const wp = new WireProtocol({});
    const seen: string[] = [];
    corkSendsPerTurn(srfWith(wp), () => seen.push(`before, ${String(writes.length)} written`));

    wp.send(client, 'proxy|a');
    expect(seen).toEqual(['before, 0 written']); // before the first message's write
    wp.send(client, 'proxy|b');
    expect(seen).toHaveLength(1); // corked: nothing written now
    await nextTurn();
    expect(seen).toEqual(['before, 0 written', 'before, 1 written']); // before the corked one left
    expect(writes).toEqual([1, 1]);
  });

  it('keeps each connection its own beforeWrite and corked sockets: two apps in one process', async () => {
    const a = await pair();
    const b = await pair();
    closing.push(a.close, b.close);
    const wpA = new WireProtocol({});
    const wpB = new WireProtocol({});
    const seen: string[] = [];
    corkSendsPerTurn(srfWith(wpA), () => seen.push('A'));
    corkSendsPerTurn(srfWith(wpB), () => seen.push('B'));

    wpA.send(a.client, 'proxy|first-a');
    expect(seen).toEqual(['A']); // A's message, A's hook (not the last app's)
    wpB.send(b.client, 'proxy|first-b');
    expect(seen).toEqual(['A', 'B']);
    wpA.send(a.client, 'proxy|second-a');
    expect(seen).toEqual(['A', 'B']); // corked behind A's first
    await nextTurn();
    // Each connection's uncork at the turn's end, its own hook before it: A's before its corked message leaves, B's
    // before its socket (corked behind its first message, nothing more) is uncorked.
    expect(seen).toEqual(['A', 'B', 'A', 'B']);
    expect(a.writes).toEqual([1, 1]);
    expect(b.writes).toEqual([1]);
    while (messages(a.received()).length < 2) await nextTurn();
    expect(messages(a.received())).toEqual(['proxy|first-a', 'proxy|second-a']);
    expect(messages(b.received())).toEqual(['proxy|first-b']);
  });

  it('writes what a turn corked when the socket is ended in that turn (srf.disconnect)', async () => {
    const { client, received, close } = await pair();
    closing.push(close);
    const wp = new WireProtocol({});
    corkSendsPerTurn(srfWith(wp));

    wp.send(client, 'proxy|first');
    wp.send(client, 'proxy|last');
    client.end();
    while (messages(received()).length < 2) await nextTurn();
    expect(messages(received())).toEqual(['proxy|first', 'proxy|last']);
  });

  it("changes nothing when drachtio-srf's connection is not where expected", () => {
    expect(corkSendsPerTurn({ locals: {} })).toBe(false);
    expect(corkSendsPerTurn(srfWith({}))).toBe(false);
  });
});
