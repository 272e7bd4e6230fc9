import { describe, expect, it } from 'vitest';
import { PrefixTable } from './prefix-table.js';

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
