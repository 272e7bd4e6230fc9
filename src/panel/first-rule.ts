/**
 * Tables of known messages said in the page's words: each rule a message's pattern and the sentence made from its
 * groups. The import page's (import-error-text.ts) and the forms' (zod-error-text.ts) tables walk the same way.
 */

/** A message's pattern, and what the page says for it. */
export type Rule = readonly [RegExp, (m: RegExpExecArray) => string];

/** The first rule of `rules` that matches `text`, said; else null. */
export function firstRule(rules: readonly Rule[], text: string): string | null {
  for (const [re, say] of rules) {
    const m = re.exec(text);
    if (m !== null) return say(m);
  }
  return null;
}
