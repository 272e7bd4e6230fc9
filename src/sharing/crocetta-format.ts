/**
 * crocetta's own export format, version 2 (docs/export-format.md), as JSON Lines or CSV; version 1 files still read.
 * - JSON Lines: a header line `{"format":"crocetta-register","version":2,...}`, then one record per line.
 * - CSV: a first row `crocetta-register,2`, then the header row (CSV_COLUMNS), then one record per row.
 */
import type { Readable } from 'node:stream';
import { csvLine, unneutralise } from './csv-cells.js';
import type { SourceItem } from './import.js';
import { CSV_COLUMNS, FORMAT_NAME, FORMAT_VERSION, validateRecord, type FileValue } from './records.js';
import { InputError, csvRows, textLines } from './text-input.js';

export type OwnFormat = 'json' | 'csv';

function checkVersion(name: unknown, version: unknown, line: number): void {
  if (name !== FORMAT_NAME)
    throw new InputError(`not a crocetta export (expected ${FORMAT_NAME} on the first line)`, line);
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    throw new InputError('the format version is missing or not a whole number', line);
  if (version > FORMAT_VERSION) {
    throw new InputError(
      `format version ${version} was written by a newer crocetta (this one reads up to ${FORMAT_VERSION})`,
      line,
    );
  }
}

export async function* readJsonLines(input: Readable): AsyncGenerator<SourceItem> {
  let header = false;
  for await (const { line, text } of textLines(input)) {
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      if (!header) throw new InputError('not a crocetta export (the first line is not JSON)', line);
      yield { line, error: 'not valid JSON (truncated line?)' };
      continue;
    }
    if (!header) {
      const h = (value ?? {}) as { format?: unknown; version?: unknown };
      checkVersion(h.format, h.version, line);
      header = true;
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { line, error: 'expected a JSON object' };
      continue;
    }
    try {
      yield { line, record: validateRecord(value as Record<string, FileValue>) };
    } catch (err) {
      yield { line, error: (err as Error).message };
    }
  }
  if (!header) throw new InputError('empty file');
}

export async function* readCsv(input: Readable): AsyncGenerator<SourceItem> {
  let stage: 'version' | 'header' | 'rows' = 'version';
  let header: string[] = [];
  for await (const { line, cells } of csvRows(input)) {
    if (stage === 'version') {
      checkVersion(cells[0], Number(cells[1]), line);
      stage = 'header';
      continue;
    }
    if (stage === 'header') {
      header = cells.map((c) => c.trim());
      const unknown = header.filter((h) => !CSV_COLUMNS.includes(h));
      if (header[0] !== 'type') throw new InputError('the header row must start with "type"', line);
      if (unknown.length > 0) throw new InputError(`unknown columns: ${unknown.join(', ')}`, line);
      stage = 'rows';
      continue;
    }
    if (cells.length !== header.length) {
      yield { line, error: `expected ${header.length} cells, found ${cells.length} (truncated row?)` };
      continue;
    }
    const row: Record<string, FileValue> = {};
    header.forEach((name, i) => {
      row[name] = unneutralise(cells[i] ?? '');
    });
    try {
      yield { line, record: validateRecord(row, true) };
    } catch (err) {
      yield { line, error: (err as Error).message };
    }
  }
  if (stage !== 'rows') throw new InputError('empty file or no header row');
}

export function jsonHeader(exportedAt: number): string {
  return `${JSON.stringify({ format: FORMAT_NAME, version: FORMAT_VERSION, exportedAt: new Date(exportedAt).toISOString() })}\n`;
}

export function csvHeader(): string {
  return csvLine([FORMAT_NAME, FORMAT_VERSION]) + csvLine(CSV_COLUMNS);
}

export function csvRecord(record: Record<string, string | number | boolean | null>): string {
  return csvLine(CSV_COLUMNS.map((c) => record[c] ?? null));
}
