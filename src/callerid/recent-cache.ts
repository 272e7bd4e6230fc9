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
