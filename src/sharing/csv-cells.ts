/**
 * CSV cells as crocetta writes them (RFC 4180), with formula injection neutralised: a cell that a spreadsheet
 * would run as a formula (starting with = + - @, a tab or a carriage return) gets a leading apostrophe, as
 * OWASP advises; so does a cell that already starts with one, so that reading back removes exactly one and the
 * round trip stays exact. A phone number in E.164 (`+390212345678`) is guarded too: a spreadsheet would evaluate it
 * (`=+390212345678`) and show 3.90212E+11, the plus and the digits lost; with the apostrophe it stays the text the
 * office knows. Only negative plain numbers (`-1.5`) are left alone: a spreadsheet reads them as numbers.
 */
const NEGATIVE_NUMBER = /^-\d+(\.\d+)?$/;
const RISKY_FIRST = new Set(['=', '+', '-', '@', '\t', '\r', "'"]);

export function neutralise(text: string): string {
  const first = text[0];
  if (first === undefined || !RISKY_FIRST.has(first) || NEGATIVE_NUMBER.test(text)) return text;
  return `'${text}`;
}

/** The inverse of neutralise, for files crocetta wrote. */
export function unneutralise(text: string): string {
  return text.startsWith("'") ? text.slice(1) : text;
}

/**
 * One cell: null/undefined empty, text neutralised and quoted when it holds the separator (`,` unless given: `;` for
 * a spreadsheet whose decimal mark is a comma), a quote or a line break.
 */
export function csvCell(value: string | number | boolean | null | undefined, separator = ','): string {
  if (value === null || value === undefined) return '';
  const text = neutralise(typeof value === 'string' ? value : String(value));
  return text.includes(separator) || /["\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return `${cells.map((c) => csvCell(c)).join(',')}\r\n`;
}
