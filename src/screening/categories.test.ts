import { describe, expect, it } from 'vitest';
import { CATEGORY_NAMES, categoryKey, knownCategoryKey } from './categories.js';

describe('categories', () => {
  it('keeps a known name typed in either language as its key, so one category stays one', () => {
    expect(categoryKey('energia')).toBe('energy');
    expect(categoryKey(' Energia ')).toBe('energy');
    expect(categoryKey('telefonia')).toBe('telecom');
    expect(categoryKey('Telecomunicazioni')).toBe('telecom');
    expect(categoryKey('telecoms')).toBe('telecom');
    expect(categoryKey('energy')).toBe('energy');
    expect(categoryKey('luce e gas')).toBe('energy');
    for (const [key, names] of Object.entries(CATEGORY_NAMES)) {
      expect(categoryKey(key)).toBe(key);
      expect(categoryKey(names.it)).toBe(key);
      expect(categoryKey(names.en.toUpperCase())).toBe(key);
    }
  });

  it("keeps the office's own word as written (trimmed), and says it is not a known one", () => {
    expect(categoryKey(' pannelli solari ')).toBe('pannelli solari');
    expect(categoryKey('Pannelli Solari')).toBe('Pannelli Solari');
    expect(knownCategoryKey('pannelli solari')).toBeUndefined();
    expect(knownCategoryKey(' ENERGIA\t')).toBe('energy');
  });
});
