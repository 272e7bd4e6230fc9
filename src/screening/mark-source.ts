/**
 * Where a mark came from, as a reason says it (pure): the office's own mark reads "by you", an imported one names
 * the import (Mark.from, numbers.mark_source): `marked nuisance on 3 Nov 2026, imported from a crocetta export`.
 */

/** The English words for an import's source (`import:fritzbox` → `a FRITZ!Box list`); never parentheses. */
export function importedFromText(from: string): string {
  switch (from) {
    case 'import:json':
    case 'import:csv':
      return 'a crocetta export';
    case 'import:fritzbox':
      return 'a FRITZ!Box list';
    case 'import:list':
      return 'a list of numbers';
    case 'import:vcard':
      return 'a vCard contacts file';
    case 'import:ftc':
      return 'the FTC complaints data';
    default:
      return 'an import';
  }
}

/** `by you on 3 Nov 2026` or `on 3 Nov 2026, imported from a FRITZ!Box list` (`day`: the date as written). */
export function markedWhenText(from: string | null | undefined, day: string): string {
  return typeof from === 'string' ? `on ${day}, imported from ${importedFromText(from)}` : `by you on ${day}`;
}
