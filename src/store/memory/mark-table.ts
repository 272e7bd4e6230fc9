/**
 * The business's marks, held compactly for a million numbers or more.
 *
 * A JS object (or a Map entry with a boxed double key) per number costs ~90 bytes; here a number costs ~30 bytes:
 * an E.164 key `+393331234567` is held as the double 393331234567 (≤ 15 digits always fits in 2^53), in an
 * open-addressing hash table of Int32 slots pointing into dense typed arrays in chunks of 65536 (key, label,
 * marked_at, company id, category id). Company and category strings are interned once; their ids are Uint16 until there are more than
 * 65535 distinct names, then Uint32. Keys that are not E.164 (`raw:...`) live in a
 * small Map<string, slot>. A cleared mark keeps its slot with label NONE and the time it was cleared (loaded again
 * while within the look-back: load-index.ts).
 */
import { hashDouble, SecondSight } from '../../screening/second-sight.js';
import type { Mark, MarkLabel } from '../../screening/types.js';
import { foldRawKey } from './raw-key-case.js';

export const LABEL_NONE = 0;
export const LABEL_NUISANCE = 1;
export const LABEL_TRUSTED = 2;
const EMPTY = -1;

/** The double for an E.164 key (`+` then 1 to 15 digits, no leading 0), or -1 when the key is not one. */
export function e164KeyToNumber(key: string): number {
  const n = key.length;
  if (n < 2 || n > 16 || key.charCodeAt(0) !== 43 /* + */) return -1;
  let value = 0;
  for (let i = 1; i < n; i++) {
    const d = key.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    if (i === 1 && d === 0) return -1;
    value = value * 10 + d;
  }
  return value;
}

function labelCode(label: MarkLabel | 'none'): number {
  return label === 'nuisance' ? LABEL_NUISANCE : label === 'trusted' ? LABEL_TRUSTED : LABEL_NONE;
}

/** Interns strings to small integer ids; id 0 is null. */
class Interner {
  private readonly ids = new Map<string, number>();
  private readonly values: (string | null)[] = [null];

  id(value: string | null): number {
    if (value === null) return 0;
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.ids.set(value, id);
    }
    return id;
  }

  value(id: number): string | null {
    return this.values[id] ?? null;
  }

  get size(): number {
    return this.values.length - 1;
  }
}

export interface MarkEntry {
  callerKey: string;
  label: MarkLabel | 'none';
  at: number;
  company: string | null;
  category: string | null;
  /** Where the mark came from (Mark.from): an import's `import:<format>`; absent or null: the office's own. */
  from?: string | null;
}

/** The memo key of a raw key's record (an E.164 key is memoized under its number, never negative). */
function rawMemoKey(index: number): number {
  return -1 - index;
}

/** 65536 records of the dense arrays: growing adds a chunk, it never copies (no 1.5× spike at 1M marks). */
const CHUNK_BITS = 16;
const CHUNK_SIZE = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_SIZE - 1;
/** Slots of the memo of Mark objects for callers that come back (MarkTable.get); a power of two. */
const MARK_MEMO_SLOTS = 1 << 15;
const MARK_MEMO_MASK = MARK_MEMO_SLOTS - 1;

interface Chunk {
  keys: Float64Array;
  labels: Uint8Array;
  markedAt: Float64Array;
  companies: Uint16Array | Uint32Array;
  categories: Uint16Array | Uint32Array;
}

export class MarkTable {
  // dense records, one per key ever marked, in chunks
  private count = 0;
  private writes = 0;
  private readonly chunks: Chunk[] = [];
  private wideCompanies = false;
  private wideCategories = false;
  // hash slots → record index
  private slots: Int32Array;
  private mask: number;
  private readonly rawKeys = new Map<string, number>();
  /**
   * Raw keys by their folded spelling (raw-key-case.ts) → the record last written under one of them: a mark made as
   * `raw:promo-energia` holds for the texts of `PROMO-ENERGIA` when that spelling has no mark of its own.
   */
  private readonly foldedKeys = new Map<string, number>();
  private readonly companyNames = new Interner();
  /**
   * The answers last handed out for E.164 keys, by key: the same callers come back, and their mark then costs no
   * allocation (and stays the same object, so what is derived from it can be kept by it) and no walk of the hash
   * slots and records (two or more cache lines far apart in 16 MB at 1M marks: what a decision on cold caches
   * pays for); an unmarked caller's null is kept too. A write drops the key's entry. An answer is kept from the
   * key's second look-up on (comingBack): a number looked up once, most of a million, leaves nothing behind.
   * Direct-mapped by the key's hash (a key evicts the one in its slot; NaN: empty): two array reads.
   */
  private readonly memoKeys = new Float64Array(MARK_MEMO_SLOTS).fill(NaN);
  private readonly memoMarks: (Readonly<Mark> | null)[] = new Array<Readonly<Mark> | null>(MARK_MEMO_SLOTS).fill(null);
  private readonly comingBack = new SecondSight();
  private readonly categoryNames = new Interner();
  /**
   * Record → where its mark came from, for imported marks only (Mark.from): sparse, an office's own marks (most)
   * cost nothing. Any write of a record drops its entry; set() writes it again when the entry has one.
   */
  private readonly sources = new Map<number, string>();

  /** `expected`: how many marks are about to be loaded, to size the hash slots once. */
  constructor(expected = 1024) {
    let slotCount = 16;
    while (slotCount * 0.7 < expected) slotCount *= 2;
    this.slots = new Int32Array(slotCount).fill(EMPTY);
    this.mask = slotCount - 1;
  }

  /** Keys held, marked or cleared. */
  get size(): number {
    return this.count;
  }

  /** Sets or clears the mark of a key. */
  set(entry: MarkEntry): void {
    let index = this.find(entry.callerKey, true);
    if (index === EMPTY) index = this.insert(entry.callerKey);
    else if (Number.isNaN(this.keyAt(index))) this.foldedKeys.set(foldRawKey(entry.callerKey), index);
    this.write(
      index,
      labelCode(entry.label),
      entry.at,
      this.internCompany(entry.company),
      this.internCategory(entry.category),
    );
    if (entry.label !== 'none' && typeof entry.from === 'string') this.sources.set(index, entry.from);
  }

  /**
   * Bulk path after setNumeric (start-up load): the key's mark came from `from` (an import). No-op for a key without
   * a mark.
   */
  setSource(callerKey: string, from: string): void {
    const index = this.find(callerKey, true);
    if (index === EMPTY) return;
    const code = this.chunks[index >>> CHUNK_BITS]?.labels[index & CHUNK_MASK];
    if (code === LABEL_NONE || code === undefined) return;
    this.dropMemo(index);
    this.writes++;
    this.sources.set(index, from);
  }

  /**
   * Bulk path: sets the mark of an E.164 key given as its double (see e164KeyToNumber), with company and category
   * ids from internCompany/internCategory. No string is built.
   */
  setNumeric(key: number, label: number, at: number, companyId: number, categoryId: number): void {
    let index = this.findNumeric(key);
    if (index === EMPTY) index = this.insertNumeric(key);
    this.write(index, label, at, companyId, categoryId);
  }

  internCompany(name: string | null): number {
    const id = this.companyNames.id(name);
    if (id > 0xffff && !this.wideCompanies) {
      this.wideCompanies = true;
      for (const c of this.chunks) c.companies = Uint32Array.from(c.companies);
    }
    return id;
  }

  internCategory(name: string | null): number {
    const id = this.categoryNames.id(name);
    if (id > 0xffff && !this.wideCategories) {
      this.wideCategories = true;
      for (const c of this.chunks) c.categories = Uint32Array.from(c.categories);
    }
    return id;
  }

  /**
   * The mark of a key, or null when unmarked: frozen, the same object until the key's mark is written again. `key`:
   * e164KeyToNumber(callerKey), when the caller has it.
   */
  get(callerKey: string, key = e164KeyToNumber(callerKey)): Readonly<Mark> | null {
    let index = EMPTY;
    let memoKey = key;
    if (key < 0) {
      const raw = this.rawKeys.get(callerKey) ?? this.otherSpelling(callerKey);
      if (raw === undefined) return null;
      index = raw;
      memoKey = rawMemoKey(raw);
    }
    const hash = hashDouble(memoKey);
    const slot = hash & MARK_MEMO_MASK;
    if (this.memoKeys[slot] === memoKey) return this.memoMarks[slot] ?? null;
    if (key >= 0) index = this.findNumeric(key, hash);
    const mark = index === EMPTY ? null : this.markAt(index);
    if (this.comingBack.again(memoKey)) {
      this.memoKeys[slot] = memoKey;
      this.memoMarks[slot] = mark;
    }
    return mark;
  }

  /**
   * When the key's mark was last written (marked with any label, or cleared), ms since epoch; NaN when it never was
   * (or its clearing was before the look-back when loaded). The repeat rule's fresh start (EvidenceIndex.addRefusal).
   */
  changedAt(callerKey: string): number {
    const index = this.find(callerKey);
    if (index === EMPTY) return Number.NaN;
    return this.chunks[index >>> CHUNK_BITS]?.markedAt[index & CHUNK_MASK] ?? Number.NaN;
  }

  /** The mark of record `index`, a new frozen object; null when cleared. */
  private markAt(index: number): Readonly<Mark> | null {
    const chunk = this.chunks[index >>> CHUNK_BITS];
    if (chunk === undefined) return null;
    const i = index & CHUNK_MASK;
    const code = chunk.labels[i];
    if (code === LABEL_NONE || code === undefined) return null;
    const label = code === LABEL_NUISANCE ? 'nuisance' : 'trusted';
    const at = chunk.markedAt[i] ?? 0;
    const company = this.companyNames.value(chunk.companies[i] ?? 0);
    const category = this.categoryNames.value(chunk.categories[i] ?? 0);
    // An imported mark only has `from` (few): an office's own marks keep the one shape they always had.
    const from = this.sources.size === 0 ? undefined : this.sources.get(index);
    const mark: Readonly<Mark> = Object.freeze(
      from === undefined ? { label, at, company, category } : { label, at, company, category, from },
    );
    return mark;
  }

  /** Calls `fn` for every marked E.164 key (as its double) with its label; raw keys are skipped. No allocation. */
  forEachNumeric(fn: (key: number, label: 'nuisance' | 'trusted') => void): void {
    for (let index = 0; index < this.count; index++) {
      const chunk = this.chunks[index >>> CHUNK_BITS];
      if (chunk === undefined) break;
      const i = index & CHUNK_MASK;
      const key = chunk.keys[i] ?? NaN;
      const code = chunk.labels[i];
      if (Number.isNaN(key) || code === LABEL_NONE || code === undefined) continue;
      fn(key, code === LABEL_NUISANCE ? 'nuisance' : 'trusted');
    }
  }

  /** Bytes held by the typed arrays (the Maps of raw keys and names come on top). */
  get byteLength(): number {
    let bytes = this.slots.byteLength;
    for (const c of this.chunks) {
      bytes += c.keys.byteLength + c.labels.byteLength + c.markedAt.byteLength;
      bytes += c.companies.byteLength + c.categories.byteLength;
    }
    return bytes;
  }

  /** Mark writes so far, by any path (set, setNumeric): what the verdict memo's entries are checked against. */
  get version(): number {
    return this.writes;
  }

  private write(index: number, label: number, at: number, companyId: number, categoryId: number): void {
    this.writes++;
    this.dropMemo(index);
    if (this.sources.size > 0) this.sources.delete(index);
    const chunk = this.chunks[index >>> CHUNK_BITS];
    if (chunk === undefined) throw new RangeError(`mark record ${index} out of range`);
    const i = index & CHUNK_MASK;
    chunk.labels[i] = label;
    chunk.markedAt[i] = at;
    chunk.companies[i] = companyId;
    chunk.categories[i] = categoryId;
  }

  /** The key's memoized answer (a mark, or null before the key had a record) is out of date. */
  private dropMemo(index: number): void {
    const stored = this.keyAt(index);
    const key = Number.isNaN(stored) ? rawMemoKey(index) : stored;
    const slot = hashDouble(key) & MARK_MEMO_MASK;
    if (this.memoKeys[slot] === key) {
      this.memoKeys[slot] = NaN;
      this.memoMarks[slot] = null;
    }
  }

  private keyAt(index: number): number {
    return this.chunks[index >>> CHUNK_BITS]?.keys[index & CHUNK_MASK] ?? NaN;
  }

  /** The record of the key, or of another spelling of a raw key when it has none (`exact`: only its own). */
  private find(callerKey: string, exact = false): number {
    const key = e164KeyToNumber(callerKey);
    if (key >= 0) return this.findNumeric(key);
    return this.rawKeys.get(callerKey) ?? (exact ? undefined : this.otherSpelling(callerKey)) ?? EMPTY;
  }

  /** The record last written under another spelling of a raw key (foldedKeys). */
  private otherSpelling(callerKey: string): number | undefined {
    return this.foldedKeys.size === 0 ? undefined : this.foldedKeys.get(foldRawKey(callerKey));
  }

  /** `hash`: hashDouble(key), when the caller has it. */
  private findNumeric(key: number, hash = hashDouble(key)): number {
    let slot = hash & this.mask;
    for (;;) {
      const index = this.slots[slot] ?? EMPTY;
      if (index === EMPTY) return EMPTY;
      if (this.keyAt(index) === key) return index;
      slot = (slot + 1) & this.mask;
    }
  }

  /** A new record holding `key` (NaN for raw keys); returns its index. */
  private append(key: number): number {
    const index = this.count++;
    let chunk = this.chunks[index >>> CHUNK_BITS];
    if (chunk === undefined) {
      chunk = {
        keys: new Float64Array(CHUNK_SIZE),
        labels: new Uint8Array(CHUNK_SIZE),
        markedAt: new Float64Array(CHUNK_SIZE),
        companies: this.wideCompanies ? new Uint32Array(CHUNK_SIZE) : new Uint16Array(CHUNK_SIZE),
        categories: this.wideCategories ? new Uint32Array(CHUNK_SIZE) : new Uint16Array(CHUNK_SIZE),
      };
      this.chunks.push(chunk);
    }
    chunk.keys[index & CHUNK_MASK] = key;
    return index;
  }

  private insert(callerKey: string): number {
    const key = e164KeyToNumber(callerKey);
    if (key >= 0) return this.insertNumeric(key);
    const index = this.append(NaN);
    this.rawKeys.set(callerKey, index);
    this.foldedKeys.set(foldRawKey(callerKey), index);
    return index;
  }

  private insertNumeric(key: number): number {
    const index = this.append(key);
    if (this.count * 10 > this.slots.length * 7) this.rehash(this.slots.length * 2);
    else this.place(key, index);
    return index;
  }

  private place(key: number, index: number): void {
    let slot = hashDouble(key) & this.mask;
    while ((this.slots[slot] ?? EMPTY) !== EMPTY) slot = (slot + 1) & this.mask;
    this.slots[slot] = index;
  }

  private rehash(slotCount: number): void {
    this.slots = new Int32Array(slotCount).fill(EMPTY);
    this.mask = slotCount - 1;
    for (let index = 0; index < this.count; index++) {
      const key = this.keyAt(index);
      if (!Number.isNaN(key)) this.place(key, index);
    }
  }
}
