/**
 * The business's marks, held compactly for a million numbers or more.
 *
 * A JS object (or a Map entry with a boxed double key) per number costs ~90 bytes; here a number costs ~33 bytes:
 * an E.164 key `+393331234567` is held as the double 393331234567 (≤ 15 digits always fits in 2^53), in an
 * open-addressing hash table of Int32 slots pointing into dense typed arrays (key, label, marked_at, company id,
 * category id). Company and category strings are interned once; their ids are Uint16 until there are more than
 * 65535 distinct names, then Uint32. Keys that are not E.164 (`raw:...`) live in a
 * small Map<string, slot>. A cleared mark keeps its slot with label NONE (it disappears on the next load).
 */
import type { Mark, MarkLabel } from '../screening/types.js';

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

function hashDouble(key: number): number {
  const lo = key >>> 0;
  const hi = Math.floor(key / 4294967296) >>> 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
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
}

export class MarkTable {
  // dense records, one per key ever marked
  private count = 0;
  private keys: Float64Array;
  private labels: Uint8Array;
  private markedAt: Float64Array;
  private companies: Uint16Array | Uint32Array;
  private categories: Uint16Array | Uint32Array;
  // hash slots → record index
  private slots: Int32Array;
  private mask: number;
  private readonly rawKeys = new Map<string, number>();
  private readonly companyNames = new Interner();
  private readonly categoryNames = new Interner();

  /** `expected`: how many marks are about to be loaded, to size the arrays once. */
  constructor(expected = 1024) {
    const capacity = Math.max(16, Math.ceil(expected * 1.05));
    this.keys = new Float64Array(capacity);
    this.labels = new Uint8Array(capacity);
    this.markedAt = new Float64Array(capacity);
    this.companies = new Uint16Array(capacity);
    this.categories = new Uint16Array(capacity);
    let slotCount = 16;
    while (slotCount < capacity * 1.6) slotCount *= 2;
    this.slots = new Int32Array(slotCount).fill(EMPTY);
    this.mask = slotCount - 1;
  }

  /** Keys held, marked or cleared. */
  get size(): number {
    return this.count;
  }

  /** Sets or clears the mark of a key. */
  set(entry: MarkEntry): void {
    let index = this.find(entry.callerKey);
    if (index === EMPTY) index = this.insert(entry.callerKey);
    this.write(index, labelCode(entry.label), entry.at, this.internCompany(entry.company), this.internCategory(entry.category));
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
    if (id > 0xffff && this.companies instanceof Uint16Array) this.companies = Uint32Array.from(this.companies);
    return id;
  }

  internCategory(name: string | null): number {
    const id = this.categoryNames.id(name);
    if (id > 0xffff && this.categories instanceof Uint16Array) this.categories = Uint32Array.from(this.categories);
    return id;
  }

  private write(index: number, label: number, at: number, companyId: number, categoryId: number): void {
    this.labels[index] = label;
    this.markedAt[index] = at;
    this.companies[index] = companyId;
    this.categories[index] = categoryId;
  }

  /** The mark of a key, or null when unmarked. Allocates only the returned Mark. */
  get(callerKey: string): Mark | null {
    const index = this.find(callerKey);
    if (index === EMPTY) return null;
    const code = this.labels[index];
    if (code === LABEL_NONE || code === undefined) return null;
    return {
      label: code === LABEL_NUISANCE ? 'nuisance' : 'trusted',
      at: this.markedAt[index] ?? 0,
      company: this.companyNames.value(this.companies[index] ?? 0),
      category: this.categoryNames.value(this.categories[index] ?? 0),
    };
  }

  /** Bytes held by the typed arrays (the Maps of raw keys and names come on top). */
  get byteLength(): number {
    return (
      this.keys.byteLength +
      this.labels.byteLength +
      this.markedAt.byteLength +
      this.companies.byteLength +
      this.categories.byteLength +
      this.slots.byteLength
    );
  }

  private find(callerKey: string): number {
    const key = e164KeyToNumber(callerKey);
    return key < 0 ? (this.rawKeys.get(callerKey) ?? EMPTY) : this.findNumeric(key);
  }

  private findNumeric(key: number): number {
    let slot = hashDouble(key) & this.mask;
    for (;;) {
      const index = this.slots[slot] ?? EMPTY;
      if (index === EMPTY) return EMPTY;
      if (this.keys[index] === key) return index;
      slot = (slot + 1) & this.mask;
    }
  }

  private insert(callerKey: string): number {
    const key = e164KeyToNumber(callerKey);
    if (key >= 0) return this.insertNumeric(key);
    if (this.count === this.keys.length) this.growRecords();
    const index = this.count++;
    this.keys[index] = NaN;
    this.rawKeys.set(callerKey, index);
    return index;
  }

  private insertNumeric(key: number): number {
    if (this.count === this.keys.length) this.growRecords();
    const index = this.count++;
    this.keys[index] = key;
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
      const key = this.keys[index] ?? NaN;
      if (!Number.isNaN(key)) this.place(key, index);
    }
  }

  private growRecords(): void {
    const capacity = Math.ceil(this.keys.length * 1.5);
    const grow = <T extends Float64Array | Uint8Array | Uint16Array | Uint32Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.keys = grow(this.keys, (n) => new Float64Array(n));
    this.labels = grow(this.labels, (n) => new Uint8Array(n));
    this.markedAt = grow(this.markedAt, (n) => new Float64Array(n));
    const ids = (old: Uint16Array | Uint32Array): Uint16Array | Uint32Array => {
      const next = old instanceof Uint16Array ? new Uint16Array(capacity) : new Uint32Array(capacity);
      next.set(old);
      return next;
    };
    this.companies = ids(this.companies);
    this.categories = ids(this.categories);
  }
}
