import { describe, expect, it } from 'vitest';
import { LABEL_NUISANCE, LABEL_TRUSTED, MarkTable, e164KeyToNumber } from './mark-table.js';

describe('e164KeyToNumber', () => {
  it.each([
    ['+393331234567', 393331234567],
    ['+1', 1],
    ['+999999999999999', 999999999999999],
  ])('%s → %d', (key, n) => expect(e164KeyToNumber(key)).toBe(n));

  it.each(['', '+', '393331234567', '+0391', '+39 333', '+1234567890123456', 'raw:+39', '+39a'])(
    'rejects %j (kept as a string key)',
    (key) => expect(e164KeyToNumber(key)).toBe(-1),
  );
});

describe('MarkTable', () => {
  it('loads 100k marks, grows past its first size, and finds each one', () => {
    const table = new MarkTable(1000);
    const n = 100_000;
    const key = (i: number): string => `+39${(3_000_000_000 + i * 7919).toString()}`;
    for (let i = 0; i < n; i++) {
      table.set({
        callerKey: key(i),
        label: i % 3 === 0 ? 'trusted' : 'nuisance',
        at: 1_700_000_000_000 + i,
        company: i % 10 === 0 ? `Company ${i % 100}` : null,
        category: i % 2 === 0 ? 'energy' : null,
      });
    }
    expect(table.size).toBe(n);
    for (let i = 0; i < n; i += 997) {
      expect(table.get(key(i))).toEqual({
        label: i % 3 === 0 ? 'trusted' : 'nuisance',
        at: 1_700_000_000_000 + i,
        company: i % 10 === 0 ? `Company ${i % 100}` : null,
        category: i % 2 === 0 ? 'energy' : null,
      });
    }
    expect(table.get('+393999999999')).toBeNull();
    expect(table.get(`${key(5)}0`)).toBeNull();
    expect(table.byteLength).toBeLessThan(n * 60);
  });

  it('widens company ids past 65535 distinct names without losing the earlier ones', () => {
    const table = new MarkTable(16);
    for (let i = 0; i < 70_000; i++) {
      table.set({
        callerKey: `+3910${i}`,
        label: 'nuisance',
        at: i,
        company: `Co ${i}`,
        category: i === 0 ? 'first' : null,
      });
    }
    expect(table.get('+39100')).toMatchObject({ company: 'Co 0', category: 'first' });
    expect(table.get('+391065535')?.company).toBe('Co 65535');
    expect(table.get('+391069999')?.company).toBe('Co 69999');
  });

  it("keeps where an imported mark came from until the key's mark is written again; setSource after the bulk load", () => {
    const t = new MarkTable();
    t.set({ callerKey: '+390287176900', label: 'nuisance', at: 5, company: null, category: null, from: 'import:json' });
    t.set({ callerKey: 'raw:PROMO', label: 'nuisance', at: 5, company: null, category: null, from: 'import:list' });
    t.set({ callerKey: '+390249712345', label: 'nuisance', at: 5, company: null, category: null });
    expect(t.get('+390287176900')).toEqual({
      label: 'nuisance',
      at: 5,
      company: null,
      category: null,
      from: 'import:json',
    });
    expect(t.get('raw:PROMO')?.from).toBe('import:list');
    expect(t.get('+390249712345')).not.toHaveProperty('from');
    // Marked again by hand: the office's own.
    t.set({ callerKey: '+390287176900', label: 'nuisance', at: 6, company: null, category: null });
    expect(t.get('+390287176900')).not.toHaveProperty('from');
    // Start-up: the bulk path writes the mark, then its source.
    t.setNumeric(393331234567, LABEL_NUISANCE, 7, 0, 0);
    t.get('+393331234567');
    t.get('+393331234567'); // memoized from its second look-up
    t.setSource('+393331234567', 'import:fritzbox');
    expect(t.get('+393331234567')?.from).toBe('import:fritzbox');
    t.setSource('+390000000001', 'import:fritzbox'); // no mark: nothing
    expect(t.get('+390000000001')).toBeNull();
  });

  it('keeps raw keys apart and clears without removing', () => {
    const table = new MarkTable();
    table.set({ callerKey: 'raw:393331234567', label: 'nuisance', at: 1, company: null, category: null });
    expect(table.get('+393331234567')).toBeNull();
    table.set({ callerKey: '+393331234567', label: 'trusted', at: 2, company: 'A', category: null });
    table.set({ callerKey: '+393331234567', label: 'none', at: 3, company: null, category: null });
    expect(table.get('+393331234567')).toBeNull();
    expect(table.get('raw:393331234567')).toMatchObject({ label: 'nuisance' });
    expect(table.size).toBe(2);
    // A raw key's mark too is one object from its second look-up until written again.
    const again = table.get('raw:393331234567');
    expect(table.get('raw:393331234567')).toBe(again);
    table.set({ callerKey: 'raw:393331234567', label: 'trusted', at: 4, company: null, category: null });
    expect(table.get('raw:393331234567')).toMatchObject({ label: 'trusted', at: 4 });
    table.set({ callerKey: 'raw:393331234567', label: 'none', at: 5, company: null, category: null });
    expect(table.get('raw:393331234567')).toBeNull();
  });

  it("a raw key's mark holds for its other spellings; a spelling's own mark comes first; numbers untouched (senders49)", () => {
    const table = new MarkTable();
    const mark = (callerKey: string, label: 'nuisance' | 'trusted', at: number) =>
      table.set({ callerKey, label, at, company: null, category: null });
    mark('raw:promo-energia', 'nuisance', 1);
    for (let i = 0; i < 3; i++) {
      expect(table.get('raw:PROMO-ENERGIA')?.label).toBe('nuisance');
      expect(table.get('raw:Promo-Energia')?.label).toBe('nuisance');
    }
    expect(table.changedAt('raw:PROMO-ENERGIA')).toBe(1);
    expect(table.get('raw:PROMO-ENERGIA2')).toBeNull();
    // The spelling the carrier sends, marked on its own: its own mark; the other spellings follow the last written.
    mark('raw:PROMO-ENERGIA', 'trusted', 2);
    expect(table.get('raw:PROMO-ENERGIA')?.label).toBe('trusted');
    expect(table.get('raw:promo-energia')?.label).toBe('nuisance');
    expect(table.get('raw:Promo-energia')?.label).toBe('trusted');
    expect(table.size).toBe(2);
    mark('+390212345678', 'nuisance', 3);
    expect(table.get('+390212345678')?.label).toBe('nuisance');
    expect(table.get('raw:+390212345678')).toBeNull();
  });

  it('finds a mark set after the key was looked up unmarked, again and again, and the mark gone after a clear', () => {
    const table = new MarkTable();
    table.set({ callerKey: '+390299999999', label: 'nuisance', at: 1, company: null, category: null });
    for (let i = 0; i < 3; i++) expect(table.get('+390212345678')).toBeNull();
    table.set({ callerKey: '+390212345678', label: 'nuisance', at: 2, company: 'Acme', category: null });
    for (let i = 0; i < 3; i++) expect(table.get('+390212345678')).toMatchObject({ label: 'nuisance', at: 2 });
    table.setNumeric(390212345679, LABEL_TRUSTED, 3, 0, 0);
    for (let i = 0; i < 3; i++) expect(table.get('+390212345679')).toMatchObject({ label: 'trusted', at: 3 });
    expect(table.get('+390212345677')).toBeNull();
    expect(table.get('+390212345677')).toBeNull();
    table.setNumeric(390212345677, LABEL_NUISANCE, 4, 0, 0);
    expect(table.get('+390212345677')).toMatchObject({ label: 'nuisance', at: 4 });
    table.set({ callerKey: '+390212345678', label: 'none', at: 5, company: null, category: null });
    expect(table.get('+390212345678')).toBeNull();
    expect(table.get('+390212345678')).toBeNull();
  });

  it('hands out one frozen Mark per key, from its second look-up, until the key is written again', () => {
    const table = new MarkTable();
    table.set({ callerKey: '+390212345678', label: 'nuisance', at: 1, company: 'Acme', category: null });
    const once = table.get('+390212345678');
    const first = table.get('+390212345678');
    expect(first).toEqual(once);
    expect(table.get('+390212345678')).toBe(first);
    expect(Object.isFrozen(once)).toBe(true);
    expect(Object.isFrozen(first)).toBe(true);
    table.set({ callerKey: '+390212345678', label: 'trusted', at: 2, company: null, category: null });
    expect(table.get('+390212345678')).toEqual({ label: 'trusted', at: 2, company: null, category: null });
    table.set({ callerKey: '+390212345678', label: 'none', at: 3, company: null, category: null });
    expect(table.get('+390212345678')).toBeNull();
  });
});
