import { describe, expect, it } from 'vitest';
import { PrefixTable } from './prefix-table.js';
import { mulberry32 } from '../../test/support/prng.js';

describe('PrefixTable', () => {
  const table = new PrefixTable<string>([
    ['+39', 'italy'],
    ['+390844', 'telemarketing'],
    ['+3908441', 'one block'],
    ['+33', 'france'],
  ]);

  it('finds the longest matching prefix', () => {
    expect(table.match('+390844123456')).toBe('one block');
    expect(table.match('+390844223456')).toBe('telemarketing');
    expect(table.match('+390612345678')).toBe('italy');
    expect(table.match('+33612345678')).toBe('france');
  });

  it('finds nothing for other numbers or numbers shorter than every prefix', () => {
    expect(table.match('+41211234567')).toBeUndefined();
    expect(table.match('+3')).toBeUndefined();
    expect(table.match('')).toBeUndefined();
  });

  it('matches a number equal to a prefix', () => {
    expect(table.match('+390844')).toBe('telemarketing');
  });

  it('refuses duplicate prefixes', () => {
    expect(
      () =>
        new PrefixTable([
          ['+39', 1],
          ['+39', 2],
        ]),
    ).toThrow('duplicate prefix +39');
  });

  it('an empty table matches nothing', () => {
    expect(new PrefixTable<number>([]).match('+390844123456')).toBeUndefined();
  });
});

describe('PrefixTable against the longest of the matching prefixes, found by comparing each (random tables)', () => {
  it('gives what the comparison of every prefix gives', () => {
    const rand = mulberry32(12);
    const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(rand() * 4))).join('');
    for (let round = 0; round < 200; round++) {
      const prefixes = new Map<string, number>();
      const size = Math.floor(rand() * 12);
      for (let i = 0; i < size; i++) prefixes.set(`+${digits(Math.floor(rand() * 6))}`, i);
      if (rand() < 0.1) prefixes.set('', -1);
      const table = new PrefixTable([...prefixes]);
      expect(table.size).toBe(prefixes.size);
      for (let q = 0; q < 50; q++) {
        const number = rand() < 0.9 ? `+${digits(Math.floor(rand() * 9))}` : digits(5);
        let expected: number | undefined;
        let longest = -1;
        for (const [p, v] of prefixes) {
          if (number.startsWith(p) && p.length > longest) {
            longest = p.length;
            expected = v;
          }
        }
        expect(table.match(number)).toBe(expected);
      }
    }
  });
});
