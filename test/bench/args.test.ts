import { describe, expect, it } from 'vitest';
import { numberArg, textArg } from '../../bench/args.js';

const argv = ['node', 'bench/x.ts', '--seed', '7', '--out', 'trace.csv', '--rate', '-3', '--n', 'lots', '--last'];

describe('bench/args: --name value', () => {
  it('textArg: the word after --name, undefined when absent or last', () => {
    expect(textArg('out', argv)).toBe('trace.csv');
    expect(textArg('seed', argv)).toBe('7');
    expect(textArg('model', argv)).toBeUndefined();
    expect(textArg('last', argv)).toBeUndefined();
  });

  it('numberArg: a positive number, else the fallback', () => {
    expect(numberArg('seed', 1, argv)).toBe(7);
    expect(numberArg('rounds', 3, argv)).toBe(3); // absent
    expect(numberArg('rate', 100, argv)).toBe(100); // negative
    expect(numberArg('n', 200_000, argv)).toBe(200_000); // not a number
    expect(numberArg('last', 5, argv)).toBe(5); // no value
  });
});
