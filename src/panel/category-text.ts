/**
 * A mark's category in the office's language. The register keeps the category as it was given (`energy`, from the
 * panel, the API, an import, `actions.byCategory`); the known ones have a name in each language, shown on the pages
 * (`energia`, `telefonia`), and a name typed in the mark or import form in either language (or given to the JSON API's
 * mark and import, or the CLI's) is kept as the known key (`energia` → `energy`), so `actions.byCategory.energy` and
 * the rankings see one category. Any other category is
 * the office's own word: shown and kept as written. The JSON API, the CSV and exports keep the stored key.
 */
import type { Lang } from './i18n.js';

/** The categories the forms suggest (in this order), then the ones the FTC complaints import gives. */
export const SUGGESTED_CATEGORIES = ['energy', 'telecom', 'insurance', 'finance', 'other'] as const;

const NAMES: Readonly<Record<string, Readonly<Record<Lang, string>>>> = {
  energy: { it: 'energia', en: 'energy' },
  telecom: { it: 'telefonia', en: 'telecoms' },
  insurance: { it: 'assicurazioni', en: 'insurance' },
  finance: { it: 'finanza', en: 'finance' },
  other: { it: 'altro', en: 'other' },
  travel: { it: 'viaggi', en: 'travel' },
  impostor: { it: 'finti enti pubblici', en: 'government impostors' },
  warranties: { it: 'garanzie', en: 'warranties' },
  debt: { it: 'debiti', en: 'debt relief' },
  medical: { it: 'salute', en: 'medical' },
  'tech-support': { it: 'finta assistenza informatica', en: 'tech support' },
  charity: { it: 'beneficenza', en: 'charity' },
  lottery: { it: 'lotterie e premi', en: 'lotteries and prizes' },
  'home-improvement': { it: 'lavori in casa', en: 'home improvement' },
  'work-from-home': { it: 'lavoro da casa', en: 'work from home' },
  'home-security': { it: 'allarmi e sicurezza', en: 'home security' },
  'silent-call': { it: 'chiamate mute', en: 'silent calls' },
};

/** Every name a known category goes by (either language, lower case, and the key itself) → its key. */
const KEYS = new Map<string, string>();
for (const [key, names] of Object.entries(NAMES)) {
  KEYS.set(key, key);
  for (const name of Object.values(names)) KEYS.set(name, key);
}
// Words an office writes for the same thing.
for (const [word, key] of [
  ['telecomunicazioni', 'telecom'],
  ['telefonia mobile', 'telecom'],
  ['luce e gas', 'energy'],
  ['luce', 'energy'],
  ['gas', 'energy'],
  ['assicurazione', 'insurance'],
  ['telecommunications', 'telecom'],
] as const) {
  KEYS.set(word, key);
}

/** A category as the page's language names it; one it does not know is shown as written. */
export function categoryText(lang: Lang, category: string): string {
  return NAMES[category]?.[lang] ?? category;
}

/** What the register keeps for a category typed in a form: a known name in either language → its key. */
export function categoryKey(text: string): string {
  const trimmed = text.trim();
  return KEYS.get(trimmed.toLowerCase()) ?? trimmed;
}
