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

interface ValuesEntry<V> {
  key: ValuesKey;
  value: V;
}

/** A copy of `s` that holds no larger string (a slice of a whole SIP message would keep the message alive). */
function detached(s: string): string {
  return (' ' + s).slice(1);
}

function findEntry<V>(bucket: ValuesEntry<V>[] | undefined, key: ValuesKey): ValuesEntry<V> | undefined {
  if (bucket === undefined) return undefined;
  for (const entry of bucket) {
    const held = entry.key;
    if (held.length !== key.length) continue;
    let i = 0;
    while (i < key.length && held[i] === key[i]) i++;
    if (i === key.length) return entry;
  }
  return undefined;
}

/** Keys kept under one head at most (the oldest goes first). */
const MAX_PER_HEAD = 8;

/**
 * RecentCache keyed by several header values without joining them into one string: joining, then hashing and
 * comparing the joined key, was most of a cache hit's cost. The caller names one of the values (`head`, the most
 * telling: the caller's URI rather than the country) as the Map key; the values with the same head are compared
 * one by one. Same generations and bound as RecentCache (counted in values kept, not in heads).
 */
export class RecentValuesCache<V> {
  private young = new Map<string, ValuesEntry<V>[]>();
  private youngSize = 0;
  private old = new Map<string, ValuesEntry<V>[]>();

  constructor(private readonly generation: number) {}

  get(head: string, key: ValuesKey): V | undefined {
    const hit = findEntry(this.young.get(head), key);
    if (hit !== undefined) return hit.value;
    const aged = findEntry(this.old.get(head), key);
    if (aged === undefined) return undefined;
    this.add(head, aged);
    return aged.value;
  }

  set(head: string, key: ValuesKey, value: V): void {
    const own = key.map((v) => (typeof v === 'string' ? detached(v) : v));
    this.add(detached(head), { key: own, value });
  }

  private add(head: string, entry: ValuesEntry<V>): void {
    if (this.youngSize >= this.generation) {
      this.old = this.young;
      this.young = new Map<string, ValuesEntry<V>[]>();
      this.youngSize = 0;
    }
    const bucket = this.young.get(head);
    if (bucket === undefined) this.young.set(head, [entry]);
    else {
      // Many keys under one head (one URI sent with ever-changing other headers) must not make a look-up slow.
      if (bucket.length >= MAX_PER_HEAD) bucket.shift();
      bucket.push(entry);
    }
    this.youngSize++;
  }
}
