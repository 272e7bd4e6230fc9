/**
 * The categories of a nuisance mark, as domain facts: each known one has a key (`energy`, what the register keeps,
 * `actions.byCategory`, the JSON API, the CSV and exports use), a name in each language (`energia`, `energy`), and
 * words offices write for it (`luce e gas`). A known name typed in either language, through the panel's forms, the
 * JSON API, the CLI or an import, is kept as its key, so `actions.byCategory.energy` and the rankings see one
 * category; any other category is the office's own word, kept as written. The panel shows the names
 * (src/panel/category-text.ts); the register's migration 11 brought categories stored before as typed to their key.
 */

/** The languages a known category has a name in. */
export type CategoryLang = 'it' | 'en';

/** Each known category's key → its name in each language. */
export const CATEGORY_NAMES: Readonly<Record<string, Readonly<Record<CategoryLang, string>>>> = {
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
for (const [key, names] of Object.entries(CATEGORY_NAMES)) {
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

/** The key of a known category's name in either language (case and surrounding blanks aside), else undefined. */
export function knownCategoryKey(text: string): string | undefined {
  return KEYS.get(text.trim().toLowerCase());
}

/** What the register keeps for a category as typed: a known name in either language → its key, else trimmed. */
export function categoryKey(text: string): string {
  return knownCategoryKey(text) ?? text.trim();
}

/**
 * A category as it arrives from a file or a friend's feed, where it may be absent: its key (categoryKey: a known
 * name → its key, anything else trimmed), null when absent or blank. Imports and feeds trim as the API and CLI do.
 */
export function storedCategory(text: string | null): string | null {
  if (text === null) return null;
  const key = categoryKey(text);
  return key === '' ? null : key;
}
