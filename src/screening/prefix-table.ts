/**
 * Longest-prefix match over E.164 strings. Built once; a lookup probes one Map per distinct prefix length,
 * longest first, so it costs a handful of short slices and hash lookups whatever the number of rules.
 */
export class PrefixTable<T> {
  private readonly byPrefix = new Map<string, T>();
  /** Distinct prefix lengths, longest first. */
  private readonly lengths: number[];

  constructor(entries: Iterable<readonly [prefix: string, value: T]>) {
    for (const [prefix, value] of entries) {
      if (this.byPrefix.has(prefix)) throw new Error(`duplicate prefix ${prefix}`);
      this.byPrefix.set(prefix, value);
    }
    this.lengths = [...new Set([...this.byPrefix.keys()].map((p) => p.length))].sort((a, b) => b - a);
  }

  get size(): number {
    return this.byPrefix.size;
  }

  /** The value of the longest prefix of `e164`, or undefined. */
  match(e164: string): T | undefined {
    for (const length of this.lengths) {
      if (length > e164.length) continue;
      const value = this.byPrefix.get(e164.slice(0, length));
      if (value !== undefined) return value;
    }
    return undefined;
  }
}
