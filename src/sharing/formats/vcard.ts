/**
 * vCard (3.0/4.0, RFC 6350) contacts: every TEL of every card becomes a mark, trusted (an allow-list from the
 * office's contacts, the default) or nuisance (a block list such as a spam-contacts export). ORG, else FN, names
 * the company; CATEGORIES, when given, the category. Folded lines are unfolded; a card cut short is an error.
 */
import type { Readable } from 'node:stream';
import type { SourceItem } from '../import.js';
import { textLines } from '../text-input.js';
import { markItem, type MarkDefaults } from './mark-record.js';

interface Card {
  line: number;
  fn: string | null;
  org: string | null;
  categories: string | null;
  tels: Array<{ line: number; value: string }>;
}

/** `TEL;TYPE=WORK,VOICE:+1...` → name `TEL`, value `+1...` (parameters dropped, `tel:` URIs too). */
function property(text: string): { name: string; value: string } | null {
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  const name = (text.slice(0, colon).split(';')[0] ?? '').split('.').pop()?.toUpperCase() ?? '';
  const value = text
    .slice(colon + 1)
    .replace(/\\([,;\\])/g, '$1')
    .replace(/\\n/gi, ' ');
  return { name, value };
}

export async function* readVcard(input: Readable, d: MarkDefaults): AsyncGenerator<SourceItem> {
  let card: Card | null = null;
  let pending: { line: number; text: string } | null = null;
  const handle = function* (p: { line: number; text: string }): Generator<SourceItem> {
    const prop = property(p.text);
    if (prop === null) return;
    if (prop.name === 'BEGIN' && prop.value.toUpperCase() === 'VCARD') {
      if (card !== null) yield { line: card.line, error: 'BEGIN:VCARD without END:VCARD' };
      card = { line: p.line, fn: null, org: null, categories: null, tels: [] };
      return;
    }
    if (card === null) return;
    if (prop.name === 'END' && prop.value.toUpperCase() === 'VCARD') {
      const c: Card = card;
      card = null;
      const company = c.org?.split(';')[0] ?? c.fn;
      for (const tel of c.tels) {
        yield markItem(tel.line, tel.value.replace(/^tel:/i, ''), d, {
          company,
          category: c.categories?.split(',')[0] ?? d.category ?? null,
        });
      }
      return;
    }
    if (prop.name === 'FN') card.fn = prop.value;
    else if (prop.name === 'ORG') card.org = prop.value;
    else if (prop.name === 'CATEGORIES') card.categories = prop.value;
    else if (prop.name === 'TEL') card.tels.push({ line: p.line, value: prop.value });
  };
  for await (const { line, text } of textLines(input)) {
    if ((text.startsWith(' ') || text.startsWith('\t')) && pending !== null) {
      pending.text += text.slice(1);
      continue;
    }
    if (pending !== null) yield* handle(pending);
    pending = text.trim() === '' ? null : { line, text };
  }
  if (pending !== null) yield* handle(pending);
  const open = card as Card | null;
  if (open !== null) yield { line: open.line, error: 'the file ends inside a card (truncated?)' };
}
