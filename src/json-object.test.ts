import { describe, expect, it } from 'vitest';
import { isJsonObject } from './json-object.js';

describe('isJsonObject', () => {
  it('is true for an object of named values, parsed or written', () => {
    expect(isJsonObject(JSON.parse('{"a":1}'))).toBe(true);
    expect(isJsonObject({})).toBe(true);
  });

  it('is false for null, an array and every other value', () => {
    for (const v of [null, undefined, [], JSON.parse('[1]'), 'a', 1, true]) expect(isJsonObject(v)).toBe(false);
  });
});
