import { SecondSight } from '../screening/second-sight.js';

/**
 * A bounded cache of recent results for the per-call path, where the same callers come back (that is the point
 * of screening). Two generations: when `young` is full it becomes `old` and the previous `old` is dropped; a hit
 * in `old` is promoted. O(1) per call, at most 2 × `generation` entries, and no Map iteration (a FIFO that deletes
 * the oldest key pays for skipping deleted slots).
 */
export class RecentCache<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();

  constructor(private readonly generation: number) {}

  get(key: string): V | undefined {
    const hit = this.young.get(key);
    if (hit !== undefined) return hit;
    const aged = this.old.get(key);
    if (aged !== undefined) this.set(key, aged);
    return aged;
  }

  set(key: string, value: V): void {
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map<string, V>();
    }
    this.young.set(key, value);
  }
}

/**
 * The key of a RecentValuesCache: strings and counts, compared in order with `===`. A count never equals a
 * string, so length-prefixed lists of values (`2, a, b, 0, c`) can follow each other without a separator.
 */
export type ValuesKey = readonly (string | number)[];

/** Whether a key held by the cache is the one a request's values make (`subject`: those values, unbuilt). */
export type KeyMatch<S, K = ValuesKey> = (held: K, subject: S) => boolean;

/** A key held by a RecentValuesCache (its strings its own), its value, and the slot it is filed under (smallHash). */
export interface ValuesEntry<V, K = ValuesKey> {
  readonly key: K;
  readonly value: V;
  readonly slot: number;
}

/** A copy of `s` that holds no larger string (a slice of a whole SIP message would keep the message alive). */
export function detached(s: string): string {
  return (' ' + s).slice(1);
}

/**
 * A copy of `s` as detached makes it, and in one piece: a string of its own characters, where detached's copy of 13
 * characters or more is a view of a copy one character longer (a sliced string, in V8's terms). Held strings that
 * are looked up as Map keys are kept so: a Map compares a key found under the hash with the one asked by calling
 * into V8's runtime when either is a sliced string (~30 ns more a look-up on Node 20, when hot), and in place when
 * both are in one piece. Slower to make than detached (JSON's writer and reader: a copy of every character, escapes
 * undone), so for what a cache keeps, not for what every request makes.
 */
export function flatCopy(s: string): string {
  return s.length < 13 ? detached(s) : (JSON.parse(JSON.stringify(s)) as string);
}

/** `key` with each of its strings copied (see detached): what a cache of ValuesKeys holds. */
export function detachedValues(key: ValuesKey): ValuesKey {
  return key.map((v) => (typeof v === 'string' ? detached(v) : v));
}

function findEntry<V, K, S>(
  bucket: ValuesEntry<V, K>[] | undefined,
  matches: KeyMatch<S, K>,
  subject: S,
): ValuesEntry<V, K> | undefined {
  if (bucket === undefined) return undefined;
  for (const entry of bucket) if (matches(entry.key, subject)) return entry;
  return undefined;
}

/**
 * `a === b` for strings, written as indexOf: on drachtio-srf's header values, slices of the whole message, `===`
 * calls into V8's runtime (node 20), while indexOf compares them in place (~35% less per compare, micro-benchmark on
 * parsed values, load 2.5). The called-number cache's compare of a request's values with a held key.
 */
export function sameText(a: string, b: string): boolean {
  return a.length === b.length && a.indexOf(b) === 0;
}

/** Keys kept under one hash at most (the oldest goes first). */
const MAX_PER_HASH = 8;

/** FNV-1a offset basis: the hash of nothing (see hashText). */
export const HASH_START = 0x811c9dc5 | 0;

/** `hash` extended by one unit `n` (a count, a length, a code unit): FNV-1a's step, 32 bits. */
export function hashUnit(hash: number, n: number): number {
  return Math.imul(hash ^ n, 0x01000193);
}

/** `hash` (HASH_START to begin) extended by the UTF-16 code units of `text` before `end` (FNV-1a, 32 bits). */
export function hashText(hash: number, text: string, end: number = text.length): number {
  let h = hash;
  for (let i = 0; i < end; i++) h = hashUnit(h, text.charCodeAt(i));
  return h;
}

/**
 * The Maps' key for a 32-bit hash: its low 30 bits, a small integer V8 keeps unboxed. Outside that range a hash
 * is a heap number, allocated per look-up and hashed and compared as a double by the Map. Entries under one key
 * are still told apart by their values.
 */
function smallHash(hash: number): number {
  return hash & 0x3fffffff;
}

/**
 * Two generations of entries filed under small integer hashes, the shape RecentValuesCache and the caller-ID cache
 * (identify-caller.ts KeptIdentities) share: an entry goes to `young`; when `generation` entries are in it, it becomes
 * `old` and the previous `old` is dropped (a subclass files a hit in `old` again in `young`); a request's values are
 * kept from their second sight (admits). Each subclass looks up its own buckets (`B`) in the two Maps.
 */
export abstract class HashGenerations<B> {
  protected young = new Map<number, B>();
  protected youngSize = 0;
  protected old = new Map<number, B>();
  private readonly sight = new SecondSight();

  constructor(private readonly generation: number) {}

  /**
   * Whether values with this hash would be kept now: true the second time a hash is offered (file them then), false
   * the first. Lets the caller skip building the key of a request heard once.
   */
  admits(hash: number): boolean {
    return this.sight.again(hash);
  }

  /** The young generation, made anew when full (the old one dropped), with one more entry counted in it. */
  protected youngForOneMore(): Map<number, B> {
    if (this.youngSize >= this.generation) {
      this.old = this.young;
      this.young = new Map<number, B>();
      this.youngSize = 0;
    }
    this.youngSize++;
    return this.young;
  }
}

/**
 * RecentCache keyed by several header values without building a key per request: the caller passes a hash of the
 * values (hashText: an integer key, so no string is hashed by the Map and none is built) and the values as they are
 * (`subject`) with a function that compares them to a held key; only a key stored is built. The key is a ValuesKey,
 * or any other form `K` the caller builds and compares; the caller hands `set` a key of its own, holding no slice of
 * a request (detachedValues for a ValuesKey). A caller's values are stored when they come a second time
 * (SecondSight, on a hash of them). Same generations and bound as RecentCache (counted in values kept, not in
 * hashes); at most MAX_PER_HASH keys under one hash. (The caller-ID cache, which filed its keys under a string of
 * the request, keeps one object a caller of its own since session 36: identify-caller.ts KeptIdentities.)
 */
export class RecentValuesCache<V, K = ValuesKey> extends HashGenerations<ValuesEntry<V, K>[]> {
  get<S>(hash: number, matches: KeyMatch<S, K>, subject: S): V | undefined {
    return this.entry(hash, matches, subject)?.value;
  }

  /** get's entry: the held key with its value (a caller may keep it to compare the next request with first). */
  entry<S>(hash: number, matches: KeyMatch<S, K>, subject: S): ValuesEntry<V, K> | undefined {
    const slot = smallHash(hash);
    const hit = findEntry(this.young.get(slot), matches, subject);
    if (hit !== undefined) return hit;
    const aged = findEntry(this.old.get(slot), matches, subject);
    if (aged === undefined) return undefined;
    this.add(aged);
    return aged;
  }

  /**
   * Stores `value` under `hash` and `key`, a key of the
   * caller's own (detachedValues; see admits: the caller asks it first); returns the entry.
   */
  set(hash: number, key: K, value: V): ValuesEntry<V, K> {
    const entry = { key, value, slot: smallHash(hash) };
    this.add(entry);
    return entry;
  }

  private add(entry: ValuesEntry<V, K>): void {
    const young = this.youngForOneMore();
    const bucket = young.get(entry.slot);
    if (bucket === undefined) young.set(entry.slot, [entry]);
    else {
      // Many keys under one slot (one URI sent with ever-changing other headers) must not make a look-up slow.
      if (bucket.length >= MAX_PER_HASH) bucket.shift();
      bucket.push(entry);
    }
  }
}
