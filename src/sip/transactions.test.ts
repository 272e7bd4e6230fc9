import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type Srf from 'drachtio-srf';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { SrfRequest } from './srf-augment.js';
import {
  RecentTransactions,
  answerCopy,
  answerForCopy,
  observeAnswers,
  transactionKey,
  type Copy,
  type FinalAnswer,
} from './transactions.js';

/** A request's headers as drachtio-srf's `req.get` reads them: by name in any case. */
function request(headers: Record<string, string>) {
  return {
    get: (name: string) => Object.entries(headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1],
  };
}

const INVITE = {
  'Call-ID': 'a84b4c76e66710@pc33.example.com',
  CSeq: '314159 INVITE',
  From: '"Bob <b>" <sip:+393471234567@203.0.113.10>;tag=9fxced76sl',
  Via: 'SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK776asdhds;rport, SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKold',
};

const final = (status: number): FinalAnswer => ({ status, reason: null, headers: {} });

function clock(start = 0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('transaction key', () => {
  it('is Call-ID, CSeq, From tag and the top Via branch, whatever the display name or lower Vias say', () => {
    expect(transactionKey(request(INVITE))).toBe(
      'a84b4c76e66710@pc33.example.com\n314159 INVITE\n9fxced76sl\nz9hG4bK776asdhds',
    );
    const fakeTag = { ...INVITE, From: '"tag=evil" <sip:+39347@203.0.113.10>;tag=real' };
    expect(transactionKey(request(fakeTag))?.split('\n')[2]).toBe('real');
  });

  it('differs for the next CSeq, another branch or another From tag; null without Call-ID or CSeq', () => {
    const base = transactionKey(request(INVITE));
    expect(transactionKey(request({ ...INVITE, CSeq: '314160 INVITE' }))).not.toBe(base);
    expect(transactionKey(request({ ...INVITE, Via: 'SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bKother' }))).not.toBe(
      base,
    );
    expect(transactionKey(request({ ...INVITE, From: '<sip:x@y>;tag=other' }))).not.toBe(base);
    expect(transactionKey(request({ ...INVITE, 'Call-ID': '' }))).toBeNull();
    expect(transactionKey(request({ ...INVITE, CSeq: '' }))).toBeNull();
  });
});

/** The key as it was written with regular expressions (before the hand-read keyFrom), to compare with. */
function keyByRegex(req: { get(name: string): unknown }): string | null {
  const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
  const callId = text(req.get('Call-ID'));
  const cseq = text(req.get('CSeq')).replace(/\s+/g, ' ');
  if (callId === '' || cseq === '') return null;
  const from = text(req.get('From'));
  const fromTag = /;\s*tag\s*=\s*([^;,\s>]+)/i.exec(from.slice(Math.max(0, from.lastIndexOf('>'))))?.[1] ?? '';
  const topVia = text(req.get('Via')).split(',')[0] ?? '';
  const branch = /;\s*branch\s*=\s*([^;,\s]+)/i.exec(topVia)?.[1] ?? '';
  return `${callId}\n${cseq}\n${fromTag}\n${branch}`;
}

describe('transaction key, read by hand', () => {
  it('is what the regular expressions read, for any mix of the characters that matter', () => {
    // Whole parameter openings as pieces too, so that `;tag=` and `;branch=` in every spacing and case come often.
    const pieces = [
      ';',
      '=',
      ',',
      '>',
      '<',
      ' ',
      '\t',
      '\u00a0',
      '\u3000',
      'tag',
      'TaG',
      'branch',
      'BRANCH',
      'x',
      'z9',
      '"',
      ';tag=',
      '; Tag = ',
      ';branch=',
      ' ;\tBranch= ',
      ';tag',
      ';branch',
    ];
    let seed = 12345;
    // mulberry32: a small generator whose low bits are as random as its high ones.
    const next = (n: number): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const value = (): string => {
      let out = '';
      for (let k = next(12); k > 0; k--) out += pieces[next(pieces.length)];
      return out;
    };
    for (let i = 0; i < 20_000; i++) {
      const headers = { 'Call-ID': value() || 'c', CSeq: value(), From: value(), Via: value() };
      expect(transactionKey(request(headers)), JSON.stringify(headers)).toBe(keyByRegex(request(headers)));
    }
    expect(transactionKey(request(INVITE))).toBe(keyByRegex(request(INVITE)));
  });
});

describe('recent transactions', () => {
  it('recognises a copy within the ttl and forgets the transaction after it', () => {
    const c = clock();
    const seen = new RecentTransactions({ ttlMs: 40_000, maxEntries: 10, maxWaiting: 2 }, c.now);
    expect(seen.see('k').copy).toBe(false);
    c.advance(39_999);
    expect(seen.see('k').copy).toBe(true);
    c.advance(1);
    expect(seen.see('k').copy, 'expired: a new transaction').toBe(false);
  });

  it('stays bounded under a flood of new requests, forgetting the oldest first', () => {
    const c = clock();
    const seen = new RecentTransactions({ ttlMs: 40_000, maxEntries: 1000, maxWaiting: 2 }, c.now);
    for (let i = 0; i < 100_000; i++) {
      seen.see(`flood-${i}`);
      c.advance(0.1);
    }
    expect(seen.size).toBe(1000);
    expect(seen.see('flood-99999').copy).toBe(true);
    expect(seen.see('flood-0').copy).toBe(false);
  });

  it('remembers what a list of (key, first seen) pairs would: oldest first out by ttl and by cap, over many wraps; and which Call-IDs it holds', () => {
    // The model: every transaction seen, oldest first; a request is a copy if its key is in the list after those past
    // the ttl are dropped; a new one drops the oldest when the list is full, then joins it at the end.
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let run = 0; run < 40; run++) {
      const ttlMs = 1 + next(60);
      const maxEntries = 1 + next(12);
      const c = clock(next(1000));
      const seen = new RecentTransactions({ ttlMs, maxEntries, maxWaiting: 2 }, c.now);
      let model: Array<{ key: string; at: number }> = [];
      for (let i = 0; i < 2_000; i++) {
        c.advance(next(4) === 0 ? next(3 * ttlMs) / 4 : next(3));
        // Call-ID, then the rest of the key (transactionKey's lines).
        const key = `c${next(4)}\nk${next(maxEntries * 2 + 3)}`;
        const now = c.now();
        model = model.filter((e) => now - e.at < ttlMs);
        const copy = model.some((e) => e.key === key);
        if (!copy) {
          if (model.length >= maxEntries) model.shift();
          model.push({ key, at: now });
        }
        expect(seen.see(key).copy, `run ${run}, request ${i}`).toBe(copy);
        expect(seen.size).toBe(model.length);
        for (let id = 0; id < 5; id++) {
          const held = model.some((e) => e.key.startsWith(`c${id}\n`));
          expect(seen.knowsCallId(`c${id}`), `run ${run}, request ${i}, Call-ID c${id}`).toBe(held);
        }
      }
    }
  });

  it('enter then file answers as see(transactionKey) does, a new Call-ID filed only after enter (the request handled in between)', () => {
    // Twins over one sequence of requests: one sees each request's key at once, the other enters it and files the
    // original after; the same requests are copies, the same Call-IDs known, the same sizes, through ttl and cap.
    let seed = 11;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const callIds = ['c0', ' c1 ', 'c2', '', 'c\n3', 'c4'];
    for (let run = 0; run < 20; run++) {
      const limits = { ttlMs: 1 + next(60), maxEntries: 1 + next(8), maxWaiting: 2 };
      const c = clock(next(1000));
      const seeing = new RecentTransactions(limits, c.now);
      const entering = new RecentTransactions(limits, c.now);
      for (let i = 0; i < 1_000; i++) {
        c.advance(next(4) === 0 ? next(3 * limits.ttlMs) / 4 : next(3));
        const headers: Record<string, string> = {
          'Call-ID': callIds[next(callIds.length)]!,
          From: `<sip:a@b>;tag=t${next(2)}`,
          Via: `SIP/2.0/UDP h;branch=z9hG4bK${next(3)}`,
        };
        if (next(10) > 0) headers.CSeq = `${1 + next(2)} INVITE`;
        const req = request(headers);
        const expected = seeing.see(transactionKey(req));
        const got = entering.enter(req);
        expect(got.copy, `run ${run}, request ${i}: ${JSON.stringify(headers)}`).toBe(expected.copy);
        if (!got.copy) entering.file(got, req);
        expect(entering.size, `run ${run}, request ${i}`).toBe(seeing.size);
        for (const id of callIds) expect(entering.knowsCallId(id.trim())).toBe(seeing.knowsCallId(id.trim()));
      }
    }
  });

  it("tells a copy of a transaction filed after its enter the original's final answer", async () => {
    const seen = new RecentTransactions({ ttlMs: 40_000, maxEntries: 10, maxWaiting: 2 }, clock().now);
    const original = seen.enter(request(INVITE));
    expect(seen.size, 'not filed yet').toBe(0);
    if (original.copy) throw new Error('expected an original');
    seen.file(original, request(INVITE));
    seen.file(original, request(INVITE)); // filed once
    expect(seen.size).toBe(1);
    const copy = seen.enter(request(INVITE));
    if (!copy.copy) throw new Error('expected a copy');
    original.answered(final(486));
    await expect(copy.finalAnswer()).resolves.toEqual(final(486));
    const next = seen.enter(request({ ...INVITE, CSeq: '314160 INVITE' }));
    expect(next.copy, 'a known Call-ID, a new transaction').toBe(false);
    expect(seen.size, 'filed by enter itself (the Call-ID known)').toBe(2);
  });

  it("gives a copy the original's final answer, now or once it comes", async () => {
    const c = clock();
    const seen = new RecentTransactions({ ttlMs: 40_000, maxEntries: 10, maxWaiting: 2 }, c.now);
    const original = seen.see('m');
    const copy = seen.see('m');
    if (original.copy || !copy.copy) throw new Error('expected an original, then a copy');
    expect(copy.final).toBeNull();
    const later = copy.finalAnswer();
    original.answered(final(202));
    original.answered(final(500)); // only the first final answer counts
    await expect(later).resolves.toEqual(final(202));
    expect(copy.final).toEqual(final(202));
  });

  it('lets only a few copies wait for one original; the others are absorbed', async () => {
    const seen = new RecentTransactions({ ttlMs: 40_000, maxEntries: 10, maxWaiting: 1 }, clock().now);
    seen.see('m');
    const a = seen.see('m');
    const b = seen.see('m');
    if (!a.copy || !b.copy) throw new Error('expected copies');
    void a.finalAnswer();
    await expect(b.finalAnswer()).resolves.toBeNull();
  });
});

describe('what a copy gets', () => {
  it('an INVITE: the non-2xx final again; nothing after a 2xx or before any final (RFC 6026)', () => {
    expect(answerForCopy('call', final(486))).toEqual(final(486));
    expect(answerForCopy('call', final(607))).toEqual(final(607));
    expect(answerForCopy('call', final(200))).toBeNull();
    expect(answerForCopy('call', null)).toBeNull();
  });

  it('a MESSAGE: any final again, 2xx included', () => {
    expect(answerForCopy('message', final(202))).toEqual(final(202));
    expect(answerForCopy('message', null)).toBeNull();
  });
});

describe('what a remembered transaction keeps', () => {
  // drachtio-srf's header values are slices of the whole SIP message (V8 slices a string of 13 characters or more, as
  // sipp's Call-IDs and branches are): a key made of them, kept for the transaction's 40 s (50,000 of them at most),
  // would keep every message alive that long.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const MESSAGE = 1 << 20;
  const REQUESTS = 16;

  it('a key is one string of its own characters, no view over a copy of them (one heap object a transaction)', () => {
    setFlagsFromString('--allow-natives-syntax');
    // V8's map of a string tells its kind: a sequential string's (what Array#join makes) or a slice's.
    const sameKind = runInNewContext('(a, b) => %HaveSameMap(a, b)') as (a: string, b: string) => boolean;
    const message = `Call-ID: a84b4c76e66710@pc33.example.com\r\n${'x'.repeat(100)}`;
    const callId = message.slice(9, message.indexOf('\r'));
    const sequential = [callId, 'x'].join('\n');
    const sliced = (' ' + callId).slice(1);
    expect(sameKind(sequential, sliced)).toBe(false);
    const key = transactionKey(request({ ...INVITE, 'Call-ID': callId })) as string;
    expect(key.startsWith(callId)).toBe(true);
    expect(sameKind(key, sequential)).toBe(true);
  });

  it('no slice of the request: the messages are collected while their transactions are remembered', () => {
    const seen = new RecentTransactions({ ttlMs: 40_000, maxEntries: 100, maxWaiting: 8 }, clock().now);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < REQUESTS; i++) {
      const text =
        `INVITE sip:+390612345678@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-28177-${i}-0\r\n` +
        `From: <sip:+39347${i}@127.0.0.1>;tag=28177SIPpTag00${i}\r\nCall-ID: ${i}-28177@127.0.0.1\r\n` +
        `CSeq: 1 INVITE\r\n` +
        `X-Pad: ${'x'.repeat(MESSAGE)}${i}\r\n`;
      const value = (name: string): string => {
        const at = text.toLowerCase().indexOf(`${name.toLowerCase()}: `) + name.length + 2;
        return text.slice(at, text.indexOf('\r\n', at));
      };
      const original = seen.see(transactionKey({ get: value }));
      if (original.copy) throw new Error('expected an original');
      original.answered(final(607));
    }
    gc();
    expect(seen.size).toBe(REQUESTS);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan((REQUESTS * MESSAGE) / 4);
  });
});

describe('the final answer a remembered transaction keeps', () => {
  const INVITES = [1, 2].map((i) => ({ ...INVITE, 'Call-ID': `call-${i}-28177@127.0.0.1` }));
  const proxied = (finalStatus: number) =>
    ({ proxy: () => Promise.resolve({ finalStatus }), on: () => undefined }) as unknown as SrfRequest;
  const response = (send: (...args: unknown[]) => void = () => undefined) => ({ send }) as unknown as Srf.SrfResponse;
  const copyOf = (seen: RecentTransactions, headers: Record<string, string>): Copy => {
    const copy = seen.see(transactionKey(request(headers)));
    if (!copy.copy) throw new Error('expected a copy');
    return copy;
  };

  it("the PBX's answer through the proxy: one shared object a status, with no headers, for every transaction", async () => {
    const seen = new RecentTransactions(undefined, clock().now);
    for (const headers of INVITES) {
      const original = seen.see(transactionKey(request(headers)));
      if (original.copy) throw new Error('expected an original');
      const req = proxied(200);
      observeAnswers(req, response(), original);
      await req.proxy({ destination: 'sip:pbx' });
    }
    await Promise.resolve();
    const [a, b] = INVITES.map((headers) => copyOf(seen, headers).final);
    expect(a).toEqual({ status: 200, reason: null, headers: {} });
    expect(a).toBe(b);
  });

  it("crocetta's own answer without headers keeps no headers object of its own", () => {
    const seen = new RecentTransactions(undefined, clock().now);
    for (const headers of INVITES) {
      const original = seen.see(transactionKey(request(headers)));
      if (original.copy) throw new Error('expected an original');
      const res = response();
      observeAnswers(proxied(200), res, original);
      (res as unknown as { send(status: number, reason: string): void }).send(607, 'Unwanted');
    }
    const [a, b] = INVITES.map((headers) => copyOf(seen, headers).final);
    expect(a).toEqual({ status: 607, reason: 'Unwanted', headers: {} });
    expect(a?.headers).toBe(b?.headers);
  });

  it('a repeated answer is sent with a copy of its headers: what drachtio-srf takes out is there for the next copy', async () => {
    const seen = new RecentTransactions(undefined, clock().now);
    const original = seen.see(transactionKey(request(INVITE)));
    if (original.copy) throw new Error('expected an original');
    original.answered({ status: 607, reason: 'Unwanted', headers: { To: '<sip:x@y>;tag=1', 'X-Mark': 'yes' } });
    const sent: Record<string, string>[] = [];
    // Response#send takes a To header out of the options it is given (drachtio-srf's response.js).
    const res = response((_status, _reason, opts) => {
      const headers = (opts as { headers: Record<string, string> }).headers;
      sent.push({ ...headers });
      delete headers.To;
    });
    const req = { get: () => INVITE['Call-ID'], source_address: '127.0.0.1' } as unknown as SrfRequest;
    const deps = {
      logger: { info: () => undefined, warn: () => undefined } as unknown as Logger,
      metrics: { retransmissions: { inc: () => undefined } } as unknown as Metrics,
    };
    await answerCopy('call', copyOf(seen, INVITE), req, res, deps);
    await answerCopy('call', copyOf(seen, INVITE), req, res, deps);
    expect(sent).toEqual([
      { To: '<sip:x@y>;tag=1', 'X-Mark': 'yes' },
      { To: '<sip:x@y>;tag=1', 'X-Mark': 'yes' },
    ]);
  });
});
