import { describe, expect, it } from 'vitest';
import { categoryKey } from '../screening/categories.js';
import { SUGGESTED_CATEGORIES, categoryText } from './category-text.js';

describe('categories in the office language', () => {
  it('names the known categories in Italian and English', () => {
    expect(categoryText('it', 'energy')).toBe('energia');
    expect(categoryText('it', 'telecom')).toBe('telefonia');
    expect(categoryText('it', 'insurance')).toBe('assicurazioni');
    expect(categoryText('it', 'silent-call')).toBe('chiamate mute');
    expect(categoryText('en', 'telecom')).toBe('telecoms');
    expect(categoryText('en', 'energy')).toBe('energy');
    for (const c of SUGGESTED_CATEGORIES) expect(categoryText('it', c)).not.toBe(c);
  });

  it("shows the office's own categories as written", () => {
    expect(categoryText('it', 'pannelli solari')).toBe('pannelli solari');
    expect(categoryText('en', '<b>x</b>')).toBe('<b>x</b>');
  });

  it('gives back the key of each name it shows, in either language', () => {
    for (const c of SUGGESTED_CATEGORIES) {
      expect(categoryKey(categoryText('it', c))).toBe(c);
      expect(categoryKey(categoryText('en', c))).toBe(c);
    }
  });
});
