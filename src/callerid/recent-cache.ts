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

  /**
   * `own`: the key a hit in `old` is kept under in `young`, from the key it was asked with (the identity cache asks
   * with a key made of slices of the request, and keeps a copy: see detached); by default the key asked with.
   */
  constructor(
    private readonly generation: number,
    private readonly own: (key: string) => string = sameKey,
  ) {}

  get(key: string): V | undefined {
    const hit = this.young.get(key);
    if (hit !== undefined) return hit;
    const aged = this.old.get(key);
    if (aged !== undefined) this.set(this.own(key), aged);
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

function sameKey(key: string): string {
  return key;
}

/**
 * The key of a RecentValuesCache: strings and counts, compared in order with `===`. A count never equals a
 * string, so length-prefixed lists of values (`2, a, b, 0, c`) can follow each other without a separator.
 */
export type ValuesKey = readonly (string | number)[];

/** Whether a key held by the cache is the one a request's values make (`subject`: those values, unbuilt). */
export type KeyMatch<S, K = ValuesKey> = (held: K, subject: S) => boolean;

/** A key held by a RecentValuesCache (its strings its own) and its value. */
export interface ValuesEntry<V, K = ValuesKey> {
  readonly key: K;
  readonly value: V;
}

/** A copy of `s` that holds no larger string (a slice of a whole SIP message would keep the message alive). */
export function detached(s: string): string {
  return (' ' + s).slice(1);
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
 * Whether `value` begins with `held` (the whole of it when their lengths are equal): the cache's compare of a
 * request's header value with a held one. Written as indexOf because on drachtio-srf's header values, slices of
 * the whole message, `===` and String#startsWith call into V8's runtime (node 20), while indexOf compares them in
 * place: ~35% less per compare than `===` (micro-benchmark on parsed values, load 2.5), ~3× less than startsWith.
 * A `held` found further in is a mismatch; the search is bounded by the length `value` has beyond `held`.
 */
export function beginsWith(value: string, held: string): boolean {
  return value.length >= held.length && value.indexOf(held) === 0;
}

/** `a === b` for strings, compared as beginsWith compares them. */
export function sameText(a: string, b: string): boolean {
  return a.length === b.length && a.indexOf(b) === 0;
}

/** Keys kept under one hash at most (the oldest goes first). */
const MAX_PER_HASH = 8;

/** FNV-1a offset basis: the hash of nothing (see hashText). */
export const HASH_START = 0x811c9dc5 | 0;

/** `hash` (HASH_START to begin) extended by the UTF-16 code units of `text` before `end` (FNV-1a, 32 bits). */
export function hashText(hash: number, text: string, end: number = text.length): number {
  let h = hash;
  for (let i = 0; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
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
 * RecentCache keyed by several header values without building a key per request: the caller hashes the values
 * (hashText: an integer key, so no string is hashed by the Map and none is built) and passes the values as they
 * are (`subject`) with a function that compares them to a held key; only a key stored is built. The key is a
 * ValuesKey, or any other form `K` the caller builds and compares; the caller hands `set` a key of its own, holding
 * no slice of a request (detachedValues for a ValuesKey). A caller's values are stored when they come a second time
 * (SecondSight). Same generations and bound as
 * RecentCache (counted in values kept, not in hashes); at most MAX_PER_HASH keys under one hash.
 */
export class RecentValuesCache<V, K = ValuesKey> {
  private young = new Map<number, ValuesEntry<V, K>[]>();
  private youngSize = 0;
  private old = new Map<number, ValuesEntry<V, K>[]>();
  private readonly sight = new SecondSight();

  constructor(private readonly generation: number) {}

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
    this.add(slot, aged);
    return aged;
  }

  /**
   * Whether a value for this hash would be stored now: true the second time a hash is offered (call `set`
   * then), false the first. Lets the caller skip building the key of a request heard once.
   */
  admits(hash: number): boolean {
    return this.sight.again(hash);
  }

  /**
   * Stores `value` under `hash` and `key`, a key of the caller's own (detachedValues; see admits: the caller asks
   * it first); returns the entry.
   */
  set(hash: number, key: K, value: V): ValuesEntry<V, K> {
    const entry = { key, value };
    this.add(smallHash(hash), entry);
    return entry;
  }

  /** `hash`: a smallHash. */
  private add(hash: number, entry: ValuesEntry<V, K>): void {
    if (this.youngSize >= this.generation) {
      this.old = this.young;
      this.young = new Map<number, ValuesEntry<V, K>[]>();
      this.youngSize = 0;
    }
    const bucket = this.young.get(hash);
    if (bucket === undefined) this.young.set(hash, [entry]);
    else {
      // Many keys under one hash (one URI sent with ever-changing other headers) must not make a look-up slow.
      if (bucket.length >= MAX_PER_HASH) bucket.shift();
      bucket.push(entry);
    }
    this.youngSize++;
  }
}
