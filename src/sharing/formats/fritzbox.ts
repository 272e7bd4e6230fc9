/**
 * FRITZ!Box phonebook XML (`<phonebooks><phonebook><contact><person><realName>` and
 * `<telephony><number>`), read as a stream with saxes, and written back so the list can go onto a FRITZ!Box
 * (Telephony → Call Handling → Call Barring accepts a phonebook). Imported numbers are nuisance marks by
 * default (the FRITZ!Box "Rufsperren" use), the contact's realName as the company.
 *
 * Hostile XML: a DOCTYPE (the carrier of internal and external entities, "billion laughs" and XXE) is refused
 * outright; saxes itself never fetches anything and knows only the five predefined entities.
 */
import type { Readable, Writable } from 'node:stream';
import { SaxesParser } from 'saxes';
import type { SourceItem } from '../import.js';
import { InputError, SourceError, decodedUtf8 } from '../text-input.js';
import { markItem, type MarkDefaults } from './mark-record.js';

interface Contact {
  line: number;
  realName: string;
  numbers: Array<{ line: number; value: string }>;
  modTime: number | undefined;
}

export async function* readFritzbox(input: Readable, d: MarkDefaults): AsyncGenerator<SourceItem> {
  const parser = new SaxesParser({ position: true });
  const out: SourceItem[] = [];
  const path: string[] = [];
  let contact: Contact | null = null;
  let text = '';
  let sawRoot = false;
  let failure: Error | null = null;
  parser.on('doctype', () => {
    throw new InputError('XML with a DOCTYPE (DTD, entities) is refused', parser.line);
  });
  parser.on('opentag', (tag) => {
    if (path.length === 0) {
      if (tag.name !== 'phonebooks' && tag.name !== 'phonebook')
        throw new InputError(`not a FRITZ!Box phonebook (root <${tag.name}>)`, parser.line);
      sawRoot = true;
    }
    path.push(tag.name);
    text = '';
    if (tag.name === 'contact') contact = { line: parser.line, realName: '', numbers: [], modTime: undefined };
  });
  parser.on('text', (t) => {
    text += t;
  });
  parser.on('closetag', (tag) => {
    path.pop();
    const c = contact;
    if (c === null) return;
    if (tag.name === 'realName') c.realName = text.trim();
    else if (tag.name === 'number') c.numbers.push({ line: parser.line, value: text.trim() });
    else if (tag.name === 'mod_time' && /^\d{1,12}$/.test(text.trim())) c.modTime = Number(text.trim()) * 1000;
    else if (tag.name === 'contact') {
      for (const n of c.numbers) {
        out.push(
          markItem(n.line, n.value, d, { company: c.realName, ...(c.modTime !== undefined && { at: c.modTime }) }),
        );
      }
      contact = null;
    }
    text = '';
  });
  parser.on('error', (err) => {
    failure ??= err;
  });
  const decoded = decodedUtf8(input);
  try {
    for await (const chunk of decoded as AsyncIterable<string>) {
      parser.write(chunk);
      if (failure !== null) break;
      yield* out.splice(0);
    }
    if (failure === null) parser.close();
  } catch (err) {
    if (err instanceof InputError || err instanceof SourceError) throw err;
    throw new InputError(`not well-formed XML: ${(err as Error).message}`, parser.line);
  }
  if (failure !== null) throw new InputError(`not well-formed XML: ${(failure as Error).message}`, parser.line);
  if (!sawRoot) throw new InputError('empty file: no phonebook');
  yield* out.splice(0);
}

function xmlText(s: string): string {
  // Characters XML 1.0 cannot carry at all are dropped; the rest escaped.
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

export interface PhonebookEntry {
  number: string;
  name: string;
  at: number;
}

/** Writes a FRITZ!Box phonebook with one contact per entry. */
export async function writeFritzbox(
  out: Writable,
  entries: AsyncIterable<PhonebookEntry> | Iterable<PhonebookEntry>,
  name = 'crocetta',
): Promise<number> {
  const write = (s: string) =>
    out.write(s) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', () => resolve()));
  await write(`<?xml version="1.0" encoding="utf-8"?>\n<phonebooks>\n  <phonebook name="${xmlText(name)}">\n`);
  let id = 0;
  for await (const e of entries) {
    id++;
    await write(
      `    <contact>\n      <category>0</category>\n      <person>\n        <realName>${xmlText(e.name)}</realName>\n      </person>\n` +
        `      <telephony nid="1">\n        <number type="home" prio="1" id="0">${xmlText(e.number)}</number>\n      </telephony>\n` +
        `      <services /><setup><ringTone /></setup><mod_time>${Math.floor(e.at / 1000)}</mod_time>\n      <uniqueid>${id}</uniqueid>\n    </contact>\n`,
    );
  }
  await write('  </phonebook>\n</phonebooks>\n');
  return id;
}
