/**
 * identifyCaller keeps the identities of recent requests by their header values (From without its tag): a cache
 * hit must give exactly what reading the headers again gives, and never one caller's identity to another.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { INVITE_CASES, inviteText } from '../../test/fixtures/callerid-invites.js';
import { mulberry32 } from '../../test/support/prng.js';
import { headersFrom, headersOf } from '../../test/support/sip-headers.js';
import { identifyCaller, identifyKept } from './index.js';
import {
  identifyUnguarded,
  identityHashOf,
  identityKeyMatches,
  identityKeyOf,
  identityTextOf,
  withoutFromTag,
} from './identify-caller.js';
import type { CallerIdentity } from './types.js';

const IT = { defaultCountry: 'IT' };

const HEADER_NAMES = [
  'p-asserted-identity',
  'remote-party-id',
  'from',
  'privacy',
  'identity',
  'p-attestation-indicator',
];

interface Generated {
  values: Record<string, string[]>;
  country: string;
}

/** `count` requests of 0-2 values from `pool` in each identity header, seeded: many share values, counts, hashes. */
function generated(pool: readonly string[], count: number, seed: number): Generated[] {
  const rand = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const requests: Generated[] = [];
  for (let n = 0; n < count; n++) {
    const values: Record<string, string[]> = {};
    for (const name of HEADER_NAMES) {
      const k = rand() < 0.5 ? 0 : rand() < 0.75 ? 1 : 2;
      if (k > 0) values[name] = Array.from({ length: k }, () => pick(pool));
    }
    requests.push({ values, country: pick(['IT', 'US', 'I', 'ITA', '']) });
  }
  return requests;
}

describe('identity cache', () => {
  it('gives every real-world INVITE, asked again with another From tag, what reading its headers gives', () => {
    for (const c of INVITE_CASES) {
      for (const tag of ['a1', 'zz9-8.7', 'A~b']) {
        const text = inviteText(c.headers).replace(/;tag=[^;\r\n,]*/i, `;tag=${tag}`);
        const headers = headersFrom(text);
        expect([c.name, identifyCaller(headers, IT)]).toEqual([c.name, identifyUnguarded(headers, IT)]);
      }
    }
  });

  it('shares one frozen identity among the requests of one caller from its second, whatever their From tags', () => {
    const first = identifyCaller(headersOf({ from: '"Rossi" <sip:0212345678@h>;tag=one' }), IT);
    const a = identifyCaller(headersOf({ from: '"Rossi" <sip:0212345678@h>;tag=two' }), IT);
    const b = identifyCaller(headersOf({ from: '"Rossi" <sip:0212345678@h>;tag=three' }), IT);
    expect(b).toBe(a);
    expect(first).toEqual(a);
    // The first request's identity is its own (the cache keeps nothing of a caller heard once): not frozen, since
    // nothing shares it; freezing it was a runtime call per object on every new caller's way to the answer.
    expect(first).not.toBe(a);
    expect(Object.isFrozen(first)).toBe(false);
    expect(Object.isFrozen(first.number)).toBe(false);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.number)).toBe(true);
    expect(Object.isFrozen(a.number?.flags)).toBe(true);
  });

  it("gives a repeat caller's requests one slot, its cache entry's, kept when the entry is filed again", () => {
    const from = (tag: string) => headersOf({ from: `"Bianchi" <sip:0287654321@h>;tag=${tag}` });
    const first = identifyKept(from('one'), IT);
    const second = identifyKept(from('two'), IT);
    const third = identifyKept(from('three'), IT);
    // Heard once: not kept, so a slot of the request's own; from the second request on, the cache entry's.
    expect(first).not.toBe(second);
    expect(third).toBe(second);
    expect(third.identity).toBe(identifyCaller(from('four'), IT));
    const owner = {};
    const record = {};
    third.owner = owner;
    third.record = record;
    // A generation of other callers: the next request is a hit in the older generation, filed again in the younger
    // one as a new entry, with the slot as it was.
    for (let i = 0; i < 10_000; i++) {
      for (const tag of ['a', 'b'])
        identifyCaller(headersOf({ from: `<sip:+39349${String(i).padStart(6, '0')}@h>;tag=${tag}` }), IT);
    }
    const aged = identifyKept(from('five'), IT);
    expect(aged.identity).toBe(third.identity);
    expect(aged.owner).toBe(owner);
    expect(aged.record).toBe(record);
    expect(identifyKept(from('six'), IT)).toBe(aged);
  });

  it('keeps apart requests that differ in anything but the From tag', () => {
    const base = { from: '"Rossi" <sip:0212345678@h>;tag=one' };
    const variants = [
      base,
      { from: '"Rossi" <sip:0212345679@h>;tag=one' },
      { from: '"Rossa" <sip:0212345678@h>;tag=one' },
      { ...base, privacy: 'id' },
      { ...base, 'p-asserted-identity': '<tel:+393331234567>' },
      { ...base, 'remote-party-id': '<sip:0212345678@h>;privacy=full' },
      { ...base, 'p-attestation-indicator': 'A' },
      { from: ['"Rossi" <sip:0212345678@h>;tag=one', '<sip:0298765432@h>'] },
      { from: '"Rossi" <sip:0212345678@h>;tag=one;verstat=TN-Validation-Failed' },
    ];
    for (const values of variants) {
      const headers = headersOf(values);
      expect(identifyCaller(headers, IT)).toEqual(identifyUnguarded(headers, IT));
    }
    const h = headersOf(base);
    expect(identifyCaller(h, { defaultCountry: 'US' })).toEqual(identifyUnguarded(h, { defaultCountry: 'US' }));
    expect(identifyCaller(h, { defaultCountry: 'US' }).number?.e164).not.toBe(identifyCaller(h, IT).number?.e164);
  });

  it('keeps apart callers whose first values have one hash: each kept, each served its own identity', () => {
    // Pairs found by a search: their first values (a PAI; a From without its tag) differ, their hashes do not.
    const callers = [
      '<tel:+390212139599>',
      '<tel:+390212322382>',
      '<sip:3000178724@carrier.example;user=phone>',
      '<sip:3000588200@carrier.example;user=phone>',
    ].map((first) =>
      first.startsWith('<tel:')
        ? (tag: string) => headersOf({ 'p-asserted-identity': first, from: `<sip:0299999999@h>;tag=${tag}` })
        : (tag: string) => headersOf({ from: `${first};tag=${tag}` }),
    );
    const hash = (i: number) => identityHashOf(callers[i]!('x'), IT);
    expect(hash(1)).toBe(hash(0));
    expect(hash(3)).toBe(hash(2));
    const kept: ReturnType<typeof identifyKept>[] = [];
    // Interleaved: kept from each caller's second request, served from its third.
    for (let round = 0; round < 3; round++) {
      for (const [i, caller] of callers.entries()) {
        const headers = caller(`r${round}`);
        const k = identifyKept(headers, IT);
        expect([i, round, k.identity]).toEqual([i, round, identifyUnguarded(headers, IT)]);
        if (round === 1) kept[i] = k;
        if (round === 2) expect([i, k === kept[i]]).toEqual([i, true]);
      }
    }
    expect(kept[0]!.identity.number?.e164).not.toBe(kept[1]!.identity.number?.e164);
    expect(kept[2]!.identity.number?.e164).not.toBe(kept[3]!.identity.number?.e164);
  });

  it('tells apart generated near misses: values split, joined, shortened, moved to another header, counts', () => {
    // Small pools, so many requests share the value the cache files them under (a hash of the first PAI or RPID
    // value, else From's) and are told apart only by the held key: values that are prefixes of one another,
    // that differ in one character or in length, that make the same text when joined, and the same value in
    // another header or as a second value.
    const pool = [
      '<tel:+390212345678>',
      '<tel:+39021234567>',
      '<tel:+390212345679>',
      '<tel:+39021234567>8',
      '"Rossi" <sip:0212345678@h>',
      '"Rossi" <sip:0212345678@h;user=phone>',
      '<sip:anonymous@anonymous.invalid>',
      '<sip:+390212345678@h>;verstat=TN-Validation-Passed',
      '<sip:+390212345678@h>;party=calling;privacy=full',
      'a',
      'ab',
      'b',
      '',
      'id',
      'none',
      'A',
      '\u00e8\ud800x',
      // code units equal to the counts and lengths the cache's key holds between values
      '\u0001',
      '\u0002a',
      'a\u0001',
      '\u0000',
    ];
    const requests = generated(pool, 3000, 1712);
    // Each asked three times with From tags of its own, interleaved: kept from the second time, then served.
    for (let round = 0; round < 3; round++) {
      for (const [i, r] of requests.entries()) {
        const values = { ...r.values };
        if (values['from'] !== undefined) values['from'] = values['from'].map((v) => `${v};tag=r${round}x${i}`);
        const headers = headersOf(values);
        const opts = { defaultCountry: r.country };
        expect([i, round, identifyCaller(headers, opts)]).toEqual([i, round, identifyUnguarded(headers, opts)]);
      }
    }
  });

  it("finds one request's held key for another exactly when their values are the same", () => {
    // Every pair of generated requests: the key held for one matches the other (compared in place, as a look-up
    // compares it) when (and only when) their countries and header values are the same, From values without their
    // tags.
    const pool = ['<tel:+390212345678>', '<tel:+39021234567>', '"R" <sip:1@h>', 'a', 'ab', 'b', '', 'id'];
    const requests = generated([...pool, '\u0001', '\u0002a', 'a\u0001', '\u0000'], 400, 2026);
    // From values each with a tag of its own: dropped where it is alone after the name-addr, part of the value else.
    const tagged = (r: Generated, tag: string): Generated => {
      const values = { ...r.values };
      if (values['from'] !== undefined) values['from'] = values['from'].map((v) => `${v};tag=${tag}`);
      return { values, country: r.country };
    };
    const same = (r: Generated): string =>
      JSON.stringify([
        r.country,
        ...HEADER_NAMES.map((n) => (n === 'from' ? r.values[n]?.map(withoutFromTag) : r.values[n]) ?? []),
      ]);
    let matched = 0;
    for (const [i, request] of requests.entries()) {
      const a = tagged(request, `k${i}`);
      const key = identityKeyOf(headersOf(a.values), { defaultCountry: a.country });
      expect(key).not.toBeNull();
      for (const [j, other] of requests.entries()) {
        const b = tagged(other, `x${j}`);
        const matches = identityKeyMatches(key!, headersOf(b.values), { defaultCountry: b.country });
        expect([i, j, matches]).toEqual([i, j, same(a) === same(b)]);
        if (matches) matched++;
      }
    }
    // A count read as a value's text would let these two line up: a held 'a\u0001' in Remote-Party-ID against 'a'
    // there and an empty From value (the \u0001 taken for From's count).
    const held = identityKeyOf(headersOf({ 'remote-party-id': 'a\u0001' }), IT)!;
    expect(identityKeyMatches(held, headersOf({ 'remote-party-id': 'a', from: '' }), IT)).toBe(false);
    expect(identityKeyMatches(held, headersOf({ 'remote-party-id': 'a\u0001' }), IT)).toBe(true);
    expect(matched).toBeGreaterThan(requests.length / 2); // the same values found again, not only misses
  });

  it('gives long and odd values, up to the longest key kept and past it, what reading their headers gives', () => {
    // Lengths from 256 on are code units above one byte in the key (a two-byte string), 1024 in all the most kept;
    // control characters, lone surrogates and the key's own length units inside the values.
    const long = (n: number, fill: string): string =>
      `<sip:${fill.repeat(n).slice(0, Math.max(0, n - 7))}@h>`.slice(-n);
    const odd = ['\u0000', '\u00ff\u0100', '\ud800', '\udfff<tel:+390212345678>', '\u0400\u03ff', '\r\n', ',', '"'];
    const requests: Record<string, string[]>[] = [];
    for (const n of [254, 255, 256, 257, 300, 511, 512, 1000, 1010, 1011, 1012, 1013, 1020, 1030, 2000]) {
      for (const fill of ['1', 'é', '\u0100']) {
        requests.push({ from: [long(n, fill)] });
        requests.push({ 'p-asserted-identity': [long(n, fill)], from: ['<sip:1@h>'] });
        requests.push({ from: [long(n >> 1, fill), long(n - (n >> 1), fill)] });
      }
    }
    for (const a of odd) {
      for (const b of odd) {
        requests.push({ from: [`${a}<sip:+390212345678@h>${b}`] });
        requests.push({ 'remote-party-id': [a], from: [b] });
        requests.push({ privacy: [a, b], identity: [b], 'p-attestation-indicator': [a] });
      }
    }
    for (let round = 0; round < 3; round++) {
      for (const [i, values] of requests.entries()) {
        const tagged = { ...values };
        if (tagged['from'] !== undefined) tagged['from'] = tagged['from'].map((v) => `${v};tag=o${round}x${i}`);
        const headers = headersOf(tagged);
        expect([i, round, identifyCaller(headers, IT)]).toEqual([i, round, identifyUnguarded(headers, IT)]);
      }
    }
    // The values of a key kept are 1024 code units at most, their count included: the country's 2, From's 1 + n.
    const at = (n: number) => identityKeyOf(headersOf({ from: ['x'.repeat(n)] }), IT);
    // The country, then each header's count and its values, in the order of trust, then the others.
    expect(at(1021)).toEqual(['IT', 0, 0, 1, 'x'.repeat(1021), 0, 0, 0]);
    expect(at(1022)).toBeNull();
  });

  it("holds a kept caller's values as one string: each count, and each value after its length, a code unit each", () => {
    // One string a caller, read in place at a look-up: the country, then each header's count and its values.
    const text = (values: Record<string, string | string[]>) => identityTextOf(headersOf(values), IT);
    expect(text({ from: ['x'.repeat(1021)] })).toBe(
      `\u0002IT\u0000\u0000\u0001\u03fd${'x'.repeat(1021)}\u0000\u0000\u0000`,
    );
    expect(text({ from: ['x'.repeat(1022)] })).toBeNull();
    expect(
      text({ 'p-asserted-identity': '<tel:+390212345678>', from: '<sip:1@h>;tag=a', privacy: ['id', 'user'] }),
    ).toBe('\u0002IT\u0001\u0013<tel:+390212345678>\u0000\u0001\u0009<sip:1@h>\u0002\u0002id\u0004user\u0000\u0000');
  });

  it('drops only a tag that is alone after the name-addr', () => {
    expect(withoutFromTag('"A" <sip:1@h>;tag=x-1')).toBe('"A" <sip:1@h>');
    expect(withoutFromTag('<sip:1@h> ; TAG = abc ')).toBe('<sip:1@h>');
    expect(withoutFromTag('<sip:1@h>;tag=x;verstat=TN-Validation-Passed')).toBe(
      '<sip:1@h>;tag=x;verstat=TN-Validation-Passed',
    );
    expect(withoutFromTag('<sip:1@h>;verstat=TN-Validation-Passed;tag=x')).toBe(
      '<sip:1@h>;verstat=TN-Validation-Passed;tag=x',
    );
    expect(withoutFromTag('sip:1@h;tag=x')).toBe('sip:1@h;tag=x');
    expect(withoutFromTag('<sip:1@h>;tag="x"')).toBe('<sip:1@h>;tag="x"');
    expect(withoutFromTag('<sip:1@h>;tag=')).toBe('<sip:1@h>;tag=');
  });
});

describe('what the identity cache keeps', () => {
  // drachtio-srf's header values are slices of the whole SIP message: a kept string that is one keeps the message.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const MESSAGE = 1 << 20;
  const CALLERS = 16;

  /**
   * Heap kept after CALLERS callers ring `rounds` times (kept from the second), each request a slice of its own 1 MB
   * message; `beforeLast` runs before the last round (what it leaves on the heap, or frees, not counted).
   */
  function heapKeptBy(
    ask: (requestUri: string, from: string) => unknown,
    tag: string,
    rounds = 2,
    beforeLast: () => void = () => {},
  ): number {
    gc();
    const before = process.memoryUsage().heapUsed;
    let notCounted = 0;
    for (let round = 0; round < rounds; round++) {
      if (round === rounds - 1) {
        gc();
        const from = process.memoryUsage().heapUsed;
        beforeLast();
        gc();
        notCounted += process.memoryUsage().heapUsed - from;
      }
      for (let i = 0; i < CALLERS; i++) {
        const did = `06123${tag}${String(i).padStart(4, '0')}`;
        const from = `<sip:+39347${tag}${String(i).padStart(5, '0')}@127.0.0.1:5060>`;
        const text = `INVITE sip:${did}@127.0.0.1 SIP/2.0\r\nFrom: ${from};tag=r${round}\r\nX-Pad: ${'x'.repeat(MESSAGE)}${i}.${round}\r\n`;
        const uriAt = text.indexOf('sip:');
        const fromAt = text.indexOf(from);
        ask(text.slice(uriAt, text.indexOf(' ', uriAt)), text.slice(fromAt, fromAt + from.length + 7));
      }
    }
    gc();
    return process.memoryUsage().heapUsed - before - notCounted;
  }

  it('a kept identity holds no slice of the request: the messages are collected', () => {
    const kept = heapKeptBy((requestUri, from) => {
      const identity = identifyCaller({ requestUri, header: (n) => (n === 'from' ? [from] : []) }, IT);
      expect(identity.number?.e164).toMatch(/^\+39347/);
    }, '91');
    expect(kept).toBeLessThan((CALLERS * MESSAGE) / 4);
  });

  it('a caller heard once: the identity made for its request alone holds no slice of it either', () => {
    // The identity of a request the cache does not keep is the request's own, yet V8 may allocate it in the old
    // generation (it pretenures the site): there a dead one kept its message through every scavenge until the next
    // mark-compact, as long as it held a slice of it (session 48). Held here, it must not keep the messages.
    const held: CallerIdentity[] = [];
    const kept = heapKeptBy(
      (requestUri, from) => {
        const identity = identifyCaller({ requestUri, header: (n) => (n === 'from' ? [from] : []) }, IT);
        expect(identity.number?.e164).toMatch(/^\+39347/);
        held.push(identity);
      },
      '93',
      1,
    );
    expect(held).toHaveLength(CALLERS);
    expect(kept).toBeLessThan((CALLERS * MESSAGE) / 4);
  });

  it('nor does one read from P-Asserted-Identity, Remote-Party-ID or a From with a display name', () => {
    // identifyParsed's identity (not plainFrom's): its number's raw text and E.164, its display name and its verstat
    // were each a slice of a header value, so of the whole message, when no character needed cleaning.
    for (const [k, shape] of [
      (n: string) => ({
        'p-asserted-identity': `"Mario Rossi" <sip:${n}@127.0.0.1;user=phone;verstat=TN-Validation-Passed>`,
      }),
      (n: string) => ({ 'remote-party-id': `"Mario Rossi" <sip:${n}@127.0.0.1>;party=calling;screen=yes` }),
      (n: string) => ({ 'p-asserted-identity': `<tel:${n};verstat=TN-Validation-Passed>` }),
      (n: string) => ({ from: `"Mario Rossi" <sip:${n}@127.0.0.1>` }),
    ].entries()) {
      const held: CallerIdentity[] = [];
      const kept = heapKeptByHeaders(
        (i) => shape(`+39347${94 + k}${String(i).padStart(5, '0')}`),
        (identity) => {
          expect(identity.number?.e164).toMatch(/^\+39347/);
          expect(identity.displayName ?? 'Mario Rossi').toBe('Mario Rossi');
          held.push(identity);
        },
      );
      expect(held).toHaveLength(CALLERS);
      expect(held.some((identity) => identity.displayName !== null || identity.verstat !== null)).toBe(true);
      expect(kept, `shape ${k}`).toBeLessThan((CALLERS * MESSAGE) / 4);
    }
  });

  /**
   * Heap kept after CALLERS callers ring once, each request's header values (`values(i)`, a From added if none, with
   * its tag) slices of its own 1 MB message, and `check` given each identity.
   */
  function heapKeptByHeaders(
    values: (i: number) => Record<string, string>,
    check: (identity: CallerIdentity) => void,
  ): number {
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < CALLERS; i++) {
      const given = values(i);
      const named: Record<string, string> = { from: '<sip:anonymous@anonymous.invalid>', ...given };
      named.from += `;tag=t${i}`;
      let text = `INVITE sip:0612300${i}@127.0.0.1 SIP/2.0\r\n`;
      for (const [name, value] of Object.entries(named)) text += `${name}: ${value}\r\n`;
      text += `X-Pad: ${'x'.repeat(MESSAGE)}${i}\r\n`;
      const sliced = new Map<string, string>();
      for (const [name, value] of Object.entries(named)) {
        const at = text.indexOf(`${name}: `) + name.length + 2;
        sliced.set(name, text.slice(at, at + value.length));
      }
      const uriAt = text.indexOf('sip:');
      const requestUri = text.slice(uriAt, text.indexOf(' ', uriAt));
      check(identifyCaller({ requestUri, header: (n) => (sliced.has(n) ? [sliced.get(n)!] : []) }, IT));
    }
    gc();
    return process.memoryUsage().heapUsed - before;
  }

  it('nor when a hit in the older generation keeps it in the younger one again', () => {
    // Kept from each caller's second request, then a generation of the cache (10,000 identities kept) of other
    // callers: the third requests are hits in the older generation, asked with keys made of slices of their messages.
    const aged = () => {
      for (let i = 0; i < 10_000; i++) {
        const from = `<sip:+39348${String(i).padStart(6, '0')}@h>`;
        for (const tag of ['a', 'b']) identifyCaller(headersOf({ from: `${from};tag=${tag}` }), IT);
      }
    };
    // The identities kept at the second requests (their own strings), and whether the third got the same one.
    const second: unknown[] = [];
    let asked = 0;
    let hits = 0;
    const kept = heapKeptBy(
      (requestUri, from) => {
        const identity = identifyCaller({ requestUri, header: (n) => (n === 'from' ? [from] : []) }, IT);
        const round = Math.floor(asked++ / CALLERS);
        if (round === 1) second.push(identity);
        if (round === 2 && identity === second[asked - 1 - 2 * CALLERS]) hits++;
      },
      '92',
      3,
      aged,
    );
    expect(kept).toBeLessThan((CALLERS * MESSAGE) / 4);
    // The third requests were answered from the cache (all of them, but for those the older generation held already
    // when kept, if the tests before left the younger one nearly full).
    expect(hits).toBeGreaterThanOrEqual(CALLERS / 2);
  });
});
