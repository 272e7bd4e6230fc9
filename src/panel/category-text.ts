/**
 * A mark's category in the office's language. The register keeps a known category by its key (`energy`; the names
 * and the mapping of typed names to keys are domain facts: src/screening/categories.ts); the pages show its name in
 * the page's language (`energia`, `telefonia`). Any other category is the office's own word: shown as written.
 */
import { CATEGORY_NAMES } from '../screening/categories.js';
import type { Lang } from './i18n.js';

/** The categories the forms suggest (in this order), then the ones the FTC complaints import gives. */
export const SUGGESTED_CATEGORIES = ['energy', 'telecom', 'insurance', 'finance', 'other'] as const;

/** A category as the page's language names it; one it does not know is shown as written. */
export function categoryText(lang: Lang, category: string): string {
  return CATEGORY_NAMES[category]?.[lang] ?? category;
}
