/**
 * What an outcome update or a talk time needs of its attempt once the attempt is committed (its caller, whether it was
 * refused, its journal key), for the last `size` ids committed: kept in parallel arrays by `id % size`, a slot per id,
 * not an object per attempt. Every committed attempt is remembered, and an object per call lived for the next 10,000
 * to 20,000 calls (5–10 s at 2,000 calls/s): long enough to be copied by the young generation's scavenges and promoted
 * to the old one, then left there for a major GC to find dead; here a call writes into arrays made once. An id whose
 * slot a later id took is forgotten, as an id older than the remembered ones always was (the update then reads the
 * attempt's caller back from its row).
 */
export interface RecentAttempt {
  callerKey: string | null;
  refused: boolean;
  /** The call came withheld: the PBX's decline of it is no refusal of its caller (refusal.ts declineCounts). */
  withheld: boolean;
  /** Its key in the attempts journal (null: written without it), for its journaled updates. */
  journalKey: number | null;
}

export class RecentAttempts {
  /** The id in each slot; 0: none (SQLite's rowids start at 1). */
  private readonly ids: Float64Array;
  /** Journal keys (start at 1); 0: null. */
  private readonly journalKeys: Float64Array;
  private readonly refused: Uint8Array;
  private readonly withheld: Uint8Array;
  private readonly callerKeys: (string | null)[];

  constructor(private readonly size: number) {
    this.ids = new Float64Array(size);
    this.journalKeys = new Float64Array(size);
    this.refused = new Uint8Array(size);
    this.withheld = new Uint8Array(size);
    this.callerKeys = new Array<string | null>(size).fill(null);
  }

  remember(id: number, callerKey: string | null, refused: boolean, journalKey: number | null, withheld = false): void {
    const slot = id % this.size;
    this.ids[slot] = id;
    this.callerKeys[slot] = callerKey;
    this.refused[slot] = refused ? 1 : 0;
    this.withheld[slot] = withheld ? 1 : 0;
    this.journalKeys[slot] = journalKey ?? 0;
  }

  /** The attempt with this id, while remembered (a copy: `markRefused` changes what is remembered). */
  get(id: number): RecentAttempt | undefined {
    const slot = this.slotOf(id);
    if (slot < 0) return undefined;
    const journalKey = this.journalKeys[slot] as number;
    return {
      callerKey: this.callerKeys[slot] ?? null,
      refused: this.refused[slot] === 1,
      withheld: this.withheld[slot] === 1,
      journalKey: journalKey === 0 ? null : journalKey,
    };
  }

  /** The attempt is refused from now on (an outcome update refused it); nothing when it is not remembered. */
  markRefused(id: number): void {
    const slot = this.slotOf(id);
    if (slot >= 0) this.refused[slot] = 1;
  }

  private slotOf(id: number): number {
    if (!Number.isSafeInteger(id) || id <= 0) return -1;
    const slot = id % this.size;
    return this.ids[slot] === id ? slot : -1;
  }
}
