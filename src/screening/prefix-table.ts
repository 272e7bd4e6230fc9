/**
 * Longest-prefix match over E.164 strings. Built once into a tree of the prefixes' characters; a lookup walks the
 * number's characters down it (one array read each, as deep as the longest prefix goes), so it builds no string
 * and hashes none whatever the number of rules: the slice and Map look-up per distinct prefix length it did before
 * were a string built and hashed for each on every call.
 */
interface Node<T> {
  /** The value of the prefix that ends here, when one does. */
  value: T | undefined;
  /** Children by character code (a sparse array: E.164 prefixes use codes 43 and 48–57). */
  next: Node<T>[];
}

function node<T>(): Node<T> {
  return { value: undefined, next: [] };
}

export class PrefixTable<T> {
  private readonly root: Node<T> = node();
  private count = 0;

  constructor(entries: Iterable<readonly [prefix: string, value: T]>) {
    const seen = new Set<string>();
    for (const [prefix, value] of entries) {
      if (seen.has(prefix)) throw new Error(`duplicate prefix ${prefix}`);
      seen.add(prefix);
      let at = this.root;
      for (let i = 0; i < prefix.length; i++) {
        const c = prefix.charCodeAt(i);
        let child = at.next[c];
        if (child === undefined) {
          child = node();
          at.next[c] = child;
        }
        at = child;
      }
      at.value = value;
      this.count++;
    }
  }

  get size(): number {
    return this.count;
  }

  /** The value of the longest prefix of `e164`, or undefined. */
  match(e164: string): T | undefined {
    let at = this.root;
    let found = at.value;
    for (let i = 0; i < e164.length; i++) {
      const child = at.next[e164.charCodeAt(i)];
      if (child === undefined) break;
      at = child;
      if (at.value !== undefined) found = at.value;
    }
    return found;
  }
}
