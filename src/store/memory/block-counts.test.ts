import { describe, expect, it } from 'vitest';
import { BlockCountTable } from './block-counts.js';

describe('BlockCountTable', () => {
  it('counts members per block from an unsorted bulk load', () => {
    const table = new BlockCountTable();
    table.load(Float64Array.from([3902871769, 3902871769, 390212345, 3902871769]), Float64Array.from([3902871769, 1]));
    expect(table.nuisance(3902871769)).toBe(3);
    expect(table.trusted(3902871769)).toBe(1);
    expect(table.nuisance(390212345)).toBe(1);
    expect(table.trusted(1)).toBe(1);
    expect(table.nuisance(42)).toBe(0);
  });

  it('keeps later changes on top of the base, never below zero', () => {
    const table = new BlockCountTable();
    table.add(7, 'nuisance', 1); // a change before the bulk load stays
    table.load(Float64Array.from([7, 7]), new Float64Array(0));
    expect(table.nuisance(7)).toBe(3);
    table.add(7, 'nuisance', -3);
    expect(table.nuisance(7)).toBe(0);
    table.add(7, 'nuisance', -1);
    expect(table.nuisance(7)).toBe(0);
    table.add(8, 'trusted', 2);
    expect(table.trusted(8)).toBe(2);
  });

  it('reads the ten blocks of a large block in one walk, base and changes, as ten lookups would', () => {
    const table = new BlockCountTable();
    table.load(
      Float64Array.from([39021230, 39021230, 39021232, 39021239, 39021240, 39021229]),
      Float64Array.from([39021231]),
    );
    table.add(39021233, 'nuisance', 2);
    table.add(39021239, 'nuisance', -5);
    const tens = new Array<number>(10).fill(-1);
    table.nuisanceOfTen(39021230, tens);
    expect(tens).toEqual([2, 0, 1, 2, 0, 0, 0, 0, 0, 0]);
    expect(tens).toEqual(Array.from({ length: 10 }, (_, i) => table.nuisance(39021230 + i)));
    table.nuisanceOfTen(0, tens); // below every key
    expect(tens).toEqual(new Array(10).fill(0));
    table.nuisanceOfTen(39021240, tens); // the last key
    expect(tens[0]).toBe(1);
  });

  it('finds the trusted count of any of the ten blocks on the same walk, as trusted() does, with changes on top', () => {
    const table = new BlockCountTable();
    table.load(
      Float64Array.from([39021230, 39021232, 39021239]),
      Float64Array.from([39021231, 39021231, 39021232, 39021239, 39021240]),
    );
    table.add(39021233, 'trusted', 4); // a block with no base entry
    table.add(39021232, 'trusted', -1);
    const tens = new Array<number>(10).fill(-1);
    const expected = Array.from({ length: 10 }, (_, i) => table.trusted(39021230 + i));
    expect(expected).toEqual([0, 2, 0, 4, 0, 0, 0, 0, 0, 1]);
    for (let pick = 0; pick < 10; pick++) {
      expect([pick, table.nuisanceOfTenAndTrusted(39021230, tens, pick)]).toEqual([pick, expected[pick]]);
      expect(tens).toEqual(Array.from({ length: 10 }, (_, i) => table.nuisance(39021230 + i)));
    }
    const at = table.indexOf(39021231);
    expect([table.nuisanceAt(at, 39021231), table.trustedAt(at, 39021231)]).toEqual([0, 2]);
    expect(table.indexOf(39021234)).toBe(-1);
    expect(table.trustedAt(-1, 39021233)).toBe(4);
  });

  it('holds 1M spread marks in a few MB', () => {
    const table = new BlockCountTable();
    const keys = new Float64Array(1_000_000);
    for (let i = 0; i < keys.length; i++) keys[i] = Math.floor((393000000000 + i * 7) / 10);
    table.load(keys, new Float64Array(0));
    expect(table.byteLength).toBeLessThan(16 * 1_000_000);
    expect(table.nuisance(Math.floor(393000000007 / 10))).toBe(2);
  });
});
